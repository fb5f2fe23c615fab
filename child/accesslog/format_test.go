package accesslog_test

import (
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"eventmpm/child/accesslog"
	"eventmpm/child/http1"
)

// The nicknames of the stock httpd.conf (docs/conf/httpd.conf.in).
const (
	common        = `%h %l %u %t "%r" %>s %b`
	combined      = `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`
	combinedio    = `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %I %O`
	vhostCombined = `%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`
	referer       = `%{Referer}i -> %U`
	agent         = `%{User-agent}i`
)

// zone is the local time zone of every test (set in TestMain): the CLF
// example's -0700.
var zone = time.FixedZone("PDT", -7*3600)

func TestMain(m *testing.M) {
	time.Local = zone
	os.Exit(m.Run())
}

// newRequest builds a parsed request the way child/http1 would, all
// slices aliasing line.
func newRequest(line string, headers ...string) *http1.Request {
	b := []byte(line)
	r := &http1.Request{Line: b, ContentLength: -1}
	sp1 := strings.IndexByte(line, ' ')
	sp2 := strings.LastIndexByte(line, ' ')
	r.Method, r.Target = b[:sp1], b[sp1+1:sp2]
	r.Path = r.Target
	if i := strings.IndexByte(string(r.Target), '?'); i >= 0 {
		r.Path, r.Query = r.Target[:i], r.Target[i+1:]
	}
	if i := strings.Index(string(r.Path), "://"); i >= 0 {
		rest := r.Path[i+3:]
		if j := strings.IndexByte(string(rest), '/'); j >= 0 {
			r.Path = rest[j:]
		}
	}
	r.ProtoMajor, r.ProtoMinor = 1, int(line[len(line)-1]-'0')
	for i := 0; i+1 < len(headers); i += 2 {
		h := http1.Header{Name: []byte(headers[i]), Value: []byte(headers[i+1])}
		r.Headers = append(r.Headers, h)
		if http1.EqualFold(h.Name, "Host") {
			r.Host = h.Value
		}
	}
	return r
}

// newEntry is the request of the CLF example in SPEC 5.5.
func newEntry() *accesslog.Entry {
	return &accesslog.Entry{
		Request: newRequest("GET /apache_pb.gif HTTP/1.0",
			"Host", "www.example.com",
			"Referer", "http://www.example.com/start.html",
			"User-Agent", "Mozilla/4.08 [en] (Win98; I ;Nav)"),
		Remote:         netip.MustParseAddrPort("127.0.0.1:5555"),
		Local:          netip.MustParseAddrPort("127.0.0.2:80"),
		Status:         200,
		BodyBytes:      2326,
		BytesIn:        120,
		BytesOut:       2511,
		Received:       time.Date(2000, 10, 10, 13, 55, 36, 123456789, zone),
		Duration:       1500*time.Millisecond + 250*time.Microsecond,
		ServerName:     "www.example.com",
		ServerPort:     80,
		PID:            4242,
		TID:            31,
		RespHead:       []byte("HTTP/1.0 200 OK\r\nContent-Type: image/gif\r\nContent-Length: 2326\r\nX-Pad:  a b \r\n\r\n"),
		KeepAliveCount: 2,
		ConnStatus:     accesslog.ConnKeepAlive,
		Filename:       []byte("/usr/local/apache/htdocs/apache_pb.gif"),
		User:           "frank",
		Handler:        "static",
		Env:            []accesslog.Var{{Name: "UNIQUE_ID", Value: []byte("abc")}},
	}
}

func format(t *testing.T, f string, e *accesslog.Entry) string {
	t.Helper()
	c, err := accesslog.Compile(f)
	if err != nil {
		t.Fatalf("Compile(%q): %v", f, err)
	}
	return string(c.Append(nil, e))
}

func TestNicknames(t *testing.T) {
	const clf = `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`
	const refAgent = ` "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`
	tests := []struct {
		name, format, want string
	}{
		{name: "common", format: common, want: clf},
		{name: "combined", format: combined, want: clf + refAgent},
		{name: "combinedio", format: combinedio, want: clf + refAgent + " 120 2511"},
		{name: "vhost_combined", format: vhostCombined,
			want: `www.example.com:80 127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2511` + refAgent},
		{name: "referer", format: referer, want: "http://www.example.com/start.html -> /apache_pb.gif"},
		{name: "agent", format: agent, want: "Mozilla/4.08 [en] (Win98; I ;Nav)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := format(t, tt.format, newEntry()); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDirectives(t *testing.T) {
	tests := []struct {
		format string
		edit   func(e *accesslog.Entry)
		want   string
	}{
		{format: "%%", want: "%"},
		{format: "100%% %h", want: "100% 127.0.0.1"},
		{format: "%h", edit: func(e *accesslog.Entry) { e.Remote = netip.MustParseAddrPort("[::ffff:10.0.0.1]:1") }, want: "10.0.0.1"},
		{format: "%a", edit: func(e *accesslog.Entry) { e.Remote = netip.MustParseAddrPort("[2001:db8::1]:1") }, want: "2001:db8::1"},
		{format: "%{c}a %{c}h", want: "127.0.0.1 127.0.0.1"},
		{format: "%h", edit: func(e *accesslog.Entry) { e.Remote = netip.AddrPort{} }, want: "-"},
		{format: "%A", want: "127.0.0.2"},
		{format: "%l", want: "-"},
		{format: "%u", want: "frank"},
		{format: "%u", edit: func(e *accesslog.Entry) { e.User = "" }, want: "-"},
		{format: "%t", want: "[10/Oct/2000:13:55:36 -0700]"},
		{format: "%{end:}t", want: "[10/Oct/2000:13:55:37 -0700]"},
		{format: "%{begin:}t", want: "[10/Oct/2000:13:55:36 -0700]"},
		{format: "%t", edit: func(e *accesslog.Entry) { e.Received = e.Received.UTC() }, want: "[10/Oct/2000:13:55:36 -0700]"},
		{format: "%t", edit: func(e *accesslog.Entry) { e.Received = time.Time{} }, want: "-"},
		{format: "%{%d/%b/%Y:%H:%M:%S %z}t", want: "10/Oct/2000:13:55:36 -0700"},
		{format: "%{end:%H:%M:%S}t", want: "13:55:37"},
		{format: "%{sec}t", want: "971211336"},
		{format: "%{msec}t", want: "971211336123"},
		{format: "%{usec}t", want: "971211336123456"},
		{format: "%{msec_frac}t", want: "123"},
		{format: "%{usec_frac}t", want: "123456"},
		{format: "%{end:msec_frac}t", want: "623"},
		{format: "%{begin:usec}t", want: "971211336123456"},
		{format: "%r", want: "GET /apache_pb.gif HTTP/1.0"},
		{format: "%s %>s %<s", edit: func(e *accesslog.Entry) { e.OriginalStatus = 302 }, want: "302 200 302"},
		{format: "%s", want: "200"},
		{format: "%s", edit: func(e *accesslog.Entry) { e.Status = 0 }, want: "-"},
		{format: "%b %B", want: "2326 2326"},
		{format: "%b %B", edit: func(e *accesslog.Entry) { e.BodyBytes = 0 }, want: "- 0"},
		{format: "%D", want: "1500250"},
		{format: "%T %{s}T %{ms}T %{us}T %{MS}T", want: "1 1 1500 1500250 1500"},
		{format: "%U", want: "/apache_pb.gif"},
		{format: "%q", want: ""},
		{format: "%U%q", edit: func(e *accesslog.Entry) { e.Request = newRequest("GET /a/b?x=1&y=%20 HTTP/1.1") }, want: "/a/b?x=1&y=%20"},
		{format: "%q", edit: func(e *accesslog.Entry) { e.Request = newRequest("GET /a? HTTP/1.1") }, want: "?"},
		{format: "%m %H", want: "GET HTTP/1.0"},
		{format: "%v", want: "www.example.com"},
		{format: "%v", edit: func(e *accesslog.Entry) { e.ServerName = "" }, want: "-"},
		{format: "%V", edit: func(e *accesslog.Entry) { e.Request = newRequest("GET / HTTP/1.1", "Host", "Example.ORG:8080") }, want: "example.org"},
		{format: "%V", edit: func(e *accesslog.Entry) { e.Request = newRequest("GET / HTTP/1.1", "Host", "[::1]:8080") }, want: "::1"},
		{format: "%V", edit: func(e *accesslog.Entry) { e.Request = newRequest("GET / HTTP/1.1", "Host", "WWW.Example.ORG.") }, want: "www.example.org"},
		{format: "%V", edit: func(e *accesslog.Entry) { e.Request = newRequest("GET / HTTP/1.0") }, want: "www.example.com"},
		{format: "%p %{canonical}p %{local}p %{remote}p", edit: func(e *accesslog.Entry) { e.ServerPort = 8080 }, want: "8080 8080 80 5555"},
		{format: "%p", edit: func(e *accesslog.Entry) { e.ServerPort = 0 }, want: "80"},
		{format: "%P %{pid}P %{tid}P %{hextid}P", want: "4242 4242 31 1f"},
		{format: "%k", want: "2"},
		{format: "%X", want: "+"},
		{format: "%X", edit: func(e *accesslog.Entry) { e.ConnStatus = accesslog.ConnAborted }, want: "X"},
		{format: "%X", edit: func(e *accesslog.Entry) { e.ConnStatus = accesslog.ConnClose }, want: "-"},
		{format: "%I %O %S", want: "120 2511 2631"},
		{format: "%{referer}i|%{REFERER}i", want: "http://www.example.com/start.html|http://www.example.com/start.html"},
		{format: "%{X-Missing}i", want: "-"},
		{format: "%{Accept}i", edit: func(e *accesslog.Entry) {
			e.Request = newRequest("GET / HTTP/1.1", "Accept", "text/html", "accept", "*/*")
		}, want: "text/html, */*"},
		{format: "[%{X-Empty}i]", edit: func(e *accesslog.Entry) { e.Request = newRequest("GET / HTTP/1.1", "X-Empty", "") }, want: "[]"},
		{format: "%{Content-Type}o %{content-length}o [%{X-Pad}o] %{Server}o", want: "image/gif 2326 [a b] -"},
		{format: "%{Content-Type}o", edit: func(e *accesslog.Entry) {
			e.RespHead = []byte("HTTP/1.1 200 OK\nContent-Type: text/plain\n\nContent-Type: body")
		}, want: "text/plain"},
		{format: "%{Content-Type}o", edit: func(e *accesslog.Entry) { e.RespHead = nil }, want: "-"},
		{format: "%{UNIQUE_ID}e %{unique_id}e %{NOPE}e", want: "abc abc -"},
		{format: "%{sid}C %{theme}C %{none}C %{empty}C", edit: func(e *accesslog.Entry) {
			e.Request = newRequest("GET / HTTP/1.1", "Cookie", "empty=; SID=s1 ; theme = dark", "Cookie", "x=1")
		}, want: "s1 dark - -"},
		{format: "%f", want: "/usr/local/apache/htdocs/apache_pb.gif"},
		{format: "%R", want: "static"},
		{format: "%{note}n %L %{X}^ti %{X}^to %^FB", want: "- - - - -"},
		{format: `\n\t\"\\\q`, want: "\n\t\"\\\\q"},
		{format: `%h\`, want: `127.0.0.1\`},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			e := newEntry()
			if tt.edit != nil {
				tt.edit(e)
			}
			if got := format(t, tt.format, e); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConditions(t *testing.T) {
	tests := []struct {
		format string
		status int
		want   string
	}{
		{format: "%400,501{User-Agent}i", status: 400, want: "Mozilla/4.08 [en] (Win98; I ;Nav)"},
		{format: "%400,501{User-Agent}i", status: 501, want: "Mozilla/4.08 [en] (Win98; I ;Nav)"},
		{format: "%400,501{User-Agent}i", status: 200, want: "-"},
		{format: "%!200,304,302{Referer}i", status: 200, want: "-"},
		{format: "%!200,304,302{Referer}i", status: 404, want: "http://www.example.com/start.html"},
		{format: "%{Referer}!200i", status: 200, want: "-"},
		{format: "%404>s", status: 404, want: "404"},
		{format: "%!!404>s", status: 404, want: "404"},
		{format: "%500u", status: 200, want: "-"},
		{format: "%!u", status: 200, want: "frank"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			e := newEntry()
			e.Status = tt.status
			if got := format(t, tt.format, e); got != tt.want {
				t.Errorf("status %d: got %q, want %q", tt.status, got, tt.want)
			}
		})
	}
}

func TestEscaping(t *testing.T) {
	tests := []struct {
		name, format string
		edit         func(e *accesslog.Entry)
		want         string
	}{
		{name: "request line controls", format: "%r",
			edit: func(e *accesslog.Entry) { e.Request = newRequest("GET /a\x01\x7f\b\v\r HTTP/1.1") },
			want: `GET /a\x01\x7f\b\v\r HTTP/1.1`},
		{name: "quotes and backslashes", format: `"%r"`,
			edit: func(e *accesslog.Entry) { e.Request = newRequest(`GET /"x"\y HTTP/1.1`) },
			want: `"GET /\"x\"\\y HTTP/1.1"`},
		{name: "utf-8 bytes", format: "%r",
			edit: func(e *accesslog.Entry) { e.Request = newRequest("GET /café HTTP/1.1") },
			want: `GET /caf\xc3\xa9 HTTP/1.1`},
		{name: "header newline and tab", format: "%{User-Agent}i",
			edit: func(e *accesslog.Entry) { e.Request = newRequest("GET / HTTP/1.1", "User-Agent", "a\nb\tc\"d\xff") },
			want: `a\nb\tc\"d\xff`},
		{name: "response header", format: "%{X}o",
			edit: func(e *accesslog.Entry) { e.RespHead = []byte("HTTP/1.1 200 OK\r\nX: \"q\"\x1b\r\n\r\n") },
			want: `\"q\"\x1b`},
		{name: "user", format: "%u", edit: func(e *accesslog.Entry) { e.User = "a\"b\\c\x00" }, want: `a\"b\\c\x00`},
		{name: "path is decoded then escaped", format: "%U",
			edit: func(e *accesslog.Entry) { e.Request = newRequest("GET /caf%C3%A9%20x%0a%zz%2 HTTP/1.1") },
			want: `/caf\xc3\xa9 x\n%zz%2`},
		{name: "query is not decoded", format: "%q",
			edit: func(e *accesslog.Entry) { e.Request = newRequest("GET /?a=%22\"\x80 HTTP/1.1") },
			want: `?a=%22\"\x80`},
		{name: "method", format: "%m", edit: func(e *accesslog.Entry) { e.Request = newRequest("G\"T / HTTP/1.1") }, want: `G\"T`},
		{name: "env and filename", format: "%{V}e %f", edit: func(e *accesslog.Entry) {
			e.Env = []accesslog.Var{{Name: "V", Value: []byte("\t")}}
			e.Filename = []byte("/x\ny")
		}, want: `\t /x\ny`},
		{name: "password masked", format: "%r",
			edit: func(e *accesslog.Entry) { e.Request = newRequest("GET http://u:secret@h/p?q HTTP/1.1") },
			want: "GET http://u:XXXXXXXX@h/p?q HTTP/1.1"},
		{name: "user without password kept", format: "%r",
			edit: func(e *accesslog.Entry) { e.Request = newRequest("GET http://u@h/p HTTP/1.1") },
			want: "GET http://u@h/p HTTP/1.1"},
		// The parser refuses userinfo (400) and a refused request keeps
		// only its line: the password is found in the line.
		{name: "password masked in a refused request", format: "%r",
			edit: func(e *accesslog.Entry) {
				e.Request = &http1.Request{Line: []byte("GET http://u:p@localhost/ten.txt HTTP/1.1"), ContentLength: -1}
			},
			want: "GET http://u:XXXXXXXX@localhost/ten.txt HTTP/1.1"},
		{name: "empty password masked", format: "%r",
			edit: func(e *accesslog.Entry) { e.Request = newRequest("GET http://u:@h/ HTTP/1.1") },
			want: "GET http://u:XXXXXXXX@h/ HTTP/1.1"},
		{name: "masked password, rest escaped", format: "%r",
			edit: func(e *accesslog.Entry) {
				e.Request = &http1.Request{Line: []byte("GET\x01 https://a\":b\"@h/\"x HTTP/1.1"), ContentLength: -1}
			},
			want: `GET\x01 https://a\":XXXXXXXX@h/\"x HTTP/1.1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEntry()
			tt.edit(e)
			if got := format(t, tt.format, e); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPasswordSpan(t *testing.T) {
	for _, tc := range []struct {
		line, want string // want: the password, or "none"
	}{
		{line: "GET http://u:pw@h/p HTTP/1.1", want: "pw"},
		{line: "GET http://u:@h/p HTTP/1.1", want: ""},
		{line: "GET http://u:a:b@c@h HTTP/1.1", want: "a:b@c"},
		{line: "GET http://u:pw@h", want: "pw"}, // HTTP/0.9 form, or a line cut at LimitRequestLine
		{line: "GET http://u@h/p HTTP/1.1", want: "none"},
		{line: "GET http://h/a:b@c HTTP/1.1", want: "none"},
		{line: "GET /a?u=http://x:y@z HTTP/1.1", want: "none"},
		{line: "GET http://h/p HTTP/1.1 x://u:p@h", want: "none"}, // only the target counts
		{line: "GARBAGE", want: "none"},
		{line: "", want: "none"},
	} {
		start, end, ok := accesslog.PasswordSpan([]byte(tc.line))
		got := "none"
		if ok {
			got = tc.line[start:end]
		}
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.line, got, tc.want)
		}
	}
}

// TestRefusedRequest: a request refused at parse time logs what the
// parser read of it and "-" for the rest: a version it could not read is
// "-", not "HTTP/0.0"; a line cut at LimitRequestLine (414) has no method.
// %k is never negative, whatever the Entry says.
func TestRefusedRequest(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  *http1.Request
		want string
	}{
		{name: "bad version", req: &http1.Request{Line: []byte("GET /a HTTP/1.x"), Method: []byte("GET")},
			want: `"GET /a HTTP/1.x" GET - [] - -`},
		{name: "line cut at the limit", req: &http1.Request{Line: []byte("GET /aaaa")},
			want: `"GET /aaaa" - - [] - -`},
		{name: "no Host", req: &http1.Request{Line: []byte("GET /a?b HTTP/1.1"), Method: []byte("GET"),
			Target: []byte("/a?b"), Path: []byte("/a"), Query: []byte("b"), ProtoMajor: 1, ProtoMinor: 1,
			Headers: []http1.Header{{Name: []byte("X-A"), Value: []byte("1")}}},
			want: `"GET /a?b HTTP/1.1" GET /a [?b] HTTP/1.1 1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &accesslog.Entry{Request: tc.req, Status: 400, KeepAliveCount: -1}
			if got := format(t, `"%r" %m %U [%q] %H %{X-A}i %k`, e); got != tc.want+" 0" {
				t.Errorf("got %v, want %v", got, tc.want+" 0")
			}
		})
	}
}

func TestNoRequest(t *testing.T) {
	// A 408 on a connection that never sent a request line.
	e := &accesslog.Entry{
		Remote:   netip.MustParseAddrPort("192.0.2.7:40000"),
		Status:   408,
		Received: time.Date(2000, 10, 10, 13, 55, 36, 0, zone),
	}
	tests := []struct{ format, want string }{
		{format: common, want: `192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "-" 408 -`},
		{format: combined, want: `192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "-" 408 - "-" "-"`},
		{format: "%m %U [%q] %H %{Cookie}C %V %f %R %{x}o", want: "- - [] - - - - - -"},
	}
	for _, tt := range tests {
		if got := format(t, tt.format, e); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.format, got, tt.want)
		}
	}
}

func TestStrftime(t *testing.T) {
	// Tuesday 10 Oct 2000, day 284, ISO week 41; 3 Jan 2021 is a Sunday in
	// ISO week 53 of 2020.
	tests := []struct {
		received time.Time
		format   string
		want     string
	}{
		{format: "%a %A %b %h %B %C %d %e %j %m %y %Y", want: "Tue Tuesday Oct Oct October 20 10 10 284 10 00 2000"},
		{format: "%H %I %k %l %M %S %p %s", want: "13 01 13  1 55 36 PM 971211336"},
		{format: "%u %w %U %W %V %G %g", want: "2 2 41 41 41 2000 00"},
		{format: "%c|%D|%F|%r|%R|%T|%x|%X", want: "Tue Oct 10 13:55:36 2000|10/10/00|2000-10-10|01:55:36 PM|13:55|13:55:36|10/10/00|13:55:36"},
		{format: "%z %Z %% %n%t %Q %", want: "-0700 PDT % \n\t %Q %"},
		{received: time.Date(2021, 1, 3, 0, 5, 0, 0, zone), format: "%e %I %l %p %u %U %W %V %G %j", want: " 3 12 12 AM 7 01 00 53 2020 003"},
	}
	for _, tt := range tests {
		e := newEntry()
		if !tt.received.IsZero() {
			e.Received = tt.received
		}
		if got := format(t, "%{"+tt.format+"}t", e); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.format, got, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		format string
		offset int
		want   string
	}{
		{format: "%h %Y", offset: 3, want: "Unrecognized LogFormat directive %Y"},
		{format: "%{Referer}Y", offset: 0, want: "Unrecognized LogFormat directive %Y"},
		{format: "%^xy", offset: 0, want: "Unrecognized LogFormat directive %^"},
		{format: "abc %", offset: 4, want: "Ran off end of LogFormat parsing args to some directive"},
		{format: "%400,501", offset: 0, want: "Ran off end of LogFormat parsing args to some directive"},
		{format: "%{Referer", offset: 0, want: "missing '}' in LogFormat directive %{Referer"},
		{format: "%{min}T", offset: 0, want: "unknown argument {min} in LogFormat directive %{min}T"},
		{format: "%{thread}P", offset: 0, want: "unknown argument {thread} in LogFormat directive %{thread}P"},
		{format: "%{public}p", offset: 0, want: "unknown argument {public} in LogFormat directive %{public}p"},
		{format: "x %i", offset: 2, want: "missing {name} argument in LogFormat directive %i"},
		{format: "%{}o", offset: 0, want: "missing {name} argument in LogFormat directive %{}o"},
	}
	for _, tt := range tests {
		_, err := accesslog.Compile(tt.format)
		var se *accesslog.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Compile(%q): got %v, want a *SyntaxError", tt.format, err)
			continue
		}
		if se.Error() != tt.want || se.Offset != tt.offset {
			t.Errorf("Compile(%q): got %q at %d, want %q at %d", tt.format, se.Error(), se.Offset, tt.want, tt.offset)
		}
	}
}

func TestFormatString(t *testing.T) {
	f := accesslog.MustCompile(combined)
	if got := f.String(); got != combined {
		t.Errorf("got %v, want %v", got, combined)
	}
}

func TestMustCompilePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("got no panic, want one")
		}
	}()
	accesslog.MustCompile("%Y")
}
