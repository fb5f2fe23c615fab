package config

import (
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary text to the lexer, the reader and the walker as
// a configuration file. Include is switched off (it would read the whole
// disk). Whatever the input, Load must not panic; a failure must be an
// *Error with a position, or ErrNoListeners; a success must keep the MPM
// invariants of SPEC.md 1.3 and survive a Marshal round trip unchanged.
// Seeds: every configuration of the golden tests and the default one.
func FuzzParse(f *testing.F) {
	f.Add(defaultConf)
	f.Add("Listen 80\n<Macro VHost $name @t>\n<VirtualHost *:80>\nServerName $name\nHeader set X @t\n</VirtualHost>\n</Macro>\n" +
		"Use VHost a \"b c\"\nUndefMacro VHost\n")
	golden, _ := filepath.Glob("testdata/golden/*.txt")
	for _, g := range golden {
		data, err := os.ReadFile(g)
		if err != nil {
			f.Fatal(err)
		}
		if conf, ok := parseArchive(string(data)).lookup("conf/eventmpm.conf"); ok {
			f.Add(conf)
		}
	}
	root := f.TempDir()
	f.Fuzz(func(t *testing.T, data string) {
		cfg, err := fuzzLoad(root, data)
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		checkMPM(t, cfg.MPM)
		b, err := cfg.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		back, err := Unmarshal(b)
		if err != nil {
			t.Fatalf("Unmarshal: %v", err)
		}
		if !reflect.DeepEqual(back, cfg) {
			t.Fatalf("Marshal round trip changed the configuration:\ngot  %+v\nwant %+v", back, cfg)
		}
		cfg.DumpRunConfig(io.Discard)
		cfg.ServerForAddr(netip.MustParseAddr("127.0.0.1"), 80, "www.example.com:80")
	})
}

func fuzzLoad(root, data string) (*Config, error) {
	l, err := newLoader(Options{
		ServerRoot:            root,
		SkipDocumentRootCheck: true,
		LookupEnv:             func(k string) (string, bool) { return "env-" + k, k != "" && k[0] == 'E' },
		Hostname:              func() (string, error) { return "fuzz.example", nil },
		LookupUser:            func(string) (int, error) { return 1000, nil },
		LookupGroup:           func(string) (int, error) { return 1000, nil },
	})
	if err != nil {
		return nil, err
	}
	l.noInclude = true
	return l.load(func(r *reader) ([]*node, error) {
		return r.readData(filepath.Join(root, "fuzz.conf"), data, scope{})
	})
}

func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, ErrNoListeners) {
		return
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("got %T %v, want *Error or ErrNoListeners", err, err)
	}
	if ce.Pos.Line < 1 || ce.Pos.File == "" || ce.Msg == "" {
		t.Fatalf("error without position or message: %#v", ce)
	}
	want := "AH00526: Syntax error on line "
	if ce.Read {
		want = "eventmpm: Syntax error on line "
	}
	if !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %q, want Apache's format, %q...", err.Error(), want)
	}
}

// checkMPM asserts what SPEC.md 1.3 guarantees after clamping, with B=1.
func checkMPM(t *testing.T, m MPM) {
	t.Helper()
	ok := 1 <= m.ServerLimit && m.ServerLimit <= maxServerLimit &&
		1 <= m.ThreadLimit && m.ThreadLimit <= maxThreadLimit &&
		1 <= m.ThreadsPerChild && m.ThreadsPerChild <= m.ThreadLimit &&
		m.MaxRequestWorkers == m.ActiveDaemonsLimit*m.ThreadsPerChild &&
		1 <= m.ActiveDaemonsLimit && m.ActiveDaemonsLimit <= m.ServerLimit &&
		1 <= m.StartServers && m.StartServers <= m.ActiveDaemonsLimit &&
		1 <= m.MinSpareThreads && m.MaxSpareThreads >= m.MinSpareThreads+m.ThreadsPerChild+1 &&
		m.AsyncRequestWorkerFactor >= 1
	if !ok {
		t.Fatalf("MPM limits break SPEC.md 1.3's invariants: %+v", m)
	}
}
