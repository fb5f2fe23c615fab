package http1

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestStatusTextMatchesNetHTTP: the reason phrases are net/http's, except
// where Apache's differ.
func TestStatusTextMatchesNetHTTP(t *testing.T) {
	apache := map[int]string{414: "Request-URI Too Long"}
	for code := -1; code < 1000; code++ {
		want, ok := apache[code]
		if !ok {
			want = http.StatusText(code)
		}
		if got := StatusText(code); got != want {
			t.Errorf("%d: got %q, want %q", code, got, want)
		}
	}
}

func TestAppendStatusLine(t *testing.T) {
	for _, tc := range []struct {
		major, minor, code int
		want               string
	}{
		{1, 1, 200, "HTTP/1.1 200 OK\r\n"},
		{1, 0, 404, "HTTP/1.1 404 Not Found\r\n"},
		{1, 1, 414, "HTTP/1.1 414 Request-URI Too Long\r\n"},
		{1, 1, 299, "HTTP/1.1 299 \r\n"},
		{1, 1, 42, "HTTP/1.1 500 Internal Server Error\r\n"},
	} {
		if got := string(AppendStatusLine(nil, tc.major, tc.minor, tc.code)); got != tc.want {
			t.Errorf("%d: got %q, want %q", tc.code, got, tc.want)
		}
	}
}

func TestAppendHeader(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  []byte
		want string
	}{
		{"bytes", AppendHeader([]byte("A: 1\r\n"), "Location", []byte("/x")), "A: 1\r\nLocation: /x\r\n"},
		{"CR LF NUL become SP", AppendHeader(nil, "Location", []byte("/x\r\nSet-Cookie: a\x00")), "Location: /x  Set-Cookie: a \r\n"},
		{"HTAB kept, DEL replaced", AppendHeaderString(nil, "X", "a\tb\x7f"), "X: a\tb \r\n"},
		{"string", AppendHeaderString(nil, "Server", "eventmpm"), "Server: eventmpm\r\n"},
		{"int", AppendHeaderInt(nil, "Content-Length", 1234567890123), "Content-Length: 1234567890123\r\n"},
	} {
		if string(tc.got) != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestServerHeader(t *testing.T) {
	for _, tc := range []struct{ tokens, want string }{
		{"Prod", "eventmpm"},
		{"ProductOnly", "eventmpm"},
		{"major", "eventmpm/0"},
		{"Minor", "eventmpm/0.1"},
		{"Min", "eventmpm/0.1.0"},
		{"Minimal", "eventmpm/0.1.0"},
		{"OS", "eventmpm/0.1.0 (Unix)"},
		{"Full", "eventmpm/0.1.0 (Unix)"},
		{"", "eventmpm/0.1.0 (Unix)"},
	} {
		if got := ServerHeader(tc.tokens, "eventmpm", "0.1.0"); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.tokens, got, tc.want)
		}
	}
}

const pageHead = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n"

func TestAppendErrorPage(t *testing.T) {
	sig := ErrorDetail{Signature: "eventmpm/0.1.0 (Unix)", ServerName: []byte("localhost"), Port: 80}
	for _, tc := range []struct {
		name string
		code int
		d    ErrorDetail
		want string
	}{
		{"404 with signature", 404, sig, pageHead + "<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n" +
			"<p>The requested URL was not found on this server.</p>\n" +
			"<hr>\n<address>eventmpm/0.1.0 (Unix) Server at localhost Port 80</address>\n</body></html>\n"},
		{"301 escapes Location", 301, ErrorDetail{Location: []byte(`http://h/a"><script>&`)},
			pageHead + "<title>301 Moved Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n" +
				"<p>The document has moved <a href=\"http://h/a&quot;&gt;&lt;script&gt;&amp;\">here</a>.</p>\n</body></html>\n"},
		{"400 with notes", 400, ErrorDetail{Notes: errFieldTooLong.Reason},
			pageHead + "<title>400 Bad Request</title>\n</head><body>\n<h1>Bad Request</h1>\n" +
				"<p>Your browser sent a request that this server could not understand.<br />\n" +
				"Size of a request header field exceeds server limit.</p>\n</body></html>\n"},
		{"405 escapes the method", 405, ErrorDetail{Method: []byte("<X>")},
			pageHead + "<title>405 Method Not Allowed</title>\n</head><body>\n<h1>Method Not Allowed</h1>\n" +
				"<p>The requested method &lt;X&gt; is not allowed for this URL.</p>\n</body></html>\n"},
		{"413", 413, ErrorDetail{Method: []byte("POST")},
			pageHead + "<title>413 Request Entity Too Large</title>\n</head><body>\n<h1>Request Entity Too Large</h1>\n" +
				"The requested resource does not allow request data with POST requests, or the amount of data provided in\n" +
				"the request exceeds the capacity limit.\n</body></html>\n"},
		{"417 shows the expectation", 417, ErrorDetail{Expect: []byte("x\xe9\x01")},
			pageHead + "<title>417 Expectation Failed</title>\n</head><body>\n<h1>Expectation Failed</h1>\n" +
				"<p>The expectation given in the Expect request-header\nfield could not be met by this server.\n" +
				"The client sent<pre>\n    Expect: x&#233;&#1;\n</pre>\n" +
				"</p><p>Only the 100-continue expectation is supported.</p>\n</body></html>\n"},
		{"417 without Expect", 417, ErrorDetail{},
			pageHead + "<title>417 Expectation Failed</title>\n</head><body>\n<h1>Expectation Failed</h1>\n" +
				"<p>No expectation was seen, the Expect request-header \nfield was not presented by the client.\n" +
				"</p><p>Only the 100-continue expectation is supported.</p>\n</body></html>\n"},
		{"505 uses the default text", 505, ErrorDetail{ServerAdmin: "you@example.com"},
			pageHead + "<title>505 HTTP Version Not Supported</title>\n</head><body>\n<h1>HTTP Version Not Supported</h1>\n" +
				"<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n" +
				"<p>Please contact the server administrator at \n you@example.com to inform them of the time this error occurred,\n" +
				" and the actions you performed just before this error.</p>\n" +
				"<p>More information about this error may be available\nin the server error log.</p>\n</body></html>\n"},
		{"signature with EMail", 403, ErrorDetail{Signature: "eventmpm", ServerName: []byte("h<"), Port: 8080,
			ServerAdmin: "a@b", SignatureEMail: true},
			pageHead + "<title>403 Forbidden</title>\n</head><body>\n<h1>Forbidden</h1>\n" +
				"<p>You don't have permission to access this resource.</p>\n" +
				"<hr>\n<address>eventmpm Server at <a href=\"mailto:a@b\">h&lt;</a> Port 8080</address>\n</body></html>\n"},
		{"no body for 304", 304, sig, ""},
	} {
		if got := string(AppendErrorPage(nil, tc.code, tc.d)); got != tc.want {
			t.Errorf("%s:\n got %q,\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestAppendErrorPageEveryCode checks the shape of every page the server
// may send and that hostile request bytes never come back raw.
func TestAppendErrorPageEveryCode(t *testing.T) {
	evil := []byte(`<script>"&'`)
	d := ErrorDetail{Method: evil, Location: evil, Expect: evil, Notes: string(evil), ServerName: evil, Signature: "s", ServerAdmin: string(evil)}
	for code := 200; code < 600; code++ {
		if code == 204 || code == 304 {
			continue
		}
		page := string(AppendErrorPage(nil, code, d))
		title := code
		if StatusText(code) == "" {
			title = 500
		}
		wantTitle := "<title>" + strconv.Itoa(title) + " " + StatusText(title) + "</title>"
		if !strings.HasPrefix(page, pageHead+wantTitle) || !strings.HasSuffix(page, "</address>\n</body></html>\n") {
			t.Errorf("%d: bad shape: %q", code, page)
		}
		if strings.Contains(page, "<script>") || strings.Contains(page, `"&'`) {
			t.Errorf("%d: request bytes reflected raw: %q", code, page)
		}
	}
}

func TestStatusDropsConnection(t *testing.T) {
	for _, tc := range []struct {
		code int
		want bool
	}{{200, false}, {304, false}, {400, true}, {404, false}, {408, true}, {411, true}, {413, true},
		{414, true}, {417, false}, {500, true}, {501, true}, {503, true}, {505, false}} {
		if got := StatusDropsConnection(tc.code); got != tc.want {
			t.Errorf("%d: got %v, want %v", tc.code, got, tc.want)
		}
	}
}
