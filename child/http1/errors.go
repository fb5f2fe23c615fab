package http1

import (
	"errors"
	"strconv"
)

// Limits are Apache's request limits (core directives, SPEC 1.4).
type Limits struct {
	// RequestLine is LimitRequestLine: the longest request line, in bytes
	// without its CRLF. A longer line gets 414. Zero admits no request at
	// all, as in Apache.
	RequestLine int
	// FieldSize is LimitRequestFieldSize: the longest header field line
	// ("Name: value", without CRLF). A longer one gets 400. It also bounds
	// chunk-size lines and trailer lines of chunked bodies.
	FieldSize int
	// Fields is LimitRequestFields: the most header fields (and, separately,
	// trailer fields) a request may carry; more get 400. Zero is unlimited.
	Fields int
	// Body is LimitRequestBody: the largest request body in bytes; a larger
	// Content-Length or chunked body gets 413. Zero is unlimited.
	Body int64
}

// DefaultLimits returns Apache 2.4's defaults: LimitRequestLine 8190,
// LimitRequestFieldSize 8190, LimitRequestFields 100 and LimitRequestBody
// 1 GiB (2.4.54 and later).
func DefaultLimits() Limits {
	return Limits{RequestLine: 8190, FieldSize: 8190, Fields: 100, Body: 1 << 30}
}

// MaxHeadLen returns the largest request head, in bytes, that l admits
// (leading empty lines, request line, fields and the final CRLF), so a
// caller can size its read buffer; it returns -1 when Fields is zero
// (unlimited) and the head has no bound.
func (l *Limits) MaxHeadLen() int {
	if l.Fields <= 0 {
		return -1
	}
	return 2*maxBlankLines + l.RequestLine + 2 + l.Fields*(l.FieldSize+2) + 2
}

// ParseError is a malformed or refused request. Status is the response to
// send (400, 413, 414, 501 or 505) and Reason a constant, human readable
// explanation that never contains request bytes, so it may go into logs and
// into the error page. Page is set where Apache 2.4 puts the same text on
// its error page (its "error-notes"); for the others Apache's page says
// only "Your browser sent a request that this server could not
// understand", and the reason belongs in the error log. After a ParseError the connection must be
// closed once the error response is written (RFC 9112 9.6, 11.2): the
// framing of whatever follows cannot be trusted.
//
// The errors the parser returns are shared values; do not modify them.
type ParseError struct {
	Status int
	Reason string
	Page   bool
}

// Error returns "http1: <status> <reason>".
func (e *ParseError) Error() string {
	return "http1: " + strconv.Itoa(e.Status) + " " + e.Reason
}

// ErrNeedMore reports that the buffer ends before the head (or the chunked
// body) is complete: read more bytes and call again.
var ErrNeedMore = errors.New("http1: need more data")

// ErrBodyTooLarge is the 413 for a body larger than LimitRequestBody, for
// a caller that checks Content-Length against a limit it learns only
// after parsing (a virtual host's or a section's).
var ErrBodyTooLarge error = errBodyTooLarge

// maxBlankLines is how many empty lines may precede a request line (RFC
// 9112 2.2 lets a server skip "at least one"; Apache skips up to
// DEFAULT_LIMIT_BLANK_LINES, 10).
const maxBlankLines = 10

func perr(status int, reason string) *ParseError {
	return &ParseError{Status: status, Reason: reason}
}

// perrPage is perr for a reason that Apache's error page shows too.
func perrPage(status int, reason string) *ParseError {
	return &ParseError{Status: status, Reason: reason, Page: true}
}

// The parse errors. Each rule has its own value so tests, logs and the
// differential fuzz test can tell them apart. Where Apache sets an
// "error-notes" text for the same condition (compared with Apache 2.4.71),
// Reason is that text and the page shows it.
var (
	// Limits.
	errLineTooLong   = perr(414, "The request line exceeds LimitRequestLine.")
	errFieldTooLong  = perrPage(400, "Size of a request header field exceeds server limit.")
	errTooManyFields = perrPage(400, "The number of request header fields exceeds this server's limit.")
	errBodyTooLarge  = perr(413, "The request body exceeds LimitRequestBody.")
	errTooManyBlank  = perr(400, "Too many empty lines before the request line.")

	// Line structure and bytes.
	errBareLF = perr(400, "Line terminated by a bare LF; CRLF is required.")
	errBareCR = perr(400, "Bare CR in the request head.")
	errNUL    = perr(400, "NUL byte in the request head.")
	errCtl    = perr(400, "Control character in the request head.")

	// Request line.
	errBadMethod      = perr(400, "Invalid method token in the request line.")
	errHTTP09         = perr(400, "Request line without an HTTP version (HTTP/0.9) is not supported.")
	errLineSpace      = perr(400, "Request line with extra whitespace or an empty target.")
	errBadVersion     = perr(400, "Malformed HTTP version in the request line.")
	errVersion        = perr(505, "HTTP major version not supported.")
	errTargetNonASCII = perr(400, "Non-ASCII byte in the request target.")
	errTargetFragment = perr(400, "Request target must not contain a fragment.")
	errTargetForm     = perr(400, "Malformed request target.")
	errTargetScheme   = perr(400, "Absolute-form request target with a scheme other than http or https.")
	errTargetUserinfo = perr(400, "Request target must not contain a username or password.")
	errTargetNoHost   = perr(400, "Absolute-form request target without a host.")
	errAsterisk       = perr(400, "Asterisk-form request target is only allowed with OPTIONS.")
	errConnectTarget  = perr(400, "CONNECT needs an authority-form request target (host:port).")

	// Header fields.
	errObsFold    = perr(400, "Obsolete line folding (obs-fold) is not accepted.")
	errFieldName  = perr(400, "Invalid byte in a header field name.")
	errFieldSpace = perr(400, "Whitespace between a header field name and the colon.")
	errNoColon    = perr(400, "Request header field is missing ':' separator.")
	errNoHost     = perr(400, "HTTP/1.1 request without a Host header field.")
	errDupHost    = perr(400, "More than one Host header field.")
	errBadHost    = perr(400, "Invalid Host header field value.")
	errBadCL      = perr(400, "Invalid Content-Length.")
	errCLRepeated = perr(400, "More than one Content-Length value.")
	errCLAndTE    = perr(400, "Both Content-Length and Transfer-Encoding.")
	errTE10       = perr(400, "Transfer-Encoding in an HTTP/1.0 request.")
	errTENotFinal = perr(400, "Transfer-Encoding whose final coding is not chunked.")
	errTEUnknown  = perr(501, "Unknown Transfer-Encoding; only chunked is implemented.")
	errChunkSize  = perr(400, "Invalid chunk size.")
	errChunkOver  = perr(400, "Chunk size overflows.")
	errChunkExt   = perr(400, "Invalid chunk extension.")
	errChunkLine  = perr(400, "Chunk size line exceeds the server limit.")
	errChunkCRLF  = perr(400, "Chunk data not followed by CRLF.")
)
