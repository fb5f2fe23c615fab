module eventmpm/bench/tools

go 1.26.0
