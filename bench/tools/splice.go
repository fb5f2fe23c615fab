package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Markers around a generated section of BENCHMARKS.md. Everything outside
// them is hand-written and kept as it is.
func markers(name string) (begin, end string) {
	return "<!-- BEGIN " + name + " (generated: do not edit by hand; rerun to replace) -->",
		"<!-- END " + name + " -->"
}

// runSplice replaces the section NAME of FILE with stdin, or appends the
// section when FILE has none yet. The file is replaced atomically.
func runSplice(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: splice FILE NAME < SECTION")
	}
	path, name := args[0], args[1]
	body, err := io.ReadAll(os.Stdin)
	if err != nil {
		return err
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	out, err := splice(string(old), name, strings.TrimRight(string(body), "\n"))
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".splice-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(out); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func splice(doc, name, body string) (string, error) {
	begin, end := markers(name)
	section := begin + "\n" + body + "\n" + end
	// Match the markers by their stable prefix, so a changed comment text
	// still finds the old section.
	bi := strings.Index(doc, "<!-- BEGIN "+name+" ")
	if bi < 0 {
		if doc != "" && !strings.HasSuffix(doc, "\n\n") {
			doc = strings.TrimRight(doc, "\n") + "\n\n"
		}
		return doc + section + "\n", nil
	}
	ei := strings.Index(doc[bi:], end)
	if ei < 0 {
		return "", errors.New("section " + name + " has a BEGIN marker but no " + end)
	}
	return doc[:bi] + section + doc[bi+ei+len(end):], nil
}
