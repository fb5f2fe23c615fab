package status

import (
	"math"
	"strconv"
	"time"
)

// Formatting helpers that reproduce what mod_status prints through APR's
// apr_snprintf. All of them append to dst and allocate nothing.

// appendG appends v as APR's "%.<prec>g" (apr_gcvt over apr_ecvt): prec
// significant digits, trailing zeros dropped, no leading zero before the
// point (".25"), the exponent form only for exponents below -4 or when more
// than four zeros would pad the integer part, written without padding
// ("1e+6"; a one-digit mantissa keeps its point: "1.e+6"). Digits are
// correctly rounded, where APR's digit loop can be off by one in the last
// place on exact ties.
func appendG(dst []byte, v float64, prec int) []byte {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return strconv.AppendFloat(dst, v, 'g', -1, 64)
	case v == 0:
		return append(dst, '0')
	case v < 0:
		dst = append(dst, '-')
		v = -v
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], v, 'e', prec-1, 64) // d.ddddde±XX
	var digits [24]byte
	n, exp, expSign := 0, 0, 1
	inExp := false
	for _, c := range e {
		switch {
		case c == 'e':
			inExp = true
		case inExp && c == '-':
			expSign = -1
		case inExp && c >= '0' && c <= '9':
			exp = exp*10 + int(c-'0')
		case !inExp && c != '.':
			digits[n] = c
			n++
		}
	}
	exp *= expSign
	decpt := exp + 1
	for n > 1 && digits[n-1] == '0' {
		n--
	}
	if (decpt >= 0 && decpt-n > 4) || decpt < -3 {
		return appendGExp(dst, digits[:n], decpt-1)
	}
	return appendGFixed(dst, digits[:n], decpt)
}

func appendGExp(dst, digits []byte, exp int) []byte {
	dst = append(dst, digits[0], '.')
	dst = append(dst, digits[1:]...)
	dst = append(dst, 'e')
	if exp < 0 {
		dst = append(dst, '-')
		exp = -exp
	} else {
		dst = append(dst, '+')
	}
	if exp/100 > 0 {
		dst = append(dst, byte('0'+exp/100))
	}
	if exp/10 > 0 {
		dst = append(dst, byte('0'+exp%100/10))
	}
	return append(dst, byte('0'+exp%10))
}

func appendGFixed(dst, digits []byte, decpt int) []byte {
	if decpt <= 0 {
		dst = append(dst, '.')
		for ; decpt < 0; decpt++ {
			dst = append(dst, '0')
		}
	}
	for i, c := range digits {
		dst = append(dst, c)
		if i+1 == decpt && i+1 < len(digits) {
			dst = append(dst, '.')
		}
	}
	for i := len(digits); i < decpt; i++ {
		dst = append(dst, '0')
	}
	return dst
}

// appendF appends v as C's "%.<prec>f".
func appendF(dst []byte, v float64, prec int) []byte {
	return strconv.AppendFloat(dst, v, 'f', prec, 64)
}

func appendInt(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }

// Apache's size units.
const (
	kbyte = 1024
	mbyte = 1048576
	gbyte = 1073741824
)

// appendBytes is mod_status's format_byte_out: "N B" below 5 kB, then kB,
// MB or GB with one decimal, the quotient computed in C float.
func appendBytes(dst []byte, b int64) []byte {
	switch {
	case b < 5*kbyte:
		return append(appendInt(dst, b), " B"...)
	case b < mbyte/2:
		return append(appendF(dst, float64(float32(b)/kbyte), 1), " kB"...)
	case b < gbyte/2:
		return append(appendF(dst, float64(float32(b)/mbyte), 1), " MB"...)
	}
	return append(appendF(dst, float64(float32(b)/gbyte), 1), " GB"...)
}

// appendKBytes is mod_status's format_kbyte_out for a count of kB.
func appendKBytes(dst []byte, kb int64) []byte {
	switch {
	case kb < kbyte:
		return append(appendInt(dst, kb), " kB"...)
	case kb < mbyte:
		return append(appendF(dst, float64(float32(kb)/kbyte), 1), " MB"...)
	}
	return append(appendF(dst, float64(float32(kb)/mbyte), 1), " GB"...)
}

// appendUptime is mod_status's show_time: " 1 day 2 hours 3 minutes 4
// seconds", each part with a leading space, zero parts left out.
func appendUptime(dst []byte, secs uint32) []byte {
	parts := [4]struct {
		n    uint32
		unit string
	}{
		{secs / 86400, " day"}, {secs / 3600 % 24, " hour"}, {secs / 60 % 60, " minute"}, {secs % 60, " second"},
	}
	for _, p := range parts {
		if p.n == 0 {
			continue
		}
		dst = append(dst, ' ')
		dst = strconv.AppendUint(dst, uint64(p.n), 10)
		dst = append(dst, p.unit...)
		if p.n != 1 {
			dst = append(dst, 's')
		}
	}
	return dst
}

// timeLayout is mod_status's DEFAULT_TIME_FORMAT, "%A, %d-%b-%Y %H:%M:%S %Z".
const timeLayout = "Monday, 02-Jan-2006 15:04:05 MST"

// appendTime appends t in timeLayout, in loc.
func appendTime(dst []byte, t time.Time, loc *time.Location) []byte {
	return t.In(loc).AppendFormat(dst, timeLayout)
}

// appendHTML appends b with HTML's special characters escaped, as
// ap_escape_html (plus the apostrophe).
func appendHTML[T string | []byte](dst []byte, b T) []byte {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '&':
			dst = append(dst, "&amp;"...)
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '"':
			dst = append(dst, "&quot;"...)
		case '\'':
			dst = append(dst, "&#39;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendLogItem appends b as ap_escape_logitem does: control characters,
// DEL and bytes ≥ 0x80 as \xhh (or \b \n \r \t \v), '"' and '\' with a
// backslash. What remains is printable ASCII, safe for a terminal.
func appendLogItem[T string | []byte](dst []byte, b T) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\v':
			dst = append(dst, '\\', 'v')
		case c < 0x20 || c >= 0x7f:
			dst = append(dst, '\\', 'x', hex[c>>4], hex[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendEscaped appends scoreboard text for an HTML page: log-item escaping
// (so control bytes never reach the page), then HTML escaping, as
// mod_status does for the request line. The intermediate buffer lives on
// the stack for the scoreboard's field widths.
func appendEscaped(dst, b []byte) []byte {
	var tmp [4 * 64]byte
	return appendHTML(dst, appendLogItem(tmp[:0], b))
}
