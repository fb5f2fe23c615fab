package errorlog_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"eventmpm/internal/errorlog"
)

// fakeRequest is an errorlog.Request with fixed items, keyed by letter and
// argument ("iReferer"), "conn:" before the key for connection lines.
type fakeRequest struct {
	items           map[string]string
	newConn, newReq bool
}

func (f *fakeRequest) ErrorLogItem(letter byte, arg string, conn bool) []byte {
	key := string(letter) + arg
	if conn {
		key = "conn:" + key
	}
	if v, ok := f.items[key]; ok {
		return []byte(v)
	}
	return nil
}

func (f *fakeRequest) NewLogIDs() (conn, req bool) {
	conn, req = f.newConn, f.newReq
	f.newConn, f.newReq = false, false
	return conn, req
}

// Apache's example format from the ErrorLogFormat documentation.
const docFormat = `[%{u}t] [%-m:%l] [pid %P:tid %T] %7F: %E: [client\ %a] %M% ,\ referer\ %{Referer}i`

func TestParseFormat(t *testing.T) {
	tests := []struct {
		format string
		main   bool
		err    string
	}{
		{format: docFormat, main: true},
		{format: "%M", main: true},
		{format: "%M % ", main: true},
		{format: `%{%Y-%m-%d}t %-{X}i %+{Y}i %%`, main: false},
		{format: "%15a %M", main: true},
		{format: "%Y %M", main: true, err: "Unrecognized error log format directive %Y"},
		{format: "no message", main: true, err: "main ErrorLogFormat must contain message format string '%M'"},
		{format: "%{x %M", main: true, err: "Ran off end of error log format parsing args to some directive"},
		{format: "%M %", main: true, err: "Ran off end of error log format parsing args to some directive"},
		{format: "%+a %M", main: true, err: "The '+' flag cannot be used in the main error log format"},
		{format: "%M", main: false, err: "%M cannot be used in once-per-request or once-per-connection formats"},
		{format: "%5a", main: false, err: "The loglevel cannot be used as a condition in once-per-request or once-per-connection formats"},
		{format: "%16a %M", main: true, err: "The specified loglevel modifier is out of range"},
	}
	for _, tt := range tests {
		_, err := errorlog.ParseFormat(tt.format, tt.main)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ParseFormat(%q, %v): %v", tt.format, tt.main, err)
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("ParseFormat(%q, %v) = %v, want %q", tt.format, tt.main, err, tt.err)
		}
	}
}

// formatHandler is a handler with ErrorLogFormat lines, writing to buf.
func formatHandler(t *testing.T, buf *bytes.Buffer, spec errorlog.FormatSpec) *errorlog.Handler {
	t.Helper()
	fs, err := errorlog.CompileFormats(spec)
	if err != nil {
		t.Fatal(err)
	}
	return errorlog.NewHandler(buf, errorlog.Options{PID: 123, Level: errorlog.LevelTrace8, Formats: fs, ServerName: "main.example"})
}

// TestFormatLine checks the main format's items and fields against lines
// Apache 2.4 wrote for the same formats (side by side, 2026-12-07).
func TestFormatLine(t *testing.T) {
	client := errorlog.Client(netip.MustParseAddrPort("127.0.0.1:5555"))
	perm := &os.PathError{Op: "open", Path: "/x", Err: syscall.EACCES}
	req := func(items ...string) slog.Attr {
		m := map[string]string{}
		for i := 0; i+1 < len(items); i += 2 {
			m[items[i]] = items[i+1]
		}
		return errorlog.ReqAttr(&fakeRequest{items: m})
	}
	tests := []struct {
		name   string
		format string
		level  slog.Level
		attrs  []slog.Attr
		want   string
	}{
		{name: "documented example", format: docFormat, level: errorlog.LevelInfo,
			attrs: []slog.Attr{client, errorlog.TID(3), errorlog.Code(128), req("a", "127.0.0.1:5555")},
			want:  "[Wed Nov 25 19:40:00.123456 2026] [core:info] [pid 123:tid 3] [client 127.0.0.1:5555] AH00128: File does not exist: /x\n"},
		{name: "referer and errno", format: docFormat, level: errorlog.LevelError,
			attrs: []slog.Attr{client, errorlog.Module("authz_core"), errorlog.Err(perm), req("iReferer", "http://r/", "a", "127.0.0.1:5555")},
			want: "[Wed Nov 25 19:40:00.123456 2026] [authz_core:error] [pid 123:tid 0] (13)Permission denied: [client 127.0.0.1:5555] " +
				`File does not exist: /x err="open /x: permission denied", referer http://r/` + "\n"},
		{name: "hyphen for an empty item", format: `[%-{X}i] [%-L] %M`, level: errorlog.LevelError,
			want: "[-] [-] File does not exist: /x\n"},
		{name: "an empty item takes back its field, the message too",
			format: `%M|%{X}i|x %-{X}i after`, level: errorlog.LevelError,
			want: " - after\n"},
		// "% " separates fields and writes nothing.
		{name: "level condition", format: `%M% %8{X}i% %7{Y}i`, level: errorlog.LevelDebug,
			attrs: []slog.Attr{req("iX", "x", "iY", "y")},
			want:  "File does not exist: /xy\n"},
		{name: "level condition, more verbose", format: `%M% %8{X}i% %7{Y}i`, level: errorlog.LevelTrace1,
			attrs: []slog.Attr{req("iX", "x", "iY", "y")},
			want:  "File does not exist: /xxy\n"},
		{name: "request items, escaped", format: `%{X}i %e %{E}e %n %v %V %k %L %{c}L %A %a %{c}a %M`, level: errorlog.LevelWarn,
			attrs: []slog.Attr{client, req("iX", "a\nb\\", "eE", "\x01", "n", "note", "v", "vhost", "V", "host", "k", "2",
				"L", "RID", "Lc", "CID", "A", "127.0.0.1:80", "a", "10.0.0.1:0", "ac", "127.0.0.1:5555")},
			want: `a\nb\\ \x01 note vhost host 2 RID CID 127.0.0.1:80 10.0.0.1:0 127.0.0.1:5555 File does not exist: /x` + "\n"},
		{name: "without a request", format: `%v %a %{X}i% %l %m %P %T %%% %M`, level: errorlog.LevelNotice,
			attrs: []slog.Attr{client, errorlog.TID(7), errorlog.Module("mpm_event")},
			want:  "main.example 127.0.0.1:5555notice mpm_event 123 7 %File does not exist: /x\n"},
		{name: "times", format: `%{c}t|%{cu}t|%{m}t|%{cmz}t|%{%Y-%j %H}t|%t %M`, level: errorlog.LevelError,
			want: "2026-11-25 19:40:00|2026-11-25 19:40:00.123456|Wed Nov 25 19:40:00.123 2026|2026-11-25 19:40:00.123 +0100|2026-329 19|Wed Nov 25 19:40:00 2026 File does not exist: /x\n"},
		{name: "literal escapes", format: `a\tb\ c\\%M\n`, level: errorlog.LevelError,
			want: "a\tb c\\File does not exist: /x\n\n"},
		{name: "attributes follow the message", format: `<%M>`, level: errorlog.LevelError,
			attrs: []slog.Attr{slog.String("uri", "/x y")},
			want:  `<File does not exist: /x uri="/x y">` + "\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		h := formatHandler(t, &buf, errorlog.FormatSpec{Main: tt.format})
		r := slog.NewRecord(when, tt.level, "File does not exist: /x", 0)
		r.AddAttrs(tt.attrs...)
		if err := h.Handle(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != tt.want {
			t.Errorf("%s: %q\n got %q\nwant %q", tt.name, tt.format, got, tt.want)
		}
	}
}

// TestFormatOnceLines: the connection's lines come before the first line
// about the connection, the request's before the first line about the
// request, each once; a line without a '+' item is left out; a startup
// line (no time) is Apache's default line whatever the format.
func TestFormatOnceLines(t *testing.T) {
	var buf bytes.Buffer
	h := formatHandler(t, &buf, errorlog.FormatSpec{
		Main:       "%L %M",
		Connection: []string{`conn %{c}L %a`, `never %+{Missing}i`, `%{Missing}i`},
		Request:    []string{`req %L %-{X}i %k`},
	})
	fr := &fakeRequest{items: map[string]string{"L": "R1", "conn:Lc": "C1", "conn:a": "127.0.0.1:9", "k": "0"},
		newConn: true, newReq: true}
	log := func(when time.Time, msg string) {
		r := slog.NewRecord(when, errorlog.LevelError, msg, 0)
		r.AddAttrs(errorlog.ReqAttr(fr))
		if err := h.Handle(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	log(when, "first")
	log(when, "second")
	fr.newReq, fr.items["L"], fr.items["k"], fr.items["iX"] = true, "R2", "1", "x"
	log(when, "next request")
	log(time.Time{}, "startup")
	want := "conn C1 127.0.0.1:9\nreq R1 - 0\nR1 first\nR1 second\nreq R2 x 1\nR2 next request\n" +
		"[core:error] [pid 123:tid 0] startup\n"
	if got := buf.String(); got != want {
		t.Errorf("lines:\n%s\nwant:\n%s", got, want)
	}
}

// TestDefaultLineReferer: Apache's default line ends a request's line with
// its Referer.
func TestDefaultLineReferer(t *testing.T) {
	var buf bytes.Buffer
	h := errorlog.NewHandler(&buf, errorlog.Options{PID: 1})
	fr := &fakeRequest{items: map[string]string{"iReferer": "http://r/\x7f"}, newConn: true, newReq: true}
	r := slog.NewRecord(when, errorlog.LevelError, "denied", 0)
	r.AddAttrs(errorlog.ReqAttr(fr), errorlog.Code(1630))
	if err := h.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	want := `[Wed Nov 25 19:40:00.123456 2026] [core:error] [pid 1:tid 0] AH01630: denied, referer: http://r/\x7f` + "\n"
	if got := buf.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestWithOptions: a handler made with WithOptions writes where its
// parent writes, with its own level and format.
func TestWithOptions(t *testing.T) {
	var buf bytes.Buffer
	h := errorlog.NewHandler(&buf, errorlog.Options{PID: 1})
	fs, err := errorlog.CompileFormats(errorlog.FormatSpec{Main: "vhost: %v %M"})
	if err != nil {
		t.Fatal(err)
	}
	v := h.WithOptions(errorlog.Options{Level: errorlog.LevelInfo, Formats: fs, ServerName: "v.example"})
	r := slog.NewRecord(when, errorlog.LevelInfo, "hello", 0)
	for _, x := range []slog.Handler{h, v} {
		if x.Enabled(context.Background(), r.Level) {
			if err := x.Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got, want := buf.String(), "vhost: v.example hello\n"; got != want {
		t.Errorf("got %q, want %q (the parent at warn writes nothing)", got, want)
	}
}

// FuzzParseFormat: any format either compiles or is refused, and a
// compiled one writes a line without a panic.
func FuzzParseFormat(f *testing.F) {
	for _, s := range []string{docFormat, "%M", `%{c}t %-{X}i %+{Y}i %7F %%% %M\ \t`, "%{%Y}t%M", "% %M% "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, format string) {
		for _, main := range []bool{true, false} {
			fm, err := errorlog.ParseFormat(format, main)
			if err != nil || fm == nil {
				continue
			}
			spec := errorlog.FormatSpec{Main: "%M"}
			if main {
				spec.Main = format
			} else {
				spec.Request = []string{format}
			}
			var buf bytes.Buffer
			h := formatHandler(t, &buf, spec)
			r := slog.NewRecord(when, errorlog.LevelDebug, "msg", 0)
			r.AddAttrs(errorlog.ReqAttr(&fakeRequest{items: map[string]string{"iX": "x"}, newConn: true, newReq: true}))
			if err := h.Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
	})
}
