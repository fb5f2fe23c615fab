package static

import (
	"math"
	"strconv"

	"eventmpm/child/http1"
)

// DefaultMaxRanges is Apache's MaxRanges default: the most range-specs a
// Range header may list; with more, the whole file is sent with 200.
const DefaultMaxRanges = 200

// NoRanges as Options.MaxRanges is MaxRanges none: Range is ignored and
// files are sent with "Accept-Ranges: none".
const NoRanges = -1

// byteRange is one satisfiable range, both ends inclusive.
type byteRange struct {
	start, end int64
}

// length returns the number of bytes in the range.
func (r byteRange) length() int64 { return r.end - r.start + 1 }

// Outcomes of parseRange besides the ranges.
const (
	rangeIgnore        = 0   // send the whole file, 200
	rangePartial       = 206 // send the ranges
	rangeUnsatisfiable = 416 // no range overlaps the file
)

// parseRange parses the Range field value field (RFC 9110 14.1.2) for a
// representation of size bytes, taking at most maxSpecs range-specs. It appends the ranges to serve to dst[:0]
// and returns them with rangePartial, or returns rangeIgnore or
// rangeUnsatisfiable. It follows Apache 2.4's byterange filter:
//
//   - A unit other than "bytes" (compared without case), a syntax error
//     anywhere (including last-pos < first-pos), more than maxSpecs
//     range-specs, or an empty file: the header is ignored.
//   - Optional whitespace and empty list elements around commas are
//     accepted (RFC 9110 5.6.1.2), none inside a range-spec.
//   - A range starting at or past the end, or the suffix "-0", is
//     unsatisfiable and dropped; when all are dropped the answer is 416.
//   - Ranges that overlap or touch the one before them are merged into it,
//     keeping the order of the request; if what remains adds up to more
//     than the file, the header is ignored (Apache: "Sum of ranges larger
//     than file, ignoring").
//   - Numbers too large for int64 saturate, so a huge first-pos is merely
//     unsatisfiable and a huge last-pos or suffix means "to the end".
func parseRange(field []byte, size int64, dst []byteRange, maxSpecs int) ([]byteRange, int) {
	dst = dst[:0]
	if size <= 0 || len(field) < 6 || !http1.EqualFold(field[:6], "bytes=") {
		return dst, rangeIgnore
	}
	set := field[6:]
	var cur byteRange
	have := false
	specs, unsat := 0, 0
	for {
		set = skipListSep(set)
		if len(set) == 0 {
			break
		}
		r, rest, ok := nextRangeSpec(set, size)
		if !ok {
			return dst[:0], rangeIgnore
		}
		set = rest
		if specs++; specs > maxSpecs {
			return dst[:0], rangeIgnore
		}
		switch {
		case r.start < 0:
			unsat++
		case !have:
			cur, have = r, true
		case r.start <= cur.end+1 && r.end >= cur.start-1:
			cur.start, cur.end = min(cur.start, r.start), max(cur.end, r.end)
		default:
			dst = append(dst, cur)
			cur = r
		}
	}
	if !have {
		if unsat > 0 {
			return dst, rangeUnsatisfiable
		}
		return dst, rangeIgnore
	}
	dst = append(dst, cur)
	var sum int64
	for _, r := range dst {
		sum += r.length()
	}
	if sum > size {
		return dst[:0], rangeIgnore
	}
	return dst, rangePartial
}

// nextRangeSpec parses one range-spec at the start of b and clamps it to
// size. An unsatisfiable spec comes back with start -1. ok is false on a
// syntax error. rest starts after the spec and any OWS, at a ',' or the end.
func nextRangeSpec(b []byte, size int64) (r byteRange, rest []byte, ok bool) {
	first, n1 := parseDigits(b)
	b = b[n1:]
	if len(b) == 0 || b[0] != '-' {
		return r, nil, false
	}
	last, n2 := parseDigits(b[1:])
	b = trimLeftOWS(b[1+n2:])
	if len(b) > 0 && b[0] != ',' {
		return r, nil, false
	}
	switch {
	case n1 == 0 && n2 == 0:
		return r, nil, false
	case n1 == 0: // suffix-range "-N"
		if last == 0 {
			return byteRange{-1, -1}, b, true
		}
		return byteRange{max(0, size-last), size - 1}, b, true
	case n2 > 0 && last < first:
		return r, nil, false
	case first >= size:
		return byteRange{-1, -1}, b, true
	case n2 == 0 || last >= size:
		return byteRange{first, size - 1}, b, true
	}
	return byteRange{first, last}, b, true
}

// parseDigits parses the leading decimal digits of b, saturating at
// math.MaxInt64, and returns the value and the number of digits.
func parseDigits(b []byte) (int64, int) {
	var v int64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		d := int64(b[i] - '0')
		if v > (math.MaxInt64-d)/10 {
			v = math.MaxInt64
			continue
		}
		v = v*10 + d
	}
	return v, i
}

// appendContentRange appends "bytes first-last/size".
func appendContentRange(dst []byte, r byteRange, size int64) []byte {
	dst = append(dst, "bytes "...)
	dst = strconv.AppendInt(dst, r.start, 10)
	dst = append(dst, '-')
	dst = strconv.AppendInt(dst, r.end, 10)
	dst = append(dst, '/')
	return strconv.AppendInt(dst, size, 10)
}

// appendPartHead appends the delimiter and headers that open one part of a
// multipart/byteranges body (RFC 9110 14.6), in Apache's layout: every
// delimiter is preceded by CRLF, so the body starts with one. ctype may be
// empty, and then the part has no Content-Type.
func appendPartHead(dst, boundary, ctype []byte, r byteRange, size int64) []byte {
	dst = append(dst, "\r\n--"...)
	dst = append(dst, boundary...)
	if len(ctype) > 0 {
		dst = append(dst, "\r\nContent-Type: "...)
		dst = append(dst, ctype...)
	}
	dst = append(dst, "\r\nContent-Range: "...)
	dst = appendContentRange(dst, r, size)
	return append(dst, "\r\n\r\n"...)
}

// appendPartsEnd appends the close delimiter of a multipart body.
func appendPartsEnd(dst, boundary []byte) []byte {
	dst = append(dst, "\r\n--"...)
	dst = append(dst, boundary...)
	return append(dst, "--\r\n"...)
}
