package eventmpm_test

// This test is a statement of policy (STYLE.md section 1 and convention 2):
// it lists which of eventmpm's packages may import which, and which third
// party modules each may use. A new edge needs a reason in its commit.

import (
	"go/build"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const module = "eventmpm"

// allowed maps a package (relative to the module root) to the project
// packages and third-party modules its non-test files may import. The
// standard library is always allowed.
var allowed = map[string][]string{
	// Leaves.
	"config":            {"config/expr", "internal/regex", "internal/errorlog", "internal/strftime"},
	"config/expr":       {"internal/regex"},
	"shm":               {"github.com/edsrzf/mmap-go", "golang.org/x/sys/unix"},
	"ipc":               {"golang.org/x/sys/unix"},
	"child/poll":        {"internal/rawsys", "golang.org/x/sys/unix"},
	"child/http1":       {},
	"internal/errorlog": {"internal/strftime"},
	"internal/version":  {},
	"internal/strftime": {},
	// A build tool (make cross): the standard library only.
	"internal/crosscheck": {},
	"internal/sdnotify":   {"golang.org/x/sys/unix"},
	"internal/rawsys":     {"golang.org/x/sys/unix"},
	// bcrypt checks htpasswd -B hashes (AuthUserFile): see commit 02533c1.
	"internal/passwd": {"golang.org/x/crypto/bcrypt"},
	// regexp2 compiles the patterns RE2 refuses (PCRE's look-arounds,
	// back-references): see the commit that added internal/regex.
	"internal/regex": {"github.com/dlclark/regexp2/v2"},

	// Renderers and pieces of the child.
	"status": {"shm", "internal/version",
		"github.com/prometheus/client_golang/prometheus", "github.com/prometheus/common/expfmt"},
	"child/static":    {"child/http1", "internal/rawsys", "golang.org/x/sys/unix"},
	"child/accesslog": {"child/http1", "internal/strftime"},
	"child/fcgi":      {},

	// The two kinds of process; they meet only through ipc and shm.
	"supervisor": {"config", "shm", "ipc", "internal/errorlog", "internal/version", "internal/sdnotify",
		"golang.org/x/sys/unix"},
	"child": {"config", "config/expr", "shm", "ipc", "status", "child/poll", "child/http1", "child/static", "child/fcgi",
		"child/accesslog", "internal/errorlog", "internal/version", "internal/rawsys", "internal/passwd",
		"internal/regex", "golang.org/x/sys/unix"},

	// Test-only harness.
	"internal/itest": {"shm", "golang.org/x/sys/unix"},

	// The command wires everything.
	"cmd/eventmpm": {"config", "shm", "ipc", "status", "supervisor", "child", "internal/errorlog",
		"internal/version", "internal/sdnotify", "github.com/urfave/cli/v2", "golang.org/x/sys/unix"},
}

func TestDependencyPolicy(t *testing.T) {
	seen := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bench" || name == "bin") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel := filepath.ToSlash(path)
		if rel == "." {
			return nil // the root holds only this test
		}
		seen[rel] = true
		rules, ok := allowed[rel]
		if !ok {
			t.Errorf("package %s is not in the dependency policy; add it to deps_test.go", rel)
			return nil
		}
		checkImports(t, rel, pkg.Imports, rules)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for p := range allowed {
		if !seen[p] {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	for _, p := range missing {
		t.Errorf("policy names package %s, which does not exist", p)
	}
}

func checkImports(t *testing.T, pkg string, imports, rules []string) {
	t.Helper()
	ok := map[string]bool{}
	for _, r := range rules {
		ok[r] = true
	}
	for _, imp := range imports {
		switch {
		case strings.HasPrefix(imp, module+"/"):
			if p := strings.TrimPrefix(imp, module+"/"); !ok[p] {
				t.Errorf("%s imports %s: edge not allowed by the policy", pkg, p)
			}
		case isStandard(imp):
		default:
			if !ok[imp] {
				t.Errorf("%s imports third-party %s: not allowed by the policy", pkg, imp)
			}
		}
	}
}

// isStandard reports whether an import path belongs to the standard library:
// its first element has no dot.
func isStandard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && first != module
}
