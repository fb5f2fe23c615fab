package http1

import "bytes"

// Parser reads request heads. It is resumable: call Parse with the whole
// unconsumed buffer each time more bytes arrive (the same bytes as before,
// plus more at the end; the buffer may have moved or grown in between). It
// remembers how far it has scanned, so a head that arrives one byte at a
// time costs linear work, and it checks each line as soon as the line is
// complete, so garbage is refused early; a request line or header line
// that outgrows its limit is refused before its CRLF arrives.
//
// Parsing happens in two steps. While the head is incomplete the Parser
// scans lines and validates their syntax and limits, keeping only offsets.
// When the empty line that ends the head arrives, it builds the Request
// from the final buffer, so every slice in the Request aliases the buffer
// passed to the call that returned the head.
//
// The zero Parser is ready to use. After Parse returns a complete head or
// an error, the Parser is ready for the next request; call Reset to abandon
// a partial head.
type Parser struct {
	pos       int  // bytes of the buffer scanned for LF so far
	lineStart int  // offset of the line being scanned
	inFields  bool // the request line is done; lines are header fields
	blank     int  // empty lines skipped before the request line
	fields    int  // header field lines seen
	lineOff   int  // offset of the request line
	lineEnd   int  // offset just past the request line (its CR); 0 if none

	// What the scan learned, so that build does not look again: the
	// request line as parsed, which aliases the buffer of the call that
	// scanned it (rlAt, the address of its first byte, tells build whether
	// the buffer has moved since), and where each field line's name ends.
	rl    requestLine
	rlAt  *byte
	spans []fieldSpan
}

// fieldSpan locates one checked field line in the buffer: its first byte,
// its colon and its CR, as offsets from the buffer's start, which stay
// valid when the buffer moves.
type fieldSpan struct{ start, colon, end int }

// Reset makes p ready to parse a new request from the start of a buffer.
func (p *Parser) Reset() { *p = Parser{spans: p.spans[:0]} }

// defaultLimits is used when Parse is given nil Limits.
var defaultLimits = DefaultLimits()

// Parse parses the request head at the start of buf into req.
//
// It returns the head's length n (the bytes to consume, including any
// leading empty lines and the final CRLF) when the head is complete and
// valid; the body, if any, starts at buf[n]. It returns ErrNeedMore when
// buf ends first, and a *ParseError for a malformed or refused request:
// then req holds what was read, for the log and the error page (see
// Abandon), and the connection must be closed after the error response.
//
// Parse does not allocate once req.Headers has grown to the number of
// fields the connection sees. A nil lim means DefaultLimits.
func (p *Parser) Parse(buf []byte, lim *Limits, req *Request) (n int, err error) {
	if lim == nil {
		lim = &defaultLimits
	}
	if p.pos > len(buf) {
		p.Reset() // the caller broke the contract: start over
	}
	for {
		i := bytes.IndexByte(buf[p.pos:], '\n')
		if i < 0 {
			p.pos = len(buf)
			if tooLong(buf[p.lineStart:], p.lineLimit(lim)) {
				return 0, p.fail(buf, lim, req, p.lengthError())
			}
			return 0, ErrNeedMore
		}
		lf := p.pos + i
		p.pos = lf + 1
		done, perr := p.scanLine(buf, lf, lim)
		if perr != nil {
			return 0, p.fail(buf, lim, req, perr)
		}
		if done {
			head := buf[:p.pos]
			if perr := p.build(head, lim, req); perr != nil {
				return 0, p.fail(buf, lim, req, perr)
			}
			p.Reset()
			return len(head), nil
		}
	}
}

// lineLimit returns the length limit of the line being scanned.
func (p *Parser) lineLimit(lim *Limits) int {
	if p.inFields {
		return lim.FieldSize
	}
	return lim.RequestLine
}

func (p *Parser) lengthError() *ParseError {
	if p.inFields {
		return errFieldTooLong
	}
	return errLineTooLong
}

// tooLong reports whether raw, a line (or the start of one) without its LF,
// is certain to exceed limit bytes of content: it has more than limit bytes
// before a final CR. Checking this on every partial line and again on the
// complete line gives the same verdict however the bytes arrive, the way
// Apache's ap_rgetline refuses a line longer than its limit plus CRLF.
func tooLong(raw []byte, limit int) bool {
	return len(raw) > limit+1 || len(raw) == limit+1 && raw[limit] != '\r'
}

// scanLine checks the complete line that ends with the LF at buf[lf]. It
// reports done when the line is the empty line that ends the head.
func (p *Parser) scanLine(buf []byte, lf int, lim *Limits) (done bool, err *ParseError) {
	raw := buf[p.lineStart:lf]
	if tooLong(raw, p.lineLimit(lim)) {
		return false, p.lengthError()
	}
	if len(raw) == 0 || raw[len(raw)-1] != '\r' {
		if len(raw) > 0 || p.inFields {
			return false, errBareLF
		}
		// A bare LF before the request line ends an empty line (RFC
		// 9112 2.2 lets a recipient take LF for a line terminator):
		// the stray LF some clients send after a body, which Apache's
		// check_pipeline eats between requests as it eats CRLF. It
		// frames nothing, so it cannot split a request differently
		// from a proxy in front; anywhere else a bare LF is refused.
		return false, p.skipBlank(lf)
	}
	line := raw[:len(raw)-1]
	switch {
	case !p.inFields && len(line) == 0:
		return false, p.skipBlank(lf)
	case !p.inFields:
		p.lineOff, p.lineEnd = p.lineStart, lf-1
		if err := parseRequestLine(line, &p.rl); err != nil {
			return false, err
		}
		p.rlAt = &line[0]
		p.inFields = true
	case len(line) == 0:
		return true, nil
	default:
		if p.fields++; lim.Fields > 0 && p.fields > lim.Fields {
			return false, errTooManyFields
		}
		colon, err := checkField(line)
		if err != nil {
			return false, err
		}
		p.spans = append(p.spans, fieldSpan{start: p.lineStart, colon: p.lineStart + colon, end: lf - 1})
	}
	p.lineStart = lf + 1
	return false, nil
}

// skipBlank skips the empty line ending with the LF at buf[lf], before the
// request line (RFC 9112 2.2), up to maxBlankLines of them.
func (p *Parser) skipBlank(lf int) *ParseError {
	if p.blank++; p.blank > maxBlankLines {
		return errTooManyBlank
	}
	p.lineStart = lf + 1
	return nil
}

// checkField validates field-line = field-name ":" OWS field-value OWS
// (RFC 9112 5, RFC 9110 5.1 and 5.5): a token name directly followed by the
// colon, and a value of visible bytes, obs-text, SP and HTAB only. It
// returns the colon's index.
func checkField(line []byte) (int, *ParseError) {
	if isOWS(line[0]) {
		return 0, errObsFold // RFC 9112 5.2: obs-fold gets 400
	}
	i := 0
	for i < len(line) && isToken(line[i]) {
		i++
	}
	switch {
	case i == len(line):
		return 0, errNoColon
	case line[i] == ':' && i > 0:
	case isOWS(line[i]) && i > 0:
		return 0, errFieldSpace // RFC 9112 5.1: MUST answer 400
	default:
		return 0, ctlError(line[i], errFieldName)
	}
	if j := firstBadValueByte(line[i+1:]); j >= 0 {
		return 0, ctlError(line[i+1+j], errCtl)
	}
	return i, nil
}

// Abandon fills req with what is known of a head that will never be
// complete (its client timed out, a 408), as Parse does for a refused one,
// and resets p. buf is the whole head received so far, from its start.
//
// What is known: req.HeadLen is the number of bytes read (for a refused
// head, up to the end of the line that was refused). Once the request
// line is complete, req.Line, and req.Method and req.ProtoMajor,
// req.ProtoMinor as far as they parse (0.0 when the version does not);
// when the whole line parses, req.Target, req.Path, req.Query and the
// header fields of the complete, valid field lines that followed it. A
// request line refused for its length (414) leaves only req.Line: its
// first LimitRequestLine+1 bytes, as much as Apache's ap_rgetline keeps of
// it in the_request (a buffer of LimitRequestLine+2 bytes with its NUL),
// so what is logged stays bounded by the limit.
func (p *Parser) Abandon(buf []byte, lim *Limits, req *Request) {
	if lim == nil {
		lim = &defaultLimits
	}
	p.Reset()
	if _, err := p.Parse(buf, lim, req); err == ErrNeedMore {
		p.fill(buf, lim, req, nil)
		p.Reset()
	}
}

// fail records what is known of a refused request in req, for the access
// log and the error page, and resets p.
func (p *Parser) fail(buf []byte, lim *Limits, req *Request, err *ParseError) error {
	p.fill(buf, lim, req, err)
	p.Reset()
	return err
}

// fill sets req to what is known of the head in buf, which Parse has
// scanned as far as p says, refused with err (nil: incomplete). See
// Abandon.
func (p *Parser) fill(buf []byte, lim *Limits, req *Request, err *ParseError) {
	req.Reset()
	req.HeadLen = min(p.pos, len(buf))
	switch {
	case p.lineEnd > 0 && p.lineEnd <= len(buf):
		line := buf[p.lineOff:p.lineEnd]
		req.Line = line
		var rl requestLine
		lineErr := parseRequestLine(line, &rl) // fills what it can before an error
		req.Method, req.MethodID = rl.method, rl.methodID
		req.ProtoMajor, req.ProtoMinor = rl.major, rl.minor
		if lineErr != nil {
			return
		}
		req.Target, req.Path, req.Query = rl.target, rl.path, rl.query
		if start := p.lineEnd + 2; start <= p.lineStart && p.lineStart <= len(buf) {
			req.Headers = appendFields(req.Headers, buf[start:p.lineStart])
		}
	case !p.inFields && err == errLineTooLong && p.lineStart < len(buf):
		req.Line = buf[p.lineStart:min(len(buf), p.lineStart+lim.RequestLine+1)]
	}
}

// appendFields appends the header fields of lines, complete field lines
// that scanLine has checked, each ending in CRLF.
func appendFields(hs []Header, lines []byte) []Header {
	for len(lines) > 0 {
		lf := bytes.IndexByte(lines, '\n')
		if lf < 1 {
			break
		}
		field := lines[:lf-1]
		lines = lines[lf+1:]
		if colon := bytes.IndexByte(field, ':'); colon > 0 {
			hs = append(hs, Header{Name: field[:colon], Value: trimOWS(field[colon+1:])})
		}
	}
	return hs
}
