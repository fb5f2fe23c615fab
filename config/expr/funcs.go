package expr

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// headerVars are the variables that read a request header field, with the
// field they read (util_expr_eval.c's req_header_var_names).
var headerVars = map[string]string{
	"HTTP_ACCEPT":           "Accept",
	"HTTP_COOKIE":           "Cookie",
	"HTTP_FORWARDED":        "Forwarded",
	"HTTP_HOST":             "Host",
	"HTTP_PROXY_CONNECTION": "Proxy-Connection",
	"HTTP_REFERER":          "Referer",
	"HTTP_USER_AGENT":       "User-Agent",
}

// Vars are the variables Request.Var answers: Apache's request, connection
// and server variables that eventmpm has (the TIME_ ones are computed
// here). A name outside these and headerVars is refused at parse time.
var Vars = []string{
	"REQUEST_METHOD", "REQUEST_SCHEME", "REQUEST_URI", "REQUEST_FILENAME", "REMOTE_HOST", "REMOTE_IDENT",
	"REMOTE_USER", "SERVER_ADMIN", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "SCRIPT_FILENAME",
	"PATH_INFO", "QUERY_STRING", "IS_SUBREQ", "DOCUMENT_ROOT", "AUTH_TYPE", "THE_REQUEST", "CONTENT_TYPE",
	"HANDLER", "REQUEST_LOG_ID", "SCRIPT_USER", "SCRIPT_GROUP", "DOCUMENT_URI", "LAST_MODIFIED",
	"CONTEXT_PREFIX", "CONTEXT_DOCUMENT_ROOT", "REQUEST_STATUS", "REMOTE_ADDR", "REMOTE_PORT",
	"HTTPS", "IPV6", "HTTP2", "CONN_LOG_ID", "CONN_REMOTE_ADDR", "SERVER_SOFTWARE", "API_VERSION",
	// mod_ssl's, "" on a plain connection.
	"SSL_VERSION_INTERFACE", "SSL_VERSION_LIBRARY", "SSL_PROTOCOL", "SSL_SECURE_RENEG", "SSL_COMPRESS_METHOD",
	"SSL_CIPHER", "SSL_CIPHER_EXPORT", "SSL_CIPHER_USEKEYSIZE", "SSL_CIPHER_ALGKEYSIZE", "SSL_CLIENT_VERIFY",
	"SSL_SERVER_M_VERSION", "SSL_SERVER_M_SERIAL", "SSL_SERVER_V_START", "SSL_SERVER_V_END", "SSL_SERVER_S_DN",
	"SSL_SERVER_I_DN", "SSL_SERVER_A_KEY", "SSL_SERVER_A_SIG", "SSL_SESSION_RESUMED", "SSL_TLS_SNI", "SSL_SERVER_CERT",
}

// SSLEnvVars are the mod_ssl variables SSLOptions +StdEnvVars gives CGI
// and FastCGI programs (mod_ssl's ssl_hook_Fixup_vars that eventmpm has
// a value for).
var SSLEnvVars = Vars[slices.Index(Vars, "SSL_VERSION_INTERFACE"):slices.Index(Vars, "SSL_SERVER_CERT")]

var varSet = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range Vars {
		m[v] = true
	}
	return m
}()

// timeVars are the TIME_ variables, from the local time (apr_time_exp_lt).
var timeVars = map[string]func(time.Time) string{
	"TIME_YEAR": func(t time.Time) string { return strconv.Itoa(t.Year()) },
	"TIME_MON":  func(t time.Time) string { return fmt.Sprintf("%02d", int(t.Month())) },
	"TIME_DAY":  func(t time.Time) string { return fmt.Sprintf("%02d", t.Day()) },
	"TIME_HOUR": func(t time.Time) string { return fmt.Sprintf("%02d", t.Hour()) },
	"TIME_MIN":  func(t time.Time) string { return fmt.Sprintf("%02d", t.Minute()) },
	"TIME_SEC":  func(t time.Time) string { return fmt.Sprintf("%02d", t.Second()) },
	"TIME_WDAY": func(t time.Time) string { return strconv.Itoa(int(t.Weekday())) },
	"TIME":      func(t time.Time) string { return t.Format("20060102150405") },
}

// TimeVar returns the TIME_ variable name (TIME_YEAR ... TIME) for t, as
// mod_rewrite reads it too; ok is false for another name.
func TimeVar(name string, t time.Time) (value string, ok bool) {
	if f, found := timeVars[name]; found {
		return f(t), true
	}
	return "", false
}

// lookupVar resolves %{NAME}, case-insensitively as Apache does.
func lookupVar(name string) (word, error) {
	upper := strings.ToUpper(name)
	if field, ok := headerVars[upper]; ok {
		return headerVar{field: field}, nil
	}
	if f, ok := timeVars[upper]; ok {
		return timeVar(f), nil
	}
	if varSet[upper] || strings.HasPrefix(upper, "SSL_CLIENT_") || strings.HasPrefix(upper, "SSL_SERVER_") {
		return requestVar(upper), nil // mod_ssl's certificate variables, DN parts included (SSL_CLIENT_S_DN_CN)
	}
	return nil, errorf("Variable '%s' does not exist", name)
}

// headerVar is an HTTP_* variable. Apache names the field in Vary, but for
// Host (RFC 7231 7.1.4).
type headerVar struct{ field string }

func (h headerVar) value(s *state) string {
	return s.r.Header(h.field, h.field != "Host")
}

type timeVar func(time.Time) string

func (t timeVar) value(*state) string { return t(time.Now()) }

type requestVar string

func (v requestVar) value(s *state) string { return s.r.Var(string(v)) }

// function is one of Apache's string functions.
type function func(s *state, arg string) string

// funcs are the string functions (util_expr_eval.c's
// string_func_providers), by lowercase name.
var funcs = map[string]function{
	"req":        func(s *state, a string) string { return s.r.Header(a, true) },
	"http":       func(s *state, a string) string { return s.r.Header(a, true) },
	"req_novary": func(s *state, a string) string { return s.r.Header(a, false) },
	"resp":       func(s *state, a string) string { return s.r.ResponseHeader(a) },
	"reqenv":     func(s *state, a string) string { v, _ := s.r.Env(a); return v },
	"osenv":      func(_ *state, a string) string { return os.Getenv(a) },
	"note":       func(*state, string) string { return "" }, // eventmpm keeps no request notes
	"env":        envFunc,
	"tolower":    func(_ *state, a string) string { return strings.ToLower(a) },
	"toupper":    func(_ *state, a string) string { return strings.ToUpper(a) },
	"escape":     func(_ *state, a string) string { return escapePath(a) },
	"unescape":   func(_ *state, a string) string { return unescape(a) },
	"base64":     func(_ *state, a string) string { return base64.StdEncoding.EncodeToString([]byte(a)) },
	"unbase64":   func(_ *state, a string) string { b, _ := base64.StdEncoding.DecodeString(a); return string(b) },
	"md5":        func(_ *state, a string) string { sum := md5.Sum([]byte(a)); return hex.EncodeToString(sum[:]) },
	"sha1":       func(_ *state, a string) string { sum := sha1.Sum([]byte(a)); return hex.EncodeToString(sum[:]) },
	"file":       fileFunc,
	"filesize":   fileSizeFunc,
	"filemod":    fileModFunc,
}

// envFunc is env(): a request note, else the request's environment, else
// the process's.
func envFunc(s *state, a string) string {
	if v, ok := s.r.Env(a); ok {
		return v
	}
	return os.Getenv(a)
}

func fileFunc(_ *state, name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return ""
	}
	return string(b)
}

func fileSizeFunc(_ *state, name string) string {
	fi, err := os.Stat(name)
	if err != nil || !fi.Mode().IsRegular() {
		return "0"
	}
	return strconv.FormatInt(fi.Size(), 10)
}

func fileModFunc(_ *state, name string) string {
	fi, err := os.Stat(name)
	if err != nil || !fi.Mode().IsRegular() {
		return "0"
	}
	return strconv.FormatInt(fi.ModTime().Unix(), 10)
}

// lookupFunc finds a function by name, case-insensitively.
func lookupFunc(name string) (function, error) {
	if f, ok := funcs[strings.ToLower(name)]; ok {
		return f, nil
	}
	return nil, errorf("Function '%s' does not exist", name)
}

// call is func(word) or %{func:argument}.
type call struct {
	name string
	fn   function
	arg  word
}

func (c *call) value(s *state) string { return c.fn(s, c.arg.value(s)) }

// EscapePath is ap_escape_uri, as ap_expr's escape() and mod_rewrite's
// int:escape map apply it.
func EscapePath(s string) string { return escapePath(s) }

// Unescape decodes %xx sequences, as ap_expr's unescape() and mod_rewrite's
// int:unescape map.
func Unescape(s string) string { return unescape(s) }

// escapePath is ap_escape_uri: every byte but letters, digits and
// $-_.+!*'(),:;@&=/~ becomes %xx.
func escapePath(s string) string {
	const hexDigits = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isIdentChar(c) && c != '_' || strings.IndexByte("$-_.+!*'(),:;@&=/~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// unescape decodes %xx sequences; a malformed one is kept as written.
func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
