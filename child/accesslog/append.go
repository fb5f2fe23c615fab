package accesslog

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// appender writes one item of e; absent values are written as "-".
type appender func(dst []byte, it *item, e *Entry) []byte

// appenders is indexed by op. Each entry is small enough to read alone and
// none allocates.
var appenders = [opCount]appender{
	opRemoteIP:      appendRemote,
	opLocalIP:       func(d []byte, _ *item, e *Entry) []byte { return appendAddr(d, e.Local) },
	opDash:          func(d []byte, _ *item, _ *Entry) []byte { return append(d, '-') },
	opUser:          func(d []byte, _ *item, e *Entry) []byte { return appendString(d, e.User) },
	opTime:          appendTimeItem,
	opRequestLine:   appendRequestLine,
	opStatus:        appendStatus,
	opBodyCLF:       appendBodyCLF,
	opBody:          func(d []byte, _ *item, e *Entry) []byte { return strconv.AppendInt(d, e.BodyBytes, 10) },
	opMicros:        func(d []byte, _ *item, e *Entry) []byte { return strconv.AppendInt(d, e.Duration.Microseconds(), 10) },
	opDuration:      appendDuration,
	opPath:          appendPath,
	opQuery:         appendQuery,
	opMethod:        appendMethod,
	opProto:         appendProto,
	opServerName:    func(d []byte, _ *item, e *Entry) []byte { return appendString(d, e.ServerName) },
	opCanonicalName: appendCanonicalName,
	opPort:          appendPort,
	opPID:           appendPID,
	opKeepAlive:     appendKeepAlive,
	opConnStatus:    func(d []byte, _ *item, e *Entry) []byte { return append(d, e.ConnStatus.Byte()) },
	opBytesIn:       func(d []byte, _ *item, e *Entry) []byte { return strconv.AppendInt(d, e.BytesIn, 10) },
	opBytesOut:      func(d []byte, _ *item, e *Entry) []byte { return strconv.AppendInt(d, e.BytesOut, 10) },
	opBytesTotal:    func(d []byte, _ *item, e *Entry) []byte { return strconv.AppendInt(d, e.BytesIn+e.BytesOut, 10) },
	opHeaderIn:      appendHeaderInItem,
	opHeaderOut:     appendHeaderOutItem,
	opEnv:           appendEnv,
	opTLS:           appendTLS,
	opCookie:        appendCookie,
	opFilename:      func(d []byte, _ *item, e *Entry) []byte { return appendBytes(d, e.Filename) },
	opHandler:       func(d []byte, _ *item, e *Entry) []byte { return appendString(d, e.Handler) },
	opNote:          appendNote,
	opLogID:         func(d []byte, _ *item, e *Entry) []byte { return appendBytes(d, e.LogID) },
}

// Append appends the log line for e to dst and returns the extended
// buffer. The line has no trailing newline ([Buffer] adds it, as Apache's
// logger adds APR_EOL_STR). It does not allocate when dst has room: the
// line's strings are escaped straight into dst and %t copies a cached
// timestamp.
func (f *Format) Append(dst []byte, e *Entry) []byte {
	for i := range f.items {
		it := &f.items[i]
		switch {
		case it.op == opLiteral:
			dst = append(dst, it.text...)
		case it.conds != nil && !it.wanted(e.Status):
			dst = append(dst, '-')
		default:
			dst = appenders[it.op](dst, it, e)
		}
	}
	return dst
}

// wanted reports whether a conditional item is logged for status: when
// the status is in the list, or with '!' when it is not.
func (it *item) wanted(status int) bool {
	in := false
	for _, c := range it.conds {
		if c == status {
			in = true
			break
		}
	}
	return in != it.negate
}

// appendString appends s escaped, or "-" when it is empty.
func appendString(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, '-')
	}
	return appendEscaped(dst, s)
}

// appendBytes appends b escaped, or "-" when it is empty.
func appendBytes(dst []byte, b []byte) []byte {
	if len(b) == 0 {
		return append(dst, '-')
	}
	return appendEscaped(dst, b)
}

// appendRemote is %a and %h: the request's client, or with {c} the
// connection's peer.
func appendRemote(dst []byte, it *item, e *Entry) []byte {
	if it.sub == subPeer && e.Peer.IsValid() {
		return appendAddr(dst, e.Peer)
	}
	return appendAddr(dst, e.Remote)
}

// appendNote is %{Name}n: mod_remoteip's remoteip-proxy-ip-list and
// mod_deflate's DeflateFilterNote notes are the notes eventmpm keeps
// (Apache's notes are named without regard to case).
func appendNote(dst []byte, it *item, e *Entry) []byte {
	if len(e.ProxyIPs) > 0 && strings.EqualFold(it.text, "remoteip-proxy-ip-list") {
		return appendEscaped(dst, e.ProxyIPs)
	}
	if e.GzipNotes != nil && e.GzipIn > 0 {
		switch {
		case e.GzipNotes[0] != "" && strings.EqualFold(it.text, e.GzipNotes[0]):
			return strconv.AppendInt(dst, e.GzipIn, 10)
		case e.GzipNotes[1] != "" && strings.EqualFold(it.text, e.GzipNotes[1]):
			return strconv.AppendInt(dst, e.GzipOut, 10)
		case e.GzipNotes[2] != "" && strings.EqualFold(it.text, e.GzipNotes[2]):
			return strconv.AppendInt(dst, e.GzipOut*100/e.GzipIn, 10)
		}
	}
	return append(dst, '-')
}

// appendAddr appends the IP of ap (IPv4-mapped IPv6 shown as IPv4), or "-".
func appendAddr(dst []byte, ap netip.AddrPort) []byte {
	a := ap.Addr()
	if !a.IsValid() {
		return append(dst, '-')
	}
	return a.Unmap().AppendTo(dst)
}

func appendTimeItem(dst []byte, it *item, e *Entry) []byte {
	if e.Received.IsZero() {
		return append(dst, '-')
	}
	t := e.Received
	if it.end {
		t = t.Add(e.Duration)
	}
	return appendTime(dst, it, t)
}

// appendRequestLine appends %r: the raw request line, escaped, with the
// password of an absolute-form target replaced by [PasswordMask], as
// Apache's log_request_line rebuilds it.
func appendRequestLine(dst []byte, _ *item, e *Entry) []byte {
	r := e.Request
	if r == nil || len(r.Line) == 0 {
		return append(dst, '-')
	}
	if start, end, ok := PasswordSpan(r.Line); ok {
		dst = appendEscaped(dst, r.Line[:start])
		dst = append(dst, PasswordMask...)
		return appendEscaped(dst, r.Line[end:])
	}
	return appendEscaped(dst, r.Line)
}

// PasswordMask is what a password in a request line is shown as: Apache's
// apr_uri_unparse writes it in place of any password, even an empty one.
const PasswordMask = "XXXXXXXX"

// PasswordSpan returns the offsets in a request line ("METHOD target
// HTTP/x.y") of the password of an absolute-form target
// "scheme://user:password@host/...", which may be empty; ok is false when
// the target has none. It reads the line alone, not the parsed target: the
// parser refuses a target with userinfo (400), and a refused request keeps
// only its line. It does not allocate.
func PasswordSpan(line []byte) (start, end int, ok bool) {
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return 0, 0, false
	}
	target := line[sp+1:]
	if j := bytes.IndexByte(target, ' '); j >= 0 {
		target = target[:j]
	}
	i := bytes.Index(target, []byte("://"))
	if i < 0 || !isScheme(target[:i]) {
		return 0, 0, false // not absolute-form: "://" in a path or query
	}
	auth := target[i+3:]
	if j := bytes.IndexAny(auth, "/?#"); j >= 0 {
		auth = auth[:j]
	}
	at := bytes.LastIndexByte(auth, '@')
	if at < 0 {
		return 0, 0, false
	}
	colon := bytes.IndexByte(auth[:at], ':')
	if colon < 0 {
		return 0, 0, false
	}
	off := sp + 1 + i + 3
	return off + colon + 1, off + at, true
}

// isScheme reports whether s is a URI scheme: a letter, then letters,
// digits, '+', '-' and '.' (RFC 3986 3.1).
func isScheme(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for i, c := range s {
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

func appendStatus(dst []byte, it *item, e *Entry) []byte {
	s := e.status(!it.final)
	if s <= 0 {
		return append(dst, '-')
	}
	return strconv.AppendInt(dst, int64(s), 10)
}

func appendBodyCLF(dst []byte, _ *item, e *Entry) []byte {
	if e.BodyBytes <= 0 {
		return append(dst, '-')
	}
	return strconv.AppendInt(dst, e.BodyBytes, 10)
}

func appendDuration(dst []byte, it *item, e *Entry) []byte {
	d := e.Duration
	switch it.sub {
	case subMillis:
		return strconv.AppendInt(dst, d.Milliseconds(), 10)
	case subMicros:
		return strconv.AppendInt(dst, d.Microseconds(), 10)
	default:
		return strconv.AppendInt(dst, int64(d/time.Second), 10)
	}
}

func appendPath(dst []byte, _ *item, e *Entry) []byte {
	switch {
	case len(e.URLPath) > 0:
		dst = appendEscaped(dst, e.URLPath)
	case e.Request == nil || len(e.Request.Path) == 0:
		return append(dst, '-')
	default:
		dst = appendUnescapedPath(dst, e.Request.Path)
	}
	return append(dst, e.Index...)
}

// appendQuery appends %q: "?" and the query when the target has one, else
// nothing (not "-": Apache logs an empty string so "%U%q" works).
func appendQuery(dst []byte, _ *item, e *Entry) []byte {
	r := e.Request
	switch {
	case r == nil, e.QueryRewritten && r.Query == nil, !e.QueryRewritten && bytes.IndexByte(r.Target, '?') < 0:
		return dst
	}
	dst = append(dst, '?')
	return appendEscaped(dst, r.Query)
}

func appendMethod(dst []byte, _ *item, e *Entry) []byte {
	if e.Request == nil {
		return append(dst, '-')
	}
	return appendBytes(dst, e.Request.Method)
}

// appendProto appends %H, or "-" when the version is not known: no
// request line, or one refused before its version was read (the parser
// leaves 0.0; Apache logs its stand-in HTTP/1.0 there).
func appendProto(dst []byte, _ *item, e *Entry) []byte {
	if e.Request == nil {
		return append(dst, '-')
	}
	p := e.Request.Protocol()
	if len(p) == 0 {
		return append(dst, '-')
	}
	return append(dst, p...)
}

// appendCanonicalName appends %V: with UseCanonicalName Off (the default)
// the host the client asked for, lowercased and without its port, else the
// server's name.
func appendCanonicalName(dst []byte, _ *item, e *Entry) []byte {
	if e.Request == nil || len(e.Request.Host) == 0 {
		return appendString(dst, e.ServerName)
	}
	h := hostOnly(e.Request.Host)
	for _, c := range h {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if x := escapeTable[c]; x != 0 {
			dst = appendEscapedByte(dst, c, x)
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

// hostOnly is the host name of a Host value as Apache's fix_hostname
// leaves it for %V: without the port, without an IPv6 literal's brackets
// ("[::1]:80" is ::1) and without a final dot ("example.com." is
// example.com).
func hostOnly(h []byte) []byte {
	if len(h) > 0 && h[0] == '[' {
		if i := bytes.IndexByte(h, ']'); i >= 0 {
			return h[1:i]
		}
		return h
	}
	if i := bytes.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	if n := len(h); n > 0 && h[n-1] == '.' {
		h = h[:n-1]
	}
	return h
}

func appendPort(dst []byte, it *item, e *Entry) []byte {
	var p int
	switch it.sub {
	case subPortLocal:
		p = int(e.Local.Port())
	case subPortRemote:
		p = int(e.Remote.Port())
	default:
		p = e.ServerPort
		if p == 0 {
			p = int(e.Local.Port())
		}
	}
	return strconv.AppendInt(dst, int64(p), 10)
}

// appendKeepAlive appends %k, never less than 0 (Apache's
// log_requests_on_connection).
func appendKeepAlive(dst []byte, _ *item, e *Entry) []byte {
	return strconv.AppendInt(dst, int64(max(e.KeepAliveCount, 0)), 10)
}

func appendPID(dst []byte, it *item, e *Entry) []byte {
	switch it.sub {
	case subTID:
		return strconv.AppendInt(dst, int64(e.TID), 10)
	case subHexTID:
		return strconv.AppendInt(dst, int64(e.TID), 16)
	default:
		return strconv.AppendInt(dst, int64(e.PID), 10)
	}
}

func appendHeaderInItem(dst []byte, it *item, e *Entry) []byte {
	if e.Request == nil {
		return append(dst, '-')
	}
	dst, found := appendHeaderIn(dst, e.Request, it.text)
	if !found {
		return append(dst, '-')
	}
	return dst
}

func appendHeaderOutItem(dst []byte, it *item, e *Entry) []byte {
	v, ok := headerOut(e.RespHead, it.text)
	if !ok {
		return append(dst, '-')
	}
	return appendEscaped(dst, v)
}

func appendEnv(dst []byte, it *item, e *Entry) []byte {
	for i := range e.Env {
		if strings.EqualFold(e.Env[i].Name, it.text) {
			return appendEscaped(dst, e.Env[i].Value)
		}
	}
	return append(dst, '-')
}

func appendTLS(dst []byte, it *item, e *Entry) []byte {
	if e.TLS == nil {
		return append(dst, '-')
	}
	v := e.TLS.TLSVar(strings.ToUpper(it.text))
	if v == "" {
		return append(dst, '-')
	}
	return appendEscaped(dst, []byte(v))
}

func appendCookie(dst []byte, it *item, e *Entry) []byte {
	if e.Request == nil {
		return append(dst, '-')
	}
	v, ok := cookie(e.Request, it.text)
	if !ok {
		return append(dst, '-')
	}
	return appendEscaped(dst, v)
}
