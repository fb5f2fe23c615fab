// Command crosscheck type-checks every package of the module for other
// operating systems, the kqueue builds that this Linux machine cannot run:
// `go run ./internal/crosscheck darwin/arm64 freebsd/amd64`.
//
// It does what `GOOS=darwin go build ./...` checked before (every file that
// the target's build constraints select compiles: no undefined name, no
// wrong type, no unused import or variable) without compiling the standard
// library for each target, which took about 40 s per target on a clean
// clone, a third of `make test` there. The packages and their imports are
// type-checked from source (go/types with the "source" importer), cgo off,
// as a cross-build has it. Code generation is not checked; nothing in the
// module has assembly or cgo.
//
// Each target is checked in a child process of its own (the source
// importer reads go/build's global context), all at once; the exit status
// is 1 when any package of any target fails.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// childEnv marks the process that checks one target.
const childEnv = "CROSSCHECK_TARGET"

func main() {
	if target := os.Getenv(childEnv); target != "" {
		if err := checkTarget(target, "."); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: crosscheck GOOS/GOARCH...")
		os.Exit(2)
	}
	if !runAll(os.Args[1:]) {
		os.Exit(1)
	}
}

// runAll checks each target in a child process, all at once, and prints
// each one's outcome in the order given.
func runAll(targets []string) bool {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "crosscheck:", err)
		return false
	}
	outs := make([]bytes.Buffer, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, target := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(self)
			cmd.Env = append(os.Environ(), childEnv+"="+target)
			cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
			errs[i] = cmd.Run()
		}()
	}
	wg.Wait()
	ok := true
	for i, target := range targets {
		os.Stdout.Write(outs[i].Bytes())
		if errs[i] != nil {
			ok = false
			fmt.Printf("crosscheck %s: FAILED\n", target)
		} else {
			fmt.Printf("crosscheck %s: ok\n", target)
		}
	}
	return ok
}

// checkTarget type-checks every package of the module in dir for target,
// "GOOS/GOARCH".
func checkTarget(target, dir string) error {
	goos, goarch, ok := strings.Cut(target, "/")
	if !ok || goos == "" || goarch == "" {
		return fmt.Errorf("crosscheck: target %q is not GOOS/GOARCH", target)
	}
	pkgs, roots, err := listPackages(dir, goos, goarch)
	if err != nil {
		return err
	}
	imp := &sourceImporter{fset: token.NewFileSet(), pkgs: pkgs, done: map[string]*types.Package{}, failed: map[string]bool{}}
	var failed []error
	for _, path := range roots {
		if _, err := imp.Import(path); err != nil && err != errDependency {
			failed = append(failed, fmt.Errorf("%s: %w", target, err))
		}
	}
	return errors.Join(failed...)
}

// listedPackage is what `go list` says of one package for the target.
type listedPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	ImportMap  map[string]string // vendored standard-library imports
	DepOnly    bool
	Error      *struct{ Err string }
}

// listPackages asks `go list` once for the module's packages and all their
// dependencies as the target builds them (its files, cgo off), and returns
// them by import path with the module's own packages in order.
func listPackages(dir, goos, goarch string) (map[string]*listedPackage, []string, error) {
	cmd := exec.Command("go", "list", "-e", "-deps", "-json=ImportPath,Dir,GoFiles,ImportMap,DepOnly,Error", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("crosscheck: go list for %s/%s: %w: %s", goos, goarch, err, stderr.Bytes())
	}
	pkgs := map[string]*listedPackage{}
	var roots []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		p := new(listedPackage)
		if err := dec.Decode(p); err != nil {
			return nil, nil, fmt.Errorf("crosscheck: reading go list: %w", err)
		}
		if p.Error != nil {
			return nil, nil, fmt.Errorf("crosscheck: %s/%s: %s: %s", goos, goarch, p.ImportPath, p.Error.Err)
		}
		pkgs[p.ImportPath] = p
		if !p.DepOnly && len(p.GoFiles) > 0 {
			roots = append(roots, p.ImportPath)
		}
	}
	return pkgs, roots, nil
}

// sourceImporter type-checks packages from their source files, each once,
// as go list selected them for the target.
type sourceImporter struct {
	fset *token.FileSet
	pkgs map[string]*listedPackage
	done map[string]*types.Package
	// failed holds the packages that did not type-check: their errors are
	// reported once, not again by each package importing them.
	failed map[string]bool
}

// errDependency is an import of a package that failed: its errors stand
// for the importer's.
var errDependency = errors.New("a dependency has errors, reported with it")

// Import type-checks the package at path and, first, what it imports.
func (imp *sourceImporter) Import(path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	if imp.failed[path] {
		return nil, errDependency
	}
	if pkg, ok := imp.done[path]; ok {
		if pkg == nil {
			return nil, fmt.Errorf("import cycle through %s", path)
		}
		return pkg, nil
	}
	lp, ok := imp.pkgs[path]
	if !ok {
		return nil, fmt.Errorf("package %s is not among the listed dependencies", path)
	}
	imp.done[path] = nil
	var files []*ast.File
	for _, name := range lp.GoFiles {
		f, err := parser.ParseFile(imp.fset, filepath.Join(lp.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	var typeErrs []error
	conf := types.Config{
		Importer: importerFunc(func(p string) (*types.Package, error) {
			if mapped, ok := lp.ImportMap[p]; ok {
				p = mapped
			}
			return imp.Import(p)
		}),
		Error: func(err error) {
			if !strings.Contains(err.Error(), errDependency.Error()) {
				typeErrs = append(typeErrs, err)
			}
		},
		// Dependencies are checked for their types only: their function
		// bodies cannot break the module's build.
		IgnoreFuncBodies: lp.DepOnly,
	}
	pkg, err := conf.Check(path, imp.fset, files, nil)
	if err != nil {
		imp.failed[path] = true
		if len(typeErrs) == 0 {
			return nil, errDependency // its own errors were reported with the dependency's
		}
		return nil, errors.Join(typeErrs...)
	}
	imp.done[path] = pkg
	return pkg, nil
}

// importerFunc is a types.Importer made of a function.
type importerFunc func(path string) (*types.Package, error)

// Import calls f.
func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
