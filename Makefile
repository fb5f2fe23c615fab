# eventmpm — build, test and run. `make help` lists the targets.

GO       ?= go
BIN      := bin/eventmpm
PKGS     := ./...
LDFLAGS  := -X eventmpm/internal/version.buildTime=$(shell date -u +%Y-%m-%dT%H:%M:%SZ)
FUZZTIME ?= 20s

.PHONY: help build run test test-short vet vet-untested fmt cross cross-build lint bench fuzz soak bench-compare bench-tls clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

build: ## build bin/eventmpm
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/eventmpm

run: build ## run the server in the foreground on the bundled config (http://127.0.0.1:8080/)
	@mkdir -p testdata/logs
	$(BIN) -d testdata start --foreground

# go test runs every vet check (-vet=all) on the packages it tests, reusing
# the race build; only the packages without tests need a go vet of their own.
# That saves a whole non-race compile of the tree on a clean clone. Every
# benchmark also runs once (-benchtime 1x), so a broken one fails here and
# not only in make bench; in a run of its own, because go test runs the
# packages one at a time when -bench is given, and the integration tests
# mostly wait on real processes and clocks. go test starts the packages in
# the order named, two at a time on two cores: the two longest come first,
# so that neither starts last and runs alone.
TESTPKGS := ./supervisor ./child $(PKGS)

test: fmt vet-untested cross ## vet, unit and integration tests (-race), kqueue files type-checked, each benchmark once
	$(GO) test -race -vet=all -count=1 -timeout 8m $(TESTPKGS)
	$(GO) test -race -vet=off -run '^$$' -bench . -benchtime 1x -count=1 $(PKGS)

test-short: ## unit tests only, no race detector
	$(GO) test -short -count=1 $(PKGS)

vet: fmt ## go vet and gofmt check
	$(GO) vet $(PKGS)

vet-untested:
	$(GO) vet $$($(GO) list -f '{{if not (or .TestGoFiles .XTestGoFiles)}}{{.ImportPath}}{{end}}' $(PKGS))

fmt: ## gofmt check
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# The kqueue systems' files are type-checked from source (internal/crosscheck):
# a cross-build compiles the standard library for each target, about 40 s
# each on a clean clone; cross-build does that.
CROSS    := darwin/arm64 freebsd/amd64 dragonfly/amd64

cross: ## the kqueue systems' files must type-check
	$(GO) run ./internal/crosscheck $(CROSS)

cross-build: ## cross-compile for every kqueue system (slow: the standard library for each)
	for t in $(CROSS); do GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) build ./... || exit 1; done

lint: vet ## gofmt, vet and staticcheck (installed from the Go module proxy)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.7.0 $(PKGS)

bench: ## micro-benchmarks of the hot paths, summarised into BENCHMARKS.md
	bench/micro.sh

fuzz: ## run every fuzz target for FUZZTIME each
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

soak: build ## longer fault and load tests, about 6 minutes (see RELIABILITY.md)
	EVENTMPM_SOAK=1 $(GO) test -count=1 -v -timeout 30m -run 'Soak|Fault|Slow|Storm' ./...

bench-compare: build ## eventmpm against nginx, h2o, fasthttp and Apache (see BENCHMARKS.md)
	bench/compare.sh

bench-tls: build ## keep-alive 1 KiB over TLS 1.3: eventmpm, nginx and Apache's mod_ssl (see BENCHMARKS.md)
	bench/tls.sh

clean: ## remove build output
	rm -rf bin testdata/logs
