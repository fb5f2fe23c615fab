package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckTarget type-checks a small module whose files differ by system:
// each target sees the errors of its own files only, as a build would.
func TestCheckTarget(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":             "module example.com/m\n\ngo 1.26\n",
		"main.go":            "package main\n\nimport \"example.com/m/sys\"\n\nfunc main() { sys.Hello() }\n",
		"sys/sys_linux.go":   "package sys\n\nimport \"os\"\n\n// Hello greets.\nfunc Hello() { os.Getpid() }\n",
		"sys/sys_darwin.go":  "package sys\n\n// Hello greets.\nfunc Hello() { undefinedName() }\n",
		"sys/sys_freebsd.go": "package sys\n\nimport \"strconv\"\n\n// Hello greets.\nfunc Hello() {}\n",
		"testdata/bad.go":    "package broken\n\nfunc {\n",
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		target string
		want   string // a part of the error; "" for none
	}{
		{"linux/amd64", ""},
		{"darwin/arm64", "undefined: undefinedName"},
		{"freebsd/amd64", `"strconv" imported and not used`},
		{"dragonfly/amd64", "build constraints exclude all Go files"}, // no file builds sys there
		{"darwin", "not GOOS/GOARCH"},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.target, "/", "-"), func(t *testing.T) {
			err := checkTarget(tt.target, dir)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("checkTarget: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("checkTarget: %v; want an error with %q", err, tt.want)
			case tt.want != "" && strings.Count(err.Error(), "\n") > 0:
				t.Errorf("checkTarget reported the error more than once:\n%v", err)
			}
		})
	}
}
