package config

import (
	"net/http"
	"strconv"
	"strings"

	"eventmpm/config/expr"
)

// ErrorDocKind says what an ErrorDocument's document is, by the heuristic
// of Apache's set_error_document.
type ErrorDocKind int

const (
	// ErrorDocText is a message, sent as the page (text/html): the
	// document has a space, or is neither a path nor a URL.
	ErrorDocText ErrorDocKind = iota
	// ErrorDocPath is a local URL-path (it begins with '/'): its resource
	// is the page, sent with the error's status.
	ErrorDocPath
	// ErrorDocURL is an absolute URL: the client is redirected to it (302).
	ErrorDocURL
	// ErrorDocDefault is "default": Apache's canned page, e.g. to undo the
	// main server's ErrorDocument in a virtual host.
	ErrorDocDefault
)

// ErrorDocument is one ErrorDocument directive.
type ErrorDocument struct {
	Kind ErrorDocKind
	// Document is the message, the URL-path or the URL as written: an
	// ap_expr string.
	Document string
	// Pos is where the directive is, for messages.
	Pos Pos
}

// setErrorDocument is ErrorDocument code document, in the server config,
// in <VirtualHost> and in directory sections. Apache merges them code by
// code: a host's codes override the main server's, and a section's those
// of the server and of the sections merged before it ("default" brings
// the canned page back). The document is an ap_expr string (package expr),
// as Apache reads it: its kind is decided by the text as written, its
// value is made per response.
func setErrorDocument(w *walker, c *call) error {
	code, err := strconv.Atoi(c.args[0])
	if err != nil || http.StatusText(code) == "" {
		return errorf("Unsupported HTTP response code %s", c.args[0])
	}
	if code < 400 || code > 599 {
		return errorf("ErrorDocument %d: eventmpm applies ErrorDocument to error responses (4xx and 5xx) only", code)
	}
	msg := c.args[1]
	d := ErrorDocument{Document: msg, Pos: c.pos}
	switch {
	case strings.EqualFold(msg, "default"):
		d.Kind = ErrorDocDefault
	case strings.Contains(msg, " "):
		d.Kind = ErrorDocText
	case msg[0] == '/':
		d.Kind = ErrorDocPath
	case IsURL(msg):
		d.Kind = ErrorDocURL
	default:
		d.Kind = ErrorDocText
	}
	if d.Kind != ErrorDocDefault {
		if _, err := expr.ParseString(msg); err != nil {
			return errorf("Cannot parse expression in ErrorDocument: %v", err)
		}
	}
	if d.Kind == ErrorDocURL && code == 401 {
		// Apache ignores it (AH00113): a redirect would lose the challenge.
		w.warn(c.pos, "AH00113", "%s:%d cannot use a full URL in a 401 ErrorDocument directive --- ignoring!", c.pos.File, c.pos.Line)
		return nil
	}
	docs := &w.srv.srv.ErrorDocuments
	if w.sec != nil {
		docs = &w.sec.s.ErrorDocuments
	}
	if *docs == nil {
		*docs = map[int]ErrorDocument{}
	}
	(*docs)[code] = d
	return nil
}
