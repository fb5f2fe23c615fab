package errorlog

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"time"
)

const hexDigits = "0123456789abcdef"

// escapeLetter is the letter Apache writes after a backslash for a byte,
// 'x' for \xhh, 0 for none needed: controls, DEL and bytes >= 0x80 (so
// UTF-8 is logged byte by byte) and the backslash, as in server/util.c's
// ap_escape_errorlog_item. Unlike in the access log, '"' is not escaped in
// messages.
func escapeLetter(c byte) byte {
	switch c {
	case '\b':
		return 'b'
	case '\n':
		return 'n'
	case '\r':
		return 'r'
	case '\t':
		return 't'
	case '\v':
		return 'v'
	case '\\':
		return '\\'
	}
	if c < 0x20 || c >= 0x7f {
		return 'x'
	}
	return 0
}

// appendMessage appends s escaped as an error log item.
func appendMessage(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		b = appendEscapedByte(b, s[i], escapeLetter(s[i]))
	}
	return b
}

func appendEscapedByte(b []byte, c, e byte) []byte {
	switch e {
	case 0:
		return append(b, c)
	case 'x':
		return append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
	default:
		return append(b, '\\', e)
	}
}

// appendQuoted appends s as a key=value value: bare when it is a non-empty
// run of printable ASCII without blanks, '"', '\' or '=', else in double
// quotes with '"' escaped as well.
func appendQuoted(b []byte, s string) []byte {
	if !needsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '\\', '"')
			continue
		}
		b = appendEscapedByte(b, s[i], escapeLetter(s[i]))
	}
	return append(b, '"')
}

func needsQuotes(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '=' {
			return true
		}
	}
	return false
}

// appendAttr appends " key=value" for a, qualified by the group path
// prefix; a group's members are flattened ("g.key=value"). Empty
// attributes and empty groups write nothing, as slog requires.
func appendAttr(b []byte, prefix string, a slog.Attr) []byte {
	v := a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return b
	}
	if v.Kind() == slog.KindGroup {
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, m := range v.Group() {
			b = appendAttr(b, prefix, m)
		}
		return b
	}
	b = append(b, ' ')
	b = appendMessage(b, prefix)
	b = appendMessage(b, a.Key)
	b = append(b, '=')
	return appendValue(b, v)
}

// appendValue appends a resolved, non-group value.
func appendValue(b []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindFloat64:
		return strconv.AppendFloat(b, v.Float64(), 'g', -1, 64)
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		return append(b, v.Duration().String()...)
	case slog.KindTime:
		return v.Time().AppendFormat(b, time.RFC3339Nano)
	case slog.KindString:
		return appendQuoted(b, v.String())
	}
	if err, ok := v.Any().(error); ok {
		return appendQuoted(b, err.Error())
	}
	return appendQuoted(b, fmt.Sprint(v.Any()))
}

// formatCode renders a CodeKey value: an integer n as "AH%05d", a string
// of digits with the "AH" prefix added, any other string as it is.
func formatCode(v slog.Value) string {
	switch v.Kind() {
	case slog.KindInt64, slog.KindUint64:
		s := v.String()
		for len(s) < 5 {
			s = "0" + s
		}
		return "AH" + s
	}
	s := v.String()
	if _, err := strconv.Atoi(s); err == nil {
		return "AH" + s
	}
	return s
}

// formatClient renders a ClientKey value as Apache does, "ip:port" with
// no brackets around an IPv6 address.
func formatClient(v slog.Value) string {
	var ap netip.AddrPort
	switch x := v.Any().(type) {
	case netip.AddrPort:
		ap = x
	case *net.TCPAddr:
		ap = x.AddrPort()
	case net.Addr:
		if x == nil {
			return ""
		}
		return x.String()
	default:
		return v.String()
	}
	if !ap.IsValid() {
		return ""
	}
	return ap.Addr().Unmap().String() + ":" + strconv.Itoa(int(ap.Port()))
}

// appendCtime appends t as Apache's ap_recent_ctime_ex with microseconds:
// "Wed Nov 25 19:40:00.123456 2026".
func appendCtime(b []byte, t time.Time) []byte {
	b = t.AppendFormat(b, "Mon Jan 02 15:04:05.000000 ")
	return strconv.AppendInt(b, int64(t.Year()), 10)
}
