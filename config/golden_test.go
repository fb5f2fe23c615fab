package config

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"eventmpm/config/expr"
)

var update = flag.Bool("update", false, "rewrite the want section of the golden files in testdata/golden")

// TestGolden runs every testdata/golden/*.txt file as a subtest. A file is a
// description, then sections "-- name --": "options" (one command-line
// option a line: -D, -C, -c, -T, -f FILE, env NAME=VALUE, previous FILE,
// hostname NAME), the files to create under a fresh ServerRoot (a name
// ending in "/" is a directory; "$ROOT" in them is replaced), and "want": the -S dump, the warnings and
// every value that differs from a configuration holding only "Listen 80" —
// or the error. $ROOT stands for the ServerRoot.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			t.Parallel()
			runGolden(t, file)
		})
	}
}

func runGolden(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ar := parseArchive(string(data))
	root := t.TempDir()
	for _, f := range ar.files {
		if f.name == "options" || f.name == "want" {
			continue
		}
		writeTestFile(t, root, f.name, strings.ReplaceAll(f.data, "$ROOT", root))
	}
	opts := goldenOptions(t, root, ar.get("options"))
	got := strings.ReplaceAll(loadReport(t, opts), root, "$ROOT")
	want, hasWant := ar.lookup("want")
	if *update {
		ar.set("want", got)
		if err := os.WriteFile(file, []byte(ar.format()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !hasWant {
		t.Fatalf("%s has no want section; run go test -run TestGolden -update", file)
	}
	if got != want {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", file, got, want)
	}
}

func writeTestFile(t *testing.T, root, name, data string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(name))
	if strings.HasSuffix(name, "/") {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// goldenOptions reads the options section.
func goldenOptions(t *testing.T, root, text string) Options {
	env := map[string]string{}
	opts := Options{
		ServerRoot: root,
		LookupEnv:  func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Hostname:   func() (string, error) { return "golden.example", nil },
	}
	var previous string
	for _, ln := range strings.Split(text, "\n") {
		key, val, _ := strings.Cut(ln, " ")
		switch key {
		case "":
		case "-D":
			opts.Defines = append(opts.Defines, val)
		case "-C":
			opts.Before = append(opts.Before, val)
		case "-c":
			opts.After = append(opts.After, val)
		case "-T":
			opts.SkipDocumentRootCheck = true
		case "-f":
			opts.File = val
		case "env":
			k, v, _ := strings.Cut(val, "=")
			env[k] = v
		case "hostname":
			opts.Hostname = func() (string, error) { return val, nil }
		case "previous":
			previous = val
		default:
			t.Fatalf("unknown option line %q", ln)
		}
	}
	if previous != "" {
		p := opts
		p.File = previous
		prev, err := Load(p)
		if err != nil {
			t.Fatalf("previous configuration: %v", err)
		}
		opts.Previous = prev
	}
	return opts
}

// loadReport loads and describes the result: the error, or the dump, the
// warnings and the values that differ from a minimal configuration's.
func loadReport(t *testing.T, opts Options) string {
	cfg, err := Load(opts)
	if err != nil {
		return "error:\n" + err.Error() + "\n"
	}
	var b strings.Builder
	cfg.DumpRunConfig(&b)
	b.WriteString("warnings:\n")
	for _, w := range cfg.Warnings {
		pos := "-"
		if w.Pos.File != "" {
			pos = fmt.Sprintf("%s:%d", w.Pos.File, w.Pos.Line)
		}
		fmt.Fprintf(&b, "  %s: %s\n", pos, w)
	}
	b.WriteString("changed:\n")
	for _, kv := range changedValues(t, opts, cfg) {
		fmt.Fprintf(&b, "  %s = %s\n", kv[0], kv[1])
	}
	return b.String()
}

// changedValues lists the fields of cfg whose value differs from the
// configuration "Listen 80" loaded with the same ServerRoot and environment.
func changedValues(t *testing.T, opts Options, cfg *Config) [][2]string {
	t.Helper()
	base := filepath.Join(opts.ServerRoot, ".baseline.conf")
	if err := os.WriteFile(base, []byte("Listen 80\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(base)
	baseline, err := Load(Options{ServerRoot: opts.ServerRoot, File: base, LookupEnv: opts.LookupEnv, Hostname: opts.Hostname})
	if err != nil {
		t.Fatalf("baseline: %v", err)
	}
	old := map[string]string{}
	for _, kv := range flatten("", reflect.ValueOf(*baseline)) {
		old[kv[0]] = kv[1]
	}
	mainServer := map[string]string{}
	for _, kv := range flatten("Server", reflect.ValueOf(cfg.Server)) {
		mainServer[kv[0]] = kv[1]
	}
	var out [][2]string
	for _, kv := range flatten("", reflect.ValueOf(*cfg)) {
		if strings.HasPrefix(kv[0], "Warnings") || kv[0] == "File" {
			continue
		}
		v, ok := old[kv[0]]
		if m := vhostServer.FindStringSubmatch(kv[0]); m != nil {
			// A virtual host is compared with the main server: only what
			// it does not inherit is listed.
			v, ok = mainServer["Server"+m[1]]
		}
		if !ok && isZeroText(kv[1]) {
			continue // a new element's zero fields say nothing
		}
		if !ok || v != kv[1] {
			out = append(out, kv)
		}
	}
	return out
}

// vhostServer matches the path of a virtual host's Server field.
var vhostServer = regexp.MustCompile(`^VirtualHosts\[\d+\]\.Server(.*)$`)

func isZeroText(s string) bool {
	switch s {
	case `""`, "", "false", "0", "nil", "0s", "invalid Prefix":
		return true
	}
	return false
}

// flatten lists every leaf of v as a path and a printed value.
func flatten(path string, v reflect.Value) [][2]string {
	leaf := func(s string) [][2]string { return [][2]string{{path, s}} }
	switch x := v.Interface().(type) {
	case time.Duration:
		return leaf(x.String())
	case netip.Prefix:
		return leaf(x.String())
	case Pos:
		return leaf(fmt.Sprintf("%s:%d", x.File, x.Line))
	case *expr.Expr:
		if x == nil {
			return leaf("nil")
		}
		return leaf(fmt.Sprintf("%q", x.String()))
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return leaf("nil")
		}
		if v.Elem().Kind() == reflect.Struct {
			return append(leaf("set"), flatten(path, v.Elem())...)
		}
		return flatten(path, v.Elem())
	case reflect.Struct:
		var out [][2]string
		for i := range v.NumField() {
			out = append(out, flatten(strings.TrimPrefix(path+"."+v.Type().Field(i).Name, "."), v.Field(i))...)
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return leaf("nil")
		}
		out := leaf(fmt.Sprintf("len %d", v.Len()))
		for i := range v.Len() {
			out = append(out, flatten(fmt.Sprintf("%s[%d]", path, i), v.Index(i))...)
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return leaf("nil")
		}
		out := leaf(fmt.Sprintf("len %d", v.Len()))
		keys := v.MapKeys()
		key := func(k reflect.Value) string { return fmt.Sprint(k.Interface()) }
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(key(a), key(b)) })
		for _, k := range keys {
			out = append(out, flatten(fmt.Sprintf("%s[%s]", path, key(k)), v.MapIndex(k))...)
		}
		return out
	case reflect.String:
		return leaf(fmt.Sprintf("%q", v.String()))
	}
	return leaf(fmt.Sprint(v.Interface()))
}

// archive is a txtar-like file: a comment, then named sections.
type archive struct {
	comment string
	files   []archiveFile
}

type archiveFile struct{ name, data string }

func parseArchive(s string) *archive {
	ar := &archive{}
	for _, ln := range strings.SplitAfter(s, "\n") {
		trimmed := strings.TrimSuffix(ln, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			ar.files = append(ar.files, archiveFile{name: trimmed[3 : len(trimmed)-3]})
			continue
		}
		if n := len(ar.files); n > 0 {
			ar.files[n-1].data += ln
		} else {
			ar.comment += ln
		}
	}
	return ar
}

func (ar *archive) lookup(name string) (string, bool) {
	for _, f := range ar.files {
		if f.name == name {
			return f.data, true
		}
	}
	return "", false
}

func (ar *archive) get(name string) string {
	s, _ := ar.lookup(name)
	return s
}

func (ar *archive) set(name, data string) {
	for i := range ar.files {
		if ar.files[i].name == name {
			ar.files[i].data = data
			return
		}
	}
	ar.files = append(ar.files, archiveFile{name: name, data: data})
}

func (ar *archive) format() string {
	var b strings.Builder
	b.WriteString(ar.comment)
	for _, f := range ar.files {
		fmt.Fprintf(&b, "-- %s --\n%s", f.name, f.data)
	}
	return b.String()
}
