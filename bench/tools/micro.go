package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
)

// runMicro turns `go test -bench . -benchmem` output into a Markdown table:
// package, benchmark, ns/op, B/op, allocs/op, and any other metric a
// benchmark reports (MB/s, custom units) in a last column. Failed packages
// are listed under the table.
func runMicro(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: micro BENCH.txt")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	var pkg string
	var rows, failed, header []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(line, "pkg: ")
		case strings.HasPrefix(line, "goos: "), strings.HasPrefix(line, "goarch: "), strings.HasPrefix(line, "cpu: "):
			if !containsLine(header, line) {
				header = append(header, line)
			}
		case strings.HasPrefix(line, "FAIL"), strings.HasPrefix(line, "--- FAIL"):
			failed = append(failed, line)
		case strings.HasPrefix(line, "Benchmark"):
			if r, ok := benchRow(pkg, line); ok {
				rows = append(rows, r)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(header) > 0 {
		fmt.Printf("`%s`\n\n", strings.Join(header, "`, `"))
	}
	fmt.Println("| Package | Benchmark | ns/op | B/op | allocs/op | Other |")
	fmt.Println("|---|---|---:|---:|---:|---|")
	for _, r := range rows {
		fmt.Println(r)
	}
	if len(rows) == 0 {
		fmt.Println("| – | no benchmarks ran | | | | |")
	}
	if len(failed) > 0 {
		fmt.Println("\nFailures:\n\n```")
		for _, l := range failed {
			fmt.Println(l)
		}
		fmt.Println("```")
	}
	return nil
}

// benchRow formats "BenchmarkX-2  1000  123 ns/op  0 B/op  0 allocs/op  9 MB/s".
func benchRow(pkg, line string) (string, bool) {
	f := strings.Fields(line)
	if len(f) < 4 {
		return "", false
	}
	name := f[0]
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		name = name[:i] // the -GOMAXPROCS suffix
	}
	name = strings.TrimPrefix(name, "Benchmark")
	vals := map[string]string{}
	var other []string
	for i := 2; i+1 < len(f); i += 2 {
		switch unit := f[i+1]; unit {
		case "ns/op", "B/op", "allocs/op":
			vals[unit] = f[i]
		default:
			other = append(other, f[i]+" "+unit)
		}
	}
	if vals["ns/op"] == "" {
		return "", false // a log line that starts with "Benchmark"
	}
	short := strings.TrimPrefix(pkg, "eventmpm/")
	return fmt.Sprintf("| %s | %s | %s | %s | %s | %s |", short, name,
		vals["ns/op"], orDash(vals["B/op"]), orDash(vals["allocs/op"]), strings.Join(other, ", ")), true
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func containsLine(ls []string, l string) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}
