package accesslog

import (
	"strconv"
	"strings"
)

// Format is a compiled LogFormat. It is immutable and safe for concurrent
// use by any number of workers.
type Format struct {
	src   string
	items []item
}

// SyntaxError is a LogFormat string that does not compile. Msg carries
// Apache's wording where Apache has one ("Unrecognized LogFormat directive
// %Y"); Offset is the byte offset in the format of the '%' that started the
// bad item. The config package adds file and line.
type SyntaxError struct {
	Offset int
	Msg    string
}

// Error returns Msg, which is what Apache prints.
func (e *SyntaxError) Error() string { return e.Msg }

// op says what one format item writes; see the table in append.go.
type op uint8

const (
	opLiteral       op = iota
	opRemoteIP         // %h %a (no HostnameLookups), %{c}h %{c}a
	opLocalIP          // %A
	opDash             // %l %{..}^ti %{..}^to %^FB: never known here
	opUser             // %u
	opTime             // %t %{..}t
	opRequestLine      // %r
	opStatus           // %s %<s %>s
	opBodyCLF          // %b
	opBody             // %B
	opMicros           // %D
	opDuration         // %T %{s|ms|us}T
	opPath             // %U
	opQuery            // %q
	opMethod           // %m
	opProto            // %H
	opServerName       // %v
	opCanonicalName    // %V
	opPort             // %p %{canonical|local|remote}p
	opPID              // %P %{pid|tid|hextid}P
	opKeepAlive        // %k
	opConnStatus       // %X
	opBytesIn          // %I
	opBytesOut         // %O
	opBytesTotal       // %S
	opHeaderIn         // %{Name}i
	opHeaderOut        // %{Name}o
	opEnv              // %{Name}e
	opTLS              // %{Name}x: mod_ssl's variables
	opCookie           // %{Name}C
	opFilename         // %f
	opHandler          // %R
	opNote             // %{Name}n: only mod_remoteip's remoteip-proxy-ip-list
	opLogID            // %L
	opCount
)

// Variants of an item, in item.sub.
const (
	subDefault = iota

	subPortLocal  // %{local}p
	subPortRemote // %{remote}p

	subPeer // %{c}a %{c}h: the connection's peer, not mod_remoteip's client

	subTID    // %{tid}P
	subHexTID // %{hextid}P

	subMillis // %{ms}T
	subMicros // %{us}T

	// Time forms of %{...}t (item.end selects the end: time).
	subTimeCustom // strftime text in item.text
	subTimeSec
	subTimeMsec
	subTimeUsec
	subTimeMsecFrac
	subTimeUsecFrac
)

// item is one compiled piece of a format.
type item struct {
	op     op
	sub    uint8
	final  bool   // %>: the final request (%s defaults to the original)
	end    bool   // %{end:...}t
	negate bool   // %!...: log unless the status is listed
	conds  []int  // status list of a conditional item; nil: always
	text   string // literal text, or the {argument}
}

// directives maps a directive letter to its op. Apache's three-character
// '^' directives are looked up separately.
var directives = map[byte]op{
	'h': opRemoteIP, 'a': opRemoteIP, 'A': opLocalIP, 'l': opDash, 'L': opLogID,
	'u': opUser, 't': opTime, 'r': opRequestLine, 's': opStatus, 'b': opBodyCLF,
	'B': opBody, 'D': opMicros, 'T': opDuration, 'U': opPath, 'q': opQuery,
	'm': opMethod, 'H': opProto, 'v': opServerName, 'V': opCanonicalName,
	'p': opPort, 'P': opPID, 'k': opKeepAlive, 'X': opConnStatus, 'I': opBytesIn,
	'O': opBytesOut, 'S': opBytesTotal, 'i': opHeaderIn, 'o': opHeaderOut,
	'e': opEnv, 'x': opTLS, 'C': opCookie, 'f': opFilename, 'R': opHandler, 'n': opNote,
}

// caretDirectives are Apache's "^xx" directives: trailers and mod_logio's
// time to first byte, none of which eventmpm records, so they log "-".
var caretDirectives = map[string]op{"^ti": opDash, "^to": opDash, "^FB": opDash}

// Compile parses an Apache LogFormat string (the value after the config
// package has removed the outer quotes). Literal text may use the escapes
// \n, \r, \t, \\ and \"; any other backslash is kept as it is, as in
// mod_log_config. A '%' directive may carry modifiers in any order before
// its letter: a comma-separated status list ("%400,501{User-Agent}i" logs
// the header only for those statuses, "%!200,304{Referer}i" for all others,
// "-" otherwise), '<' or '>' (original or final request) and a {argument}.
func Compile(format string) (*Format, error) {
	f := &Format{src: format}
	for i := 0; i < len(format); {
		if format[i] != '%' {
			var lit string
			lit, i = parseLiteral(format, i)
			f.addLiteral(lit)
			continue
		}
		it, next, err := parseItem(format, i)
		if err != nil {
			return nil, err
		}
		if it.op == opLiteral {
			f.addLiteral(it.text)
		} else {
			f.items = append(f.items, it)
		}
		i = next
	}
	return f, nil
}

// MustCompile is like [Compile] but panics on error; for formats fixed in
// the program such as the nicknames' definitions.
func MustCompile(format string) *Format {
	f, err := Compile(format)
	if err != nil {
		panic("accesslog: MustCompile(" + strconv.Quote(format) + "): " + err.Error())
	}
	return f
}

// String returns the source of the format.
func (f *Format) String() string { return f.src }

// addLiteral appends literal text, merging it with a preceding literal.
func (f *Format) addLiteral(s string) {
	if s == "" {
		return
	}
	if n := len(f.items); n > 0 && f.items[n-1].op == opLiteral {
		f.items[n-1].text += s
		return
	}
	f.items = append(f.items, item{op: opLiteral, text: s})
}

// parseLiteral returns the unescaped literal text starting at i and the
// offset of the next '%' (or the end).
func parseLiteral(s string, i int) (string, int) {
	var b strings.Builder
	for i < len(s) && s[i] != '%' {
		c := s[i]
		i++
		if c != '\\' || i == len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '\\', '"':
			b.WriteByte(s[i])
		default:
			b.WriteByte('\\') // kept; the next byte is read normally
			continue
		}
		i++
	}
	return b.String(), i
}

// parseItem parses the directive starting at the '%' at start. It returns
// the item and the offset just past it.
func parseItem(s string, start int) (item, int, error) {
	i := start + 1
	if i < len(s) && s[i] == '%' {
		return item{op: opLiteral, text: "%"}, i + 1, nil
	}
	var it item
	for i < len(s) {
		c := s[i]
		switch {
		case c == '!':
			it.negate = !it.negate
			i++
		case c == '<' || c == '>':
			it.final = c == '>'
			i++
		case c == ',':
			i++
		case c == '{':
			end := strings.IndexByte(s[i+1:], '}')
			if end < 0 {
				return it, 0, syntaxErr(start, "missing '}' in LogFormat directive %"+s[start+1:])
			}
			it.text = s[i+1 : i+1+end]
			i += end + 2
		case '0' <= c && c <= '9':
			var n int
			n, i = parseStatus(s, i)
			it.conds = append(it.conds, n)
		default:
			return finishItem(s, start, i, it)
		}
	}
	return it, 0, syntaxErr(start, "Ran off end of LogFormat parsing args to some directive")
}

// parseStatus reads the decimal number at s[i:] (capped, so a long run of
// digits cannot overflow).
func parseStatus(s string, i int) (int, int) {
	n := 0
	for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		if n < 1e6 {
			n = n*10 + int(s[i]-'0')
		}
	}
	return n, i
}

// finishItem looks up the directive at s[i:] and checks its argument.
func finishItem(s string, start, i int, it item) (item, int, error) {
	if s[i] == '^' && i+3 <= len(s) {
		if o, ok := caretDirectives[s[i:i+3]]; ok {
			it.op = o
			return it, i + 3, nil
		}
	}
	o, ok := directives[s[i]]
	if !ok {
		return it, 0, syntaxErr(start, "Unrecognized LogFormat directive %"+s[i:i+1])
	}
	it.op = o
	if err := setVariant(&it); err != nil {
		return it, 0, syntaxErr(start, err.Error()+" in LogFormat directive %"+s[start+1:i+1])
	}
	return it, i + 1, nil
}

// badArg is the error of an {argument} a directive does not accept.
type badArg string

// Error says what is wrong with the argument.
func (e badArg) Error() string {
	if e == "" {
		return "missing {name} argument"
	}
	return "unknown argument {" + string(e) + "}"
}

// setVariant interprets it.text for the directives whose argument selects a
// variant. Apache logs a bogus argument verbatim; eventmpm rejects it at
// compile time instead, so a typo shows up in configtest.
func setVariant(it *item) error {
	a := it.text
	switch it.op {
	case opTime:
		return setTimeVariant(it)
	case opPort:
		it.sub = variant(a, map[string]uint8{"": subDefault, "canonical": subDefault,
			"local": subPortLocal, "remote": subPortRemote})
	case opPID:
		it.sub = variant(a, map[string]uint8{"": subDefault, "pid": subDefault,
			"tid": subTID, "hextid": subHexTID})
	case opDuration:
		it.sub = variant(a, map[string]uint8{"": subDefault, "s": subDefault,
			"ms": subMillis, "us": subMicros})
	case opRemoteIP:
		it.sub = variant(a, map[string]uint8{"": subDefault, "c": subPeer})
	case opHeaderIn, opHeaderOut, opEnv, opCookie, opTLS:
		if a == "" {
			return badArg(a)
		}
		return nil
	default:
		return nil
	}
	if it.sub == 0xff {
		return badArg(a)
	}
	return nil
}

// variant looks a case-insensitive argument up in m, 0xff when absent.
func variant(a string, m map[string]uint8) uint8 {
	if v, ok := m[strings.ToLower(a)]; ok {
		return v
	}
	return 0xff
}

// setTimeVariant parses the argument of %{...}t: an optional "begin:" or
// "end:" prefix, then sec, msec, usec, msec_frac, usec_frac, a strftime
// format, or nothing for the CLF form (mod_log_config's log_request_time).
func setTimeVariant(it *item) error {
	a := it.text
	if rest, ok := strings.CutPrefix(a, "begin:"); ok {
		a = rest
	} else if rest, ok := strings.CutPrefix(a, "end:"); ok {
		a, it.end = rest, true
	}
	switch a {
	case "":
		it.sub = subDefault
	case "sec":
		it.sub = subTimeSec
	case "msec":
		it.sub = subTimeMsec
	case "usec":
		it.sub = subTimeUsec
	case "msec_frac":
		it.sub = subTimeMsecFrac
	case "usec_frac":
		it.sub = subTimeUsecFrac
	default:
		it.sub = subTimeCustom
	}
	it.text = a
	return nil
}

func syntaxErr(off int, msg string) error { return &SyntaxError{Offset: off, Msg: msg} }
