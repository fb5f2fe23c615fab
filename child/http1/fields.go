package http1

// fieldState collects what the framing and persistence rules need while the
// header fields are walked once.
type fieldState struct {
	hosts      int
	host       []byte
	cl         int64 // -1: no Content-Length
	te         bool  // a Transfer-Encoding field was seen
	teChunked  int   // how many codings were "chunked"
	teFinal    bool  // the last coding so far is "chunked"
	teUnknown  bool  // a coding other than chunked was seen
	connClose  bool
	connKeep   bool
	expect100  bool
	expectElse bool
}

// build fills req from a complete, syntactically valid head (the step-one
// scan has checked every line) and applies the rules that need more than
// one line: Host, message framing, persistence and expectations.
func (p *Parser) build(head []byte, lim *Limits, req *Request) *ParseError {
	req.Reset()
	req.HeadLen = len(head)
	line := head[p.lineOff:p.lineEnd]
	rl := &p.rl
	if p.rlAt != &line[0] {
		// The buffer moved after the line was scanned: parse it again
		// where it is now (valid: scanLine checked it).
		*rl = requestLine{}
		parseRequestLine(line, rl)
	}
	req.Line, req.Method, req.MethodID, req.Target = line, rl.method, rl.methodID, rl.target
	req.Path, req.Query = rl.path, rl.query
	req.ProtoMajor, req.ProtoMinor = rl.major, rl.minor
	if cap(req.Headers) < len(p.spans) {
		req.Headers = make([]Header, 0, len(p.spans))
	}
	st := fieldState{cl: -1}
	for _, sp := range p.spans {
		h := Header{Name: head[sp.start:sp.colon], Value: trimOWS(head[sp.colon+1 : sp.end])}
		req.Headers = append(req.Headers, h)
		if err := st.note(req, h.Name, h.Value); err != nil {
			return err
		}
	}
	return st.finish(req, rl, lim)
}

// note applies one header field to st and to req's quick-access fields.
// Dispatching on the name's length first keeps the common case (a field
// the server does not interpret) to one switch.
func (st *fieldState) note(req *Request, name, value []byte) *ParseError {
	switch len(name) {
	case 4:
		if equalFold(name, "Host") {
			return st.noteHost(value)
		}
	case 5:
		setRange(req, name, value)
	case 6:
		if equalFold(name, "Expect") {
			st.noteExpect(value)
		}
	case 8:
		setList(req, &req.IfMatch, name, "If-Match", value)
		setFirst(&req.IfRange, name, "If-Range", value)
	case 10:
		if equalFold(name, "Connection") {
			st.noteConnection(value)
		}
	case 13:
		setList(req, &req.IfNoneMatch, name, "If-None-Match", value)
	case 14:
		if equalFold(name, "Content-Length") {
			return st.noteContentLength(value)
		}
	case 17:
		if equalFold(name, "Transfer-Encoding") {
			st.noteTransferEncoding(value)
		}
		setFirst(&req.IfModifiedSince, name, "If-Modified-Since", value)
	case 19:
		setFirst(&req.IfUnmodifiedSince, name, "If-Unmodified-Since", value)
	}
	return nil
}

// RelocateConditionals finds the conditional and range fields in Headers
// again (IfModifiedSince, IfUnmodifiedSince, IfMatch, IfNoneMatch, Range,
// IfRange, ETagListsRepeated), after a caller removed fields from Headers
// (RequestHeader unset). Host, framing and persistence stay as parsed.
func (r *Request) RelocateConditionals() {
	r.IfModifiedSince, r.IfUnmodifiedSince, r.IfMatch, r.IfNoneMatch = nil, nil, nil, nil
	r.Range, r.IfRange, r.ETagListsRepeated, r.rangeVoid = nil, nil, false, false
	for _, h := range r.Headers {
		switch name, value := h.Name, h.Value; len(name) {
		case 5:
			setRange(r, name, value)
		case 8:
			setList(r, &r.IfMatch, name, "If-Match", value)
			setFirst(&r.IfRange, name, "If-Range", value)
		case 13:
			setList(r, &r.IfNoneMatch, name, "If-None-Match", value)
		case 17:
			setFirst(&r.IfModifiedSince, name, "If-Modified-Since", value)
		case 19:
			setFirst(&r.IfUnmodifiedSince, name, "If-Unmodified-Since", value)
		}
	}
}

// setFirst stores value in *dst when name is want and *dst is still unset:
// the first occurrence of a singleton field wins, as apr_table_get does.
func setFirst(dst *[]byte, name []byte, want string, value []byte) {
	if *dst == nil && equalFold(name, want) {
		*dst = value
	}
}

// setRange keeps a Range field, unless there are more of them: Range is
// no list, and the lines joined (as Apache joins them) are no valid
// ranges-specifier, so the request is served as if it had none.
func setRange(req *Request, name, value []byte) {
	if !equalFold(name, "Range") {
		return
	}
	if req.Range != nil || req.rangeVoid {
		req.Range, req.rangeVoid = nil, true
		return
	}
	req.Range = value
}

// setList is setFirst for a list-valued field: a second line of it marks
// the request (ETagListsRepeated) so that the lines are read together.
func setList(req *Request, dst *[]byte, name []byte, want string, value []byte) {
	if !equalFold(name, want) {
		return
	}
	if *dst != nil {
		req.ETagListsRepeated = true
		return
	}
	*dst = value
}

// noteHost enforces RFC 9112 3.2: at most one Host field, with a valid
// value: uri-host [":" port]. An empty one is refused too, as Apache
// refuses it: an "http" URI with an empty host is invalid (RFC 9110 4.2.1).
func (st *fieldState) noteHost(value []byte) *ParseError {
	if st.hosts++; st.hosts > 1 {
		return errDupHost
	}
	if name, _, ok := splitHostPort(value); !ok || len(name) == 0 || !strictHostName(name) {
		return errBadHost
	}
	st.host = value
	return nil
}

// noteContentLength parses Content-Length = 1*DIGIT. A list of values or
// a repeated field is 400 even when the values agree: RFC 9110 8.6 lets a
// recipient take identical values as one, but Apache and nginx refuse them,
// and a framing that two parsers may read differently is how requests are
// smuggled.
func (st *fieldState) noteContentLength(value []byte) *ParseError {
	if st.cl >= 0 {
		return errCLRepeated
	}
	n, ok := parseDecimal(value)
	if !ok {
		if isDecimalList(value) {
			return errCLRepeated
		}
		return errBadCL
	}
	st.cl = n
	return nil
}

// isDecimalList reports whether value is a list of two or more decimal
// numbers ("5, 5").
func isDecimalList(value []byte) bool {
	n := 0
	for list := value; list != nil; n++ {
		var elem []byte
		elem, list = nextElement(list)
		if _, ok := parseDecimal(elem); !ok {
			return false
		}
	}
	return n >= 2
}

// parseDecimal parses 1*DIGIT into a non-negative int64.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		d := int64(c - '0')
		if !isDigit(c) || n > (1<<63-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// noteTransferEncoding records the codings of one Transfer-Encoding field;
// several fields form one list (RFC 9110 5.3). Empty elements are skipped
// (RFC 9110 5.6.1); codings are compared case-insensitively (RFC 9112 7).
func (st *fieldState) noteTransferEncoding(value []byte) {
	st.te = true
	for list := value; list != nil; {
		var elem []byte
		elem, list = nextElement(list)
		switch {
		case len(elem) == 0:
		case equalFold(elem, "chunked"):
			st.teChunked++
			st.teFinal = true
		default:
			st.teUnknown = true
			st.teFinal = false
		}
	}
}

// noteConnection records the close and keep-alive options (RFC 9112 9.3).
func (st *fieldState) noteConnection(value []byte) {
	for list := value; list != nil; {
		var elem []byte
		elem, list = nextElement(list)
		switch {
		case equalFold(elem, "close"):
			st.connClose = true
		case equalFold(elem, "keep-alive"):
			st.connKeep = true
		}
	}
}

// noteExpect classifies an Expect field. As in Apache, an empty value is
// ignored and any value other than 100-continue (case-insensitive) is an
// expectation the server cannot meet (417, RFC 9110 10.1.1).
func (st *fieldState) noteExpect(value []byte) {
	switch {
	case len(value) == 0:
	case equalFold(value, "100-continue"):
		st.expect100 = true
	default:
		st.expectElse = true
	}
}

// finish applies the rules that need the whole head, in this order: Host
// (RFC 9112 3.2), framing (6.1, 6.3), the body limit, persistence (9.3)
// and expectations (RFC 9110 10.1.1).
func (st *fieldState) finish(req *Request, rl *requestLine, lim *Limits) *ParseError {
	if st.hosts == 0 && rl.minor == 1 {
		return errNoHost
	}
	req.Host = st.host
	if rl.host != nil {
		req.Host = rl.host // RFC 9112 3.2.2: the target's authority wins
	}
	if err := st.framing(rl); err != nil {
		return err
	}
	req.Chunked = st.te
	req.ContentLength = st.cl
	if st.cl > 0 && lim.Body > 0 && st.cl > lim.Body {
		return errBodyTooLarge
	}
	req.KeepAlive = !st.connClose && (rl.minor == 1 || st.connKeep)
	req.KeepAliveAsked = st.connKeep
	req.Expect100 = st.expect100 && rl.minor == 1 // 10.1.1: ignore it from 1.0
	req.ExpectOther = st.expectElse
	return nil
}

// framing decides how the body is delimited. Transfer-Encoding together
// with Content-Length, or in an HTTP/1.0 request, is refused outright (RFC
// 9112 6.1 and 6.3 allow it and it closes request smuggling). A final
// coding other than chunked, or chunked twice, leaves the length unknown:
// 400 (6.3 rule 4). Chunked after codings we do not implement: 501 (6.1).
func (st *fieldState) framing(rl *requestLine) *ParseError {
	switch {
	case !st.te:
		return nil
	case st.cl >= 0:
		return errCLAndTE
	case rl.minor == 0:
		return errTE10
	case !st.teFinal || st.teChunked > 1:
		return errTENotFinal
	case st.teUnknown:
		return errTEUnknown
	}
	return nil
}
