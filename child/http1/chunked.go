package http1

// chunkState is where a ChunkedDecoder is in the chunked-body grammar of
// RFC 9112 7.1:
//
//	chunked-body   = *chunk last-chunk trailer-section CRLF
//	chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//	chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//	chunk-ext-val  = token / quoted-string
type chunkState uint8

const (
	csSizeStart     chunkState = iota // first hex digit of chunk-size
	csSize                            // more hex digits
	csExtBWS                          // BWS before ";" or CR
	csExtNameStart                    // BWS, then the first byte of a name
	csExtName                         // in chunk-ext-name
	csExtNameBWS                      // BWS after a name, before "=" ";" or CR
	csExtValStart                     // BWS after "=", then a token or DQUOTE
	csExtVal                          // in a token value
	csExtQuoted                       // in a quoted-string
	csExtQuotedPair                   // after a backslash in a quoted-string
	csSizeLF                          // CR seen at the end of the size line
	csData                            // in chunk-data
	csDataCR                          // CRLF after chunk-data
	csDataLF
	csTrailerStart // start of a trailer line, or the final CRLF
	csTrailerName
	csTrailerValue
	csTrailerLF
	csEndLF // LF of the final CRLF
	csDone
)

// ChunkedDecoder decodes a chunked request body (RFC 9112 7.1) one buffer
// at a time, without allocating: feed it whatever bytes arrived and it
// consumes all it can, remembering where it stopped (even inside a chunk
// size, an extension or a trailer). Chunk extensions are checked and
// ignored; trailer fields are checked with the header-field rules (token
// name, no obs-fold, no control bytes, LimitRequestFieldSize per line,
// LimitRequestFields lines) and discarded. The body is refused with 413 as
// soon as a chunk size would take it past LimitRequestBody, before its data
// is read. After an error the connection must be closed.
//
// The zero ChunkedDecoder applies DefaultLimits but no body limit; call
// Reset with the server's Limits before each body.
type ChunkedDecoder struct {
	state     chunkState
	size      int64 // chunk size being parsed, then bytes left in the chunk
	total     int64 // sum of the chunk sizes accepted so far
	lineLen   int   // bytes of the current size or trailer line
	fields    int   // trailer fields seen
	maxBody   int64
	maxLine   int
	maxFields int
	limited   bool // Reset was called: use max* as given
}

// Reset prepares d for a new body, enforcing lim (nil: DefaultLimits
// without a body limit).
func (d *ChunkedDecoder) Reset(lim *Limits) {
	*d = ChunkedDecoder{}
	if lim != nil {
		d.maxBody, d.maxLine, d.maxFields, d.limited = lim.Body, lim.FieldSize, lim.Fields, true
	}
}

// Received returns the number of body data bytes decoded so far.
func (d *ChunkedDecoder) Received() int64 { return d.total - d.size*boolInt(d.state == csData) }

// Done reports whether the whole body, trailers included, has been read.
func (d *ChunkedDecoder) Done() bool { return d.state == csDone }

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Decode consumes chunked-body bytes from in and writes the data they carry
// to out. It returns how many bytes of in it consumed and of out it
// produced; done is true once the final CRLF has been consumed, and the
// bytes after it (in[consumed:]) belong to the next request. When out is
// full, Decode returns early: call it again with the rest of in. out may be
// in itself (decoding in place), since data is never written ahead of where
// it was read. An error is a *ParseError (400, or 413 for LimitRequestBody).
func (d *ChunkedDecoder) Decode(in, out []byte) (consumed, produced int, done bool, err error) {
	return d.run(in, out, false)
}

// Discard consumes chunked-body bytes from in like Decode but throws the
// data away: it is how a body nobody reads is drained before the next
// request, with the same limits.
func (d *ChunkedDecoder) Discard(in []byte) (consumed int, done bool, err error) {
	consumed, _, done, err = d.run(in, nil, true)
	return consumed, done, err
}

func (d *ChunkedDecoder) run(in, out []byte, discard bool) (consumed, produced int, done bool, err error) {
	if !d.limited {
		d.maxLine, d.maxFields, d.limited = defaultLimits.FieldSize, defaultLimits.Fields, true
	}
	for consumed < len(in) && d.state != csDone {
		if d.state == csData {
			n := min(int64(len(in)-consumed), d.size)
			if !discard {
				n = min(n, int64(len(out)-produced))
				if n == 0 {
					break
				}
				copy(out[produced:], in[consumed:consumed+int(n)])
				produced += int(n)
			}
			consumed += int(n)
			if d.size -= n; d.size == 0 {
				d.state = csDataCR
			}
			continue
		}
		if perr := d.step(in[consumed]); perr != nil {
			return consumed, produced, false, perr
		}
		consumed++
	}
	return consumed, produced, d.state == csDone, nil
}

// step advances the state machine over one byte outside chunk-data.
func (d *ChunkedDecoder) step(c byte) *ParseError {
	switch d.state {
	case csSizeStart, csSize, csExtBWS, csExtNameStart, csExtName, csExtNameBWS,
		csExtValStart, csExtVal, csExtQuoted, csExtQuotedPair:
		if d.lineLen++; d.lineLen > d.maxLine+1 {
			return errChunkLine
		}
		if c == '\n' {
			return errBareLF
		}
		if d.state <= csSize {
			return d.stepSize(c)
		}
		return d.stepExt(c)
	case csSizeLF:
		return d.endSizeLine(c)
	case csDataCR:
		return d.expect(c, '\r', csDataLF, errChunkCRLF)
	case csDataLF:
		d.lineLen = 0
		return d.expect(c, '\n', csSizeStart, errChunkCRLF)
	case csTrailerLF:
		d.lineLen = 0
		return d.expect(c, '\n', csTrailerStart, errBareCR)
	case csEndLF:
		return d.expect(c, '\n', csDone, errBareCR)
	default:
		return d.stepTrailer(c)
	}
}

func (d *ChunkedDecoder) expect(c, want byte, next chunkState, err *ParseError) *ParseError {
	if c != want {
		return err
	}
	d.state = next
	return nil
}

// stepSize reads chunk-size = 1*HEXDIG, refusing values that overflow an
// int64 (and so any absurd size) with 400.
func (d *ChunkedDecoder) stepSize(c byte) *ParseError {
	if byteClass[c]&classHex != 0 {
		if d.size > (1<<63-1)>>4 {
			return errChunkOver
		}
		d.size = d.size<<4 | int64(hexVal(c))
		d.state = csSize
		return nil
	}
	if d.state == csSizeStart {
		return errChunkSize
	}
	switch {
	case c == '\r':
		d.state = csSizeLF
	case c == ';':
		d.state = csExtNameStart
	case isOWS(c):
		d.state = csExtBWS
	default:
		return errChunkSize
	}
	return nil
}

// stepExt checks chunk extensions; their content is ignored (RFC 9112
// 7.1.1: a recipient MUST ignore unrecognized extensions).
func (d *ChunkedDecoder) stepExt(c byte) *ParseError {
	s := d.state
	switch {
	case s == csExtQuoted:
		switch {
		case c == '"':
			d.state = csExtBWS
		case c == '\\':
			d.state = csExtQuotedPair
		case byteClass[c]&classQdtext == 0:
			return errChunkExt
		}
	case s == csExtQuotedPair:
		if byteClass[c]&classValue == 0 {
			return errChunkExt
		}
		d.state = csExtQuoted
	case isOWS(c):
		if s == csExtName {
			d.state = csExtNameBWS
		} else if s == csExtVal {
			d.state = csExtBWS
		}
	case isToken(c) && (s == csExtNameStart || s == csExtName):
		d.state = csExtName
	case isToken(c) && (s == csExtValStart || s == csExtVal):
		d.state = csExtVal
	case c == '"' && s == csExtValStart:
		d.state = csExtQuoted
	case c == '=' && (s == csExtName || s == csExtNameBWS):
		d.state = csExtValStart
	case c == ';' && s != csExtNameStart && s != csExtValStart:
		d.state = csExtNameStart
	case c == '\r' && s != csExtNameStart && s != csExtValStart:
		d.state = csSizeLF
	default:
		return errChunkExt
	}
	return nil
}

// endSizeLine takes the LF of a chunk-size line: a zero size is the
// last-chunk, otherwise the data follows. The body limit is checked here,
// before any of the chunk's data is read.
func (d *ChunkedDecoder) endSizeLine(c byte) *ParseError {
	if c != '\n' {
		return errBareCR
	}
	d.lineLen = 0
	if d.size == 0 {
		d.state = csTrailerStart
		return nil
	}
	if d.maxBody > 0 && d.size > d.maxBody-d.total {
		return errBodyTooLarge
	}
	d.total += d.size
	d.state = csData
	return nil
}

// stepTrailer checks trailer fields with the rules of checkField, byte by
// byte; the fields are discarded.
func (d *ChunkedDecoder) stepTrailer(c byte) *ParseError {
	if d.lineLen++; d.lineLen > d.maxLine+1 {
		return errFieldTooLong
	}
	switch d.state {
	case csTrailerStart:
		switch {
		case c == '\r':
			d.state = csEndLF
		case isOWS(c):
			return errObsFold
		case isToken(c):
			if d.fields++; d.maxFields > 0 && d.fields > d.maxFields {
				return errTooManyFields
			}
			d.state = csTrailerName
		default:
			return d.nameError(c)
		}
	case csTrailerName:
		switch {
		case c == ':':
			d.state = csTrailerValue
		case isToken(c):
		case isOWS(c):
			return errFieldSpace
		default:
			return d.nameError(c)
		}
	default: // csTrailerValue
		if c == '\r' {
			d.state = csTrailerLF
		} else if byteClass[c]&classValue == 0 {
			return ctlError(c, errCtl)
		}
	}
	return nil
}

func (d *ChunkedDecoder) nameError(c byte) *ParseError {
	if c == '\r' && d.state == csTrailerName {
		return errNoColon
	}
	return ctlError(c, errFieldName)
}
