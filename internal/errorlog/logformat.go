package errorlog

import (
	"log/slog"
	"slices"
	"strconv"
	"syscall"
	"time"

	"eventmpm/internal/strftime"
)

// Format is one compiled ErrorLogFormat string (core's
// parse_errorlog_string): literal text and %-items. A zero *Format means
// Apache's default line.
type Format struct {
	items []formatItem
}

// formatItem is one piece of a Format: literal text (letter 0, the text in
// arg), the message (letter 'M') or an item such as %{Referer}i.
type formatItem struct {
	letter byte
	arg    string
	// fieldSep starts a field: an item whose value is empty takes back
	// what its field wrote so far and skips the rest of it.
	fieldSep bool
	// required ('+', once-per-connection and once-per-request formats
	// only): an empty value drops the whole line. hyphen ('-'): an empty
	// value is written as "-" instead.
	required, hyphen bool
	// minLevel (a number after '%'): the item is written only for lines
	// of that level (Apache's number, 0 emerg ... 15 trace8) or more
	// verbose ones.
	minLevel int
}

// formatLetters are the items Apache's core registers
// (ap_register_log_hooks).
const formatLetters = "aAeEFikLlmnPtTvV"

// FormatSpec is ErrorLogFormat as configured for one server: Main is the
// format of every line ("" for Apache's default line); Connection and
// Request are the formats of the lines written before the first line about
// a connection and about a request ("ErrorLogFormat connection ..." and
// "ErrorLogFormat request ...").
type FormatSpec struct {
	Main       string   `json:",omitempty"`
	Connection []string `json:",omitempty"`
	Request    []string `json:",omitempty"`
}

// Equal reports whether s and o configure the same lines.
func (s FormatSpec) Equal(o FormatSpec) bool {
	return s.Main == o.Main && slices.Equal(s.Connection, o.Connection) && slices.Equal(s.Request, o.Request)
}

// Formats are a [FormatSpec] compiled.
type Formats struct {
	Main       *Format
	Connection []*Format
	Request    []*Format
}

// CompileFormats compiles every format of spec.
func CompileFormats(spec FormatSpec) (*Formats, error) {
	fs := &Formats{}
	if spec.Main != "" {
		f, err := ParseFormat(spec.Main, true)
		if err != nil {
			return nil, err
		}
		fs.Main = f
	}
	for _, s := range spec.Connection {
		f, err := ParseFormat(s, false)
		if err != nil {
			return nil, err
		}
		fs.Connection = append(fs.Connection, f)
	}
	for _, s := range spec.Request {
		f, err := ParseFormat(s, false)
		if err != nil {
			return nil, err
		}
		fs.Request = append(fs.Request, f)
	}
	return fs, nil
}

// ParseFormat compiles an ErrorLogFormat string: the main format of every
// line when main is set (it must contain %M), else a once-per-connection
// or once-per-request line. The errors are Apache's words.
func ParseFormat(s string, main bool) (*Format, error) {
	f := &Format{}
	seenMessage := false
	for s != "" {
		var it formatItem
		var err error
		if s, err = parseFormatItem(&it, s); err != nil {
			return nil, err
		}
		switch {
		case it.letter == 'M' && !main:
			return nil, formatError("%M cannot be used in once-per-request or once-per-connection formats")
		case it.required && main:
			return nil, formatError("The '+' flag cannot be used in the main error log format")
		case it.minLevel != 0 && !main:
			return nil, formatError("The loglevel cannot be used as a condition in once-per-request or once-per-connection formats")
		case it.minLevel > len(levelNames)-1:
			return nil, formatError("The specified loglevel modifier is out of range")
		}
		seenMessage = seenMessage || it.letter == 'M'
		f.items = append(f.items, it)
	}
	if main && !seenMessage {
		return nil, formatError("main ErrorLogFormat must contain message format string '%M'")
	}
	return f, nil
}

// formatError is an error of ParseFormat, in Apache's words (which begin
// with a capital letter).
type formatError string

func (e formatError) Error() string { return string(e) }

// parseFormatItem reads one item from the front of s (parse_errorlog_item)
// and returns the rest.
func parseFormatItem(it *formatItem, s string) (string, error) {
	if s[0] != '%' {
		if s[0] == ' ' {
			it.fieldSep = true
		}
		return parseLiteral(it, s), nil
	}
	s = s[1:]
	if s != "" && s[0] == ' ' {
		// "% " separates fields and writes nothing itself.
		it.fieldSep = true
		if s = s[1:]; s == "" {
			return "", nil // an empty literal, as in Apache
		}
		return parseFormatItem(it, s)
	}
	if s != "" && s[0] == '%' {
		it.arg = "%"
		return s[1:], nil
	}
	for s != "" {
		switch c := s[0]; {
		case c == '{':
			end := 1
			for end < len(s) && s[end] != '}' {
				end++
			}
			it.arg = s[1:end]
			s = s[min(end+1, len(s)):]
		case c == '+':
			it.required, s = true, s[1:]
		case c == '-':
			it.hyphen, s = true, s[1:]
		case '0' <= c && c <= '9':
			n := 0
			for s != "" && '0' <= s[0] && s[0] <= '9' {
				if n < 1<<20 {
					n = n*10 + int(s[0]-'0')
				}
				s = s[1:]
			}
			it.minLevel = n
		case c == 'M':
			it.letter = 'M'
			return s[1:], nil
		default:
			if !containsByte(formatLetters, c) {
				return "", formatError("Unrecognized error log format directive %" + string(rune(c)))
			}
			it.letter = c
			return s[1:], nil
		}
	}
	return "", formatError("Ran off end of error log format parsing args to some directive")
}

// parseLiteral reads literal text up to the next '%' or, after its first
// non-blank byte, the next blank (parse_errorlog_misc_string): a blank
// that follows text starts the next field. A backslash writes \r, \n, \t
// for r, n, t and any other byte as it is ("\ " is a blank that does not
// end the text).
func parseLiteral(it *formatItem, s string) string {
	var text []byte
	atStart := true
	i := 0
	for i < len(s) && s[i] != '%' && (s[i] != ' ' || atStart) {
		c := s[i]
		if c != '\\' {
			if c != ' ' {
				atStart = false
			}
			text = append(text, c)
			i++
			continue
		}
		i++
		if i == len(s) {
			text = append(text, '\\')
			break
		}
		switch s[i] {
		case 'r':
			text = append(text, '\r')
		case 'n':
			text = append(text, '\n')
		case 't':
			text = append(text, '\t')
		default:
			text = append(text, s[i])
		}
		i++
	}
	it.arg = string(text)
	return s[i:]
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// Request is what a line about a request can show beyond the record: the
// ErrorLogFormat items that read the request or its connection. The child's
// worker implements it and passes itself with [ReqAttr]; the handler calls
// it while it writes the line, on the logging goroutine.
type Request interface {
	// ErrorLogItem returns the raw value of the item %{arg}letter for the
	// letters a, A, e, i, k, L, n, v and V, nil when it has none. conn is
	// set for a once-per-connection line, which knows no request: the
	// request's items (e, i, n, V and L without {c}) have none there, and
	// %a is the connection's peer.
	ErrorLogItem(letter byte, arg string, conn bool) []byte
	// NewLogIDs gives the connection and the request their log IDs (%L)
	// if they have none yet, and reports which it gave: this is the
	// first line about them.
	NewLogIDs() (conn, req bool)
}

// RequestKey is the attribute key of a [Request].
const RequestKey = "request"

// ReqAttr returns a [RequestKey] attribute.
func ReqAttr(r Request) slog.Attr { return slog.Any(RequestKey, r) }

// line is what a format item may show about one line.
type line struct {
	time    time.Time
	level   int // Apache's number (0 emerg ... 15 trace8); -1 for once-per lines
	module  string
	pid     int
	tid     int64
	pc      uintptr
	errno   syscall.Errno
	client  string
	server  string // %v without a request
	req     Request
	conn    bool   // a once-per-connection line
	message []byte // escaped, with its attributes
}

// appendLine appends the line f makes for l and reports whether there is
// one: an empty '+' item drops it (do_errorlog_format).
func (f *Format) appendLine(b []byte, l *line) ([]byte, bool) {
	start := len(b)
	fieldStart := len(b)
	skipping := false
	for i := range f.items {
		it := &f.items[i]
		if it.fieldSep {
			if skipping {
				skipping = false
			} else {
				fieldStart = len(b)
			}
		}
		switch {
		case it.letter == 'M':
			b = append(b, l.message...)
			continue
		case skipping:
			continue
		case l.level >= 0 && it.minLevel > l.level:
			b, skipping = b[:fieldStart], true
			continue
		}
		n := len(b)
		b = l.appendItem(b, it)
		if len(b) > n {
			continue
		}
		switch {
		case it.required:
			return b[:start], false
		case it.hyphen:
			b = append(b, '-')
		default:
			b, skipping = b[:fieldStart], true
		}
	}
	return b, true
}

// appendItem appends the value of one item, nothing when it has none.
func (l *line) appendItem(b []byte, it *formatItem) []byte {
	switch it.letter {
	case 0:
		return append(b, it.arg...)
	case 'l':
		if l.level < 0 {
			return b
		}
		return append(b, levelNames[l.level].name...)
	case 'm':
		return appendMessage(b, l.module)
	case 'P':
		return strconv.AppendInt(b, int64(l.pid), 10)
	case 'T':
		if it.arg == "g" {
			if tid := gettid(); tid > 0 {
				return strconv.AppendInt(b, int64(tid), 10)
			}
			return b
		}
		return strconv.AppendInt(b, l.tid, 10)
	case 't':
		return appendFormatTime(b, it.arg, l.time)
	case 'F':
		if l.pc == 0 {
			return b
		}
		b = appendSource(b, l.pc)
		return b[:len(b)-2] // without its ": "
	case 'E':
		if l.errno == 0 {
			return b
		}
		b = append(b, '(')
		b = strconv.AppendUint(b, uint64(l.errno), 10)
		b = append(b, ')')
		return appendMessage(b, capitalize(l.errno.Error()))
	}
	if l.req == nil {
		switch it.letter {
		case 'a':
			return appendMessage(b, l.client)
		case 'v':
			return appendMessage(b, l.server)
		}
		return b
	}
	v := l.req.ErrorLogItem(it.letter, it.arg, l.conn)
	if it.letter == 'e' || it.letter == 'i' || it.letter == 'n' {
		for _, c := range v {
			b = appendEscapedByte(b, c, escapeLetter(c))
		}
		return b
	}
	return append(b, v...)
}

// appendFormatTime appends %t or %{arg}t: Apache's ctime, with 'u'
// microseconds, 'm' milliseconds, 'c' the compact ISO 8601 form and 'z'
// the UTC offset; an argument with '%' is a strftime(3) format.
func appendFormatTime(b []byte, arg string, t time.Time) []byte {
	t = t.Local()
	if containsByte(arg, '%') {
		return strftime.Append(b, arg, t)
	}
	var usec, msec, compact, zone bool
	for i := 0; i < len(arg); i++ {
		switch arg[i] {
		case 'u':
			usec = true
		case 'm':
			msec = true
		case 'c':
			compact = true
		case 'z':
			zone = true
		}
	}
	if compact {
		b = strftime.Append(b, "%Y-%m-%d %H:%M:%S", t)
	} else {
		b = strftime.Append(b, "%a %b %d %H:%M:%S", t)
	}
	switch {
	case usec:
		b = append(b, '.')
		b = strftime.AppendPad(b, t.Nanosecond()/1e3, 6)
	case msec:
		b = append(b, '.')
		b = strftime.AppendPad(b, t.Nanosecond()/1e6, 3)
	}
	if !compact {
		b = append(b, ' ')
		b = strftime.AppendPad(b, t.Year(), 4)
	}
	if zone {
		_, off := t.Zone()
		b = append(b, ' ')
		b = strftime.AppendZone(b, off)
	}
	return b
}

// apacheLevel returns Apache's number for l: 0 emerg ... 7 debug, 8 trace1
// ... 15 trace8 (the index of its name in levelNames).
func apacheLevel(l slog.Level) int {
	for i, n := range levelNames {
		if l >= n.level {
			return i
		}
	}
	return len(levelNames) - 1
}
