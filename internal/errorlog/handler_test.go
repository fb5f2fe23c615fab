package errorlog_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"eventmpm/internal/errorlog"
)

var zone = time.FixedZone("CET", 3600)

func TestMain(m *testing.M) {
	time.Local = zone
	os.Exit(m.Run())
}

// when is the record time of the table tests.
var when = time.Date(2026, 11, 25, 19, 40, 0, 123456789, zone)

// handle runs one record through a fresh handler and returns the line.
func handle(t *testing.T, opts errorlog.Options, level slog.Level, msg string, attrs ...slog.Attr) string {
	t.Helper()
	var buf bytes.Buffer
	opts.PID = 123
	h := errorlog.NewHandler(&buf, opts)
	r := slog.NewRecord(when, level, msg, 0)
	r.AddAttrs(attrs...)
	if err := h.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestLine(t *testing.T) {
	const ts = "[Wed Nov 25 19:40:00.123456 2026] "
	perm := &os.PathError{Op: "open", Path: "/x", Err: syscall.EACCES}
	tests := []struct {
		name  string
		level slog.Level
		msg   string
		attrs []slog.Attr
		want  string
	}{
		{name: "notice", level: errorlog.LevelNotice, msg: "Apache/2.4 configured -- resuming normal operations",
			attrs: []slog.Attr{errorlog.Module("mpm_event"), errorlog.Code(489)},
			want:  ts + "[mpm_event:notice] [pid 123:tid 0] AH00489: Apache/2.4 configured -- resuming normal operations\n"},
		{name: "client and tid", level: errorlog.LevelError, msg: "File does not exist: /var/www/x",
			attrs: []slog.Attr{errorlog.Client(netip.MustParseAddrPort("127.0.0.1:5555")), errorlog.TID(456), errorlog.Code(35)},
			want:  ts + "[core:error] [pid 123:tid 456] [client 127.0.0.1:5555] AH00035: File does not exist: /var/www/x\n"},
		{name: "ipv6 client", level: errorlog.LevelWarn, msg: "m",
			attrs: []slog.Attr{errorlog.Client(netip.MustParseAddrPort("[2001:db8::1]:80"))},
			want:  ts + "[core:warn] [pid 123:tid 0] [client 2001:db8::1:80] m\n"},
		{name: "net.Addr client", level: errorlog.LevelWarn, msg: "m",
			attrs: []slog.Attr{errorlog.Client(&net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 9})},
			want:  ts + "[core:warn] [pid 123:tid 0] [client 10.0.0.1:9] m\n"},
		{name: "string client and code", level: errorlog.LevelWarn, msg: "m",
			attrs: []slog.Attr{errorlog.Client("10.1.1.1:1"), slog.String(errorlog.CodeKey, "00123")},
			want:  ts + "[core:warn] [pid 123:tid 0] [client 10.1.1.1:1] AH00123: m\n"},
		{name: "errno", level: errorlog.LevelAlert, msg: "could not open",
			attrs: []slog.Attr{errorlog.Err(perm), errorlog.Code(91)},
			want:  ts + `[core:alert] [pid 123:tid 0] (13)Permission denied: AH00091: could not open err="open /x: permission denied"` + "\n"},
		{name: "bare errno", level: errorlog.LevelCrit, msg: "bind",
			attrs: []slog.Attr{errorlog.Err(syscall.EADDRINUSE)},
			want:  ts + "[core:crit] [pid 123:tid 0] (98)Address already in use: bind\n"},
		{name: "other error", level: errorlog.LevelEmerg, msg: "m",
			attrs: []slog.Attr{errorlog.Err(errors.New("boom"))},
			want:  ts + "[core:emerg] [pid 123:tid 0] m err=boom\n"},
		{name: "extra attrs", level: errorlog.LevelInfo, msg: "m",
			attrs: []slog.Attr{slog.Int("n", -1), slog.String("s", "a b"), slog.String("e", ""), slog.Bool("b", true),
				slog.Duration("d", 1500*time.Millisecond), slog.Float64("f", 0.5), slog.Uint64("u", 7),
				slog.Group("g", slog.String("k", `q"\`)), slog.Any("x", []int{1, 2}), slog.String(errorlog.ErrorKey, "text")},
			want: ts + `[core:info] [pid 123:tid 0] m n=-1 s="a b" e="" b=true d=1.5s f=0.5 u=7 g.k="q\"\\" x="[1 2]" err=text` + "\n"},
		{name: "escaping", level: errorlog.LevelError, msg: "a\nb\tc\x00\"é\\",
			attrs: []slog.Attr{slog.String("v", "x\ny")},
			want:  ts + `[core:error] [pid 123:tid 0] a\nb\tc\x00"\xc3\xa9\\ v="x\ny"` + "\n"},
		{name: "nil error and invalid client", level: errorlog.LevelWarn, msg: "m",
			attrs: []slog.Attr{errorlog.Err(nil), errorlog.Client(netip.AddrPort{})},
			want:  ts + "[core:warn] [pid 123:tid 0] m\n"},
		{name: "non-int tid", level: errorlog.LevelWarn, msg: "m", attrs: []slog.Attr{slog.String(errorlog.TIDKey, "w1")},
			want: ts + "[core:warn] [pid 123:tid 0] m tid=w1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := handle(t, errorlog.Options{Level: errorlog.LevelTrace8}, tt.level, tt.msg, tt.attrs...)
			if got != tt.want {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestEveryLevelName(t *testing.T) {
	names := []string{"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug",
		"trace1", "trace2", "trace3", "trace4", "trace5", "trace6", "trace7", "trace8"}
	prev := slog.Level(100)
	for _, name := range names {
		l, err := errorlog.ParseLevel(strings.ToUpper(name))
		if err != nil {
			t.Fatalf("ParseLevel(%q): %v", name, err)
		}
		if l >= prev {
			t.Errorf("%s: got %v, want below %v", name, l, prev)
		}
		prev = l
		got := handle(t, errorlog.Options{Level: errorlog.LevelTrace8}, l, "m", errorlog.Module("x"))
		if want := "[x:" + name + "] "; !strings.Contains(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	}
	tests := []struct {
		level slog.Level
		want  string
	}{
		{level: slog.LevelInfo + 1, want: "info"}, {level: errorlog.LevelTrace8 - 5, want: "trace8"},
		{level: 100, want: "emerg"}, {level: slog.LevelDebug, want: "debug"}, {level: slog.LevelWarn, want: "warn"},
	}
	for _, tt := range tests {
		if got := errorlog.LevelName(tt.level); got != tt.want {
			t.Errorf("LevelName(%v): got %v, want %v", tt.level, got, tt.want)
		}
	}
}

func TestParseLevelError(t *testing.T) {
	_, err := errorlog.ParseLevel("verbose")
	if !errors.Is(err, errorlog.ErrLevel) || !strings.Contains(err.Error(), `"verbose"`) {
		t.Errorf("got %v, want ErrLevel naming the word", err)
	}
}

func TestParseLogLevel(t *testing.T) {
	tests := []struct {
		args    []string
		want    errorlog.LevelSpec
		wantErr bool
	}{
		{args: nil, want: errorlog.LevelSpec{Level: errorlog.LevelWarn}},
		{args: []string{"info"}, want: errorlog.LevelSpec{Level: errorlog.LevelInfo}},
		{args: []string{"warn", "mpm_event:info", "core_module:trace3"}, want: errorlog.LevelSpec{Level: errorlog.LevelWarn,
			Modules: map[string]slog.Level{"mpm_event": errorlog.LevelInfo, "core": errorlog.LevelTrace3}}},
		{args: []string{"ssl:debug", "error"}, want: errorlog.LevelSpec{Level: errorlog.LevelError,
			Modules: map[string]slog.Level{"ssl": errorlog.LevelDebug}}},
		{args: []string{"loud"}, wantErr: true},
		{args: []string{"core:loud"}, wantErr: true},
		{args: []string{":info"}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := errorlog.ParseLogLevel(tt.args...)
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: got error %v, want error %v", tt.args, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%q: got %v, want %v", tt.args, got, tt.want)
		}
	}
}

func TestLevelFiltering(t *testing.T) {
	opts := errorlog.Options{Level: errorlog.LevelWarn, Modules: map[string]slog.Level{"mpm_event": errorlog.LevelDebug}}
	tests := []struct {
		module string
		level  slog.Level
		want   bool
	}{
		{module: "core", level: errorlog.LevelWarn, want: true},
		{module: "core", level: errorlog.LevelInfo, want: false},
		{module: "core", level: errorlog.LevelNotice, want: true}, // Apache always logs notices
		{module: "mpm_event", level: errorlog.LevelDebug, want: true},
		{module: "mpm_event", level: errorlog.LevelTrace1, want: false},
		{module: "", level: errorlog.LevelInfo, want: false},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		l := errorlog.New(&buf, opts)
		if tt.module != "" {
			l = l.With(errorlog.Module(tt.module))
		}
		l.Log(context.Background(), tt.level, "m")
		if got := buf.Len() > 0; got != tt.want {
			t.Errorf("%s at %s: got written %v, want %v", tt.module, errorlog.LevelName(tt.level), got, tt.want)
		}
		// The module given per record filters in Handle.
		buf.Reset()
		errorlog.New(&buf, opts).Log(context.Background(), tt.level, "m", errorlog.Module(tt.module))
		if got := buf.Len() > 0; got != tt.want {
			t.Errorf("%s at %s per record: got written %v, want %v", tt.module, errorlog.LevelName(tt.level), got, tt.want)
		}
	}
}

func TestLevelVar(t *testing.T) {
	var lv slog.LevelVar
	lv.Set(errorlog.LevelError)
	var buf bytes.Buffer
	l := errorlog.New(&buf, errorlog.Options{Level: &lv})
	l.Warn("hidden")
	lv.Set(errorlog.LevelWarn)
	l.Warn("shown")
	if got := buf.String(); strings.Contains(got, "hidden") || !strings.Contains(got, "shown") {
		t.Errorf("got %v, want only the second line", got)
	}
}

// TestRedirect: Redirect moves a handler and the ones derived from it
// (With) to a new writer and new levels, per-module ones included.
func TestRedirect(t *testing.T) {
	var first, second bytes.Buffer
	h := errorlog.NewHandler(&first, errorlog.Options{Level: errorlog.LevelWarn})
	l := slog.New(h)
	derived := l.With(errorlog.Module("mpm_event"))
	l.Info("before, hidden")
	l.Warn("before, shown")
	if old := h.Redirect(&second, errorlog.Options{Level: errorlog.LevelError,
		Modules: map[string]slog.Level{"mpm_event": errorlog.LevelDebug}}); old != &first {
		t.Errorf("Redirect returned %v, want the first writer", old)
	}
	l.Warn("after, hidden")
	l.Error("after, shown")
	derived.Debug("after, derived, shown")
	if got := first.String(); !strings.Contains(got, "before, shown") || strings.Contains(got, "hidden") || strings.Contains(got, "after") {
		t.Errorf("first writer: got %q, want only the line before Redirect at warn", got)
	}
	if got := second.String(); !strings.Contains(got, "after, shown") || !strings.Contains(got, "after, derived, shown") ||
		strings.Contains(got, "hidden") || strings.Contains(got, "before") {
		t.Errorf("second writer: got %q, want the error line and the derived debug line", got)
	}
}

func TestWithAttrsAndSource(t *testing.T) {
	var buf bytes.Buffer
	l := errorlog.New(&buf, errorlog.Options{Level: errorlog.LevelTrace8, PID: 9}).
		With(errorlog.Module("mpm_event"), errorlog.TID(3), slog.String("gen", "2")).
		WithGroup("conn").With(slog.Int("fd", 7))
	l.Debug("accepted", errorlog.Client(netip.MustParseAddrPort("127.0.0.1:1")), slog.Int("n", 1))
	re := regexp.MustCompile(`^\[\w{3} \w{3} \d\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] \[mpm_event:debug\] \[pid 9:tid 3\] ` +
		`handler_test\.go\(\d+\): accepted gen=2 conn\.fd=7 conn\.client=127\.0\.0\.1:1 conn\.n=1\n$`)
	if got := buf.String(); !re.MatchString(got) {
		t.Errorf("got %q, want to match %v", got, re)
	}
}

func TestWriteError(t *testing.T) {
	l := errorlog.NewHandler(failWriter{}, errorlog.Options{})
	r := slog.NewRecord(when, errorlog.LevelError, "m", 0)
	if err := l.Handle(context.Background(), r); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("got %v, want ENOSPC", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

func TestOptionsFor(t *testing.T) {
	o := errorlog.OptionsFor("info mpm_event:debug", errorlog.FormatSpec{}, "")
	if o.Level != errorlog.LevelInfo || o.Modules["mpm_event"] != errorlog.LevelDebug {
		t.Errorf("OptionsFor(info mpm_event:debug) = %+v", o)
	}
	if o := errorlog.OptionsFor("bogus", errorlog.FormatSpec{}, ""); o.Level != errorlog.DefaultLevel {
		t.Errorf("OptionsFor(bogus) level = %v, want the default", o.Level)
	}
}
