package http1

import (
	"bytes"
	"sync/atomic"
	"time"
)

// TimeFormat is the IMF-fixdate layout (RFC 9110 5.6.7) for time.Format,
// the only format a server sends.
const TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

var (
	dayNames     = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	longDayNames = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	monthNames   = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// AppendHTTPDate appends t in IMF-fixdate form, "Sun, 06 Nov 1994 08:49:37
// GMT", to dst, without allocating for years 0 through 9999.
func AppendHTTPDate(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(dst, TimeFormat)
	}
	hour, minute, sec := t.Clock()
	dst = append(dst, dayNames[t.Weekday()]...)
	dst = append(dst, ", "...)
	dst = append2(dst, day)
	dst = append(dst, ' ')
	dst = append(dst, monthNames[month-1]...)
	dst = append(dst, ' ')
	dst = append2(append2(dst, year/100), year%100)
	dst = append(dst, ' ')
	dst = append(append2(dst, hour), ':')
	dst = append(append2(dst, minute), ':')
	dst = append2(dst, sec)
	return append(dst, " GMT"...)
}

func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

// DateCache gives the current Date header value (RFC 9110 6.6.1),
// formatting it at most once per second of the clock. It is safe for
// concurrent use without a lock: the value lives behind an atomic pointer
// and is replaced, never modified. The zero DateCache is ready to use.
type DateCache struct {
	// Now returns the current time; nil means time.Now. Tests inject a
	// clock here; set it before the first use.
	Now func() time.Time
	cur atomic.Pointer[dateValue]
}

type dateValue struct {
	sec int64
	b   []byte
}

// Value returns the current IMF-fixdate. The returned bytes are shared and
// must not be modified. Only the first call in each second allocates.
func (c *DateCache) Value() []byte {
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	return c.valueAt(now)
}

// valueAt is Value for the time now.
func (c *DateCache) valueAt(now time.Time) []byte {
	sec := now.Unix()
	old := c.cur.Load()
	if old != nil && old.sec == sec {
		return old.b
	}
	v := &dateValue{sec: sec, b: AppendHTTPDate(make([]byte, 0, len(TimeFormat)), now)}
	c.cur.CompareAndSwap(old, v) // a racing caller's value is as good
	return v.b
}

// AppendDate appends the current IMF-fixdate to dst.
func (c *DateCache) AppendDate(dst []byte) []byte {
	return append(dst, c.Value()...)
}

// AppendDateAt appends the IMF-fixdate of unixNano, a reading of the wall
// clock the caller took just now, to dst: AppendDate without a clock read
// of its own. It shares the cached value, which it replaces when the
// second has changed.
func (c *DateCache) AppendDateAt(dst []byte, unixNano int64) []byte {
	return append(dst, c.valueAt(time.Unix(0, unixNano))...)
}

// ParseHTTPDate parses an HTTP-date in any of the three formats RFC 9110
// 5.6.7 tells recipients to accept: IMF-fixdate ("Sun, 06 Nov 1994
// 08:49:37 GMT"), the obsolete RFC 850 form ("Sunday, 06-Nov-94 08:49:37
// GMT") and asctime ("Sun Nov  6 08:49:37 1994"). Like the grammar it is
// case-sensitive; the day name is checked for syntax only. A two-digit RFC
// 850 year more than 50 years in the future is taken from the previous
// century. Parsing IMF-fixdate does not allocate.
func ParseHTTPDate(b []byte) (time.Time, bool) {
	return parseHTTPDate(b, time.Now)
}

func parseHTTPDate(b []byte, now func() time.Time) (time.Time, bool) {
	switch {
	case len(b) == 29 && b[3] == ',':
		return parseIMFFixdate(b)
	case len(b) == 24 && b[3] == ' ':
		return parseASCTime(b)
	}
	return parseRFC850(b, now)
}

// parseIMFFixdate parses "Sun, 06 Nov 1994 08:49:37 GMT".
func parseIMFFixdate(b []byte) (time.Time, bool) {
	if !isDayName(b[:3]) || b[4] != ' ' || b[7] != ' ' || b[11] != ' ' || b[16] != ' ' ||
		string(b[25:]) != " GMT" {
		return time.Time{}, false
	}
	y1, ok1 := digits2(b[12:14])
	y2, ok2 := digits2(b[14:16])
	if !ok1 || !ok2 {
		return time.Time{}, false
	}
	return makeDate(y1*100+y2, b[8:11], b[5:7], b[17:25])
}

// parseASCTime parses "Sun Nov  6 08:49:37 1994".
func parseASCTime(b []byte) (time.Time, bool) {
	if !isDayName(b[:3]) || b[7] != ' ' || b[10] != ' ' || b[19] != ' ' {
		return time.Time{}, false
	}
	day := b[8:10]
	if day[0] == ' ' {
		day = []byte{'0', day[1]}
	}
	y1, ok1 := digits2(b[20:22])
	y2, ok2 := digits2(b[22:24])
	if !ok1 || !ok2 {
		return time.Time{}, false
	}
	return makeDate(y1*100+y2, b[4:7], day, b[11:19])
}

// parseRFC850 parses "Sunday, 06-Nov-94 08:49:37 GMT".
func parseRFC850(b []byte, now func() time.Time) (time.Time, bool) {
	const restLen = len("06-Nov-94 08:49:37 GMT")
	i := len(b) - restLen - 2
	if i < 6 || i > 9 || b[i] != ',' || b[i+1] != ' ' || !isLongDayName(b[:i]) {
		return time.Time{}, false
	}
	r := b[i+2:]
	if r[2] != '-' || r[6] != '-' || r[9] != ' ' || string(r[18:]) != " GMT" {
		return time.Time{}, false
	}
	yy, ok := digits2(r[7:9])
	if !ok {
		return time.Time{}, false
	}
	this := now().UTC().Year()
	year := this - this%100 + yy
	if year > this+50 {
		year -= 100
	}
	return makeDate(year, r[3:6], r[:2], r[10:18])
}

// makeDate checks and combines the parts common to the three formats.
func makeDate(year int, mon, day, clock []byte) (time.Time, bool) {
	m := monthIndex(mon)
	d, okd := digits2(day)
	h, okh := digits2(clock[0:2])
	mi, okm := digits2(clock[3:5])
	s, oks := digits2(clock[6:8])
	if m == 0 || !okd || !okh || !okm || !oks || clock[2] != ':' || clock[5] != ':' ||
		d < 1 || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, m, d, h, mi, s, 0, time.UTC)
	if t.Day() != d { // 31 Apr, 29 Feb of a common year
		return time.Time{}, false
	}
	return t, true
}

func digits2(b []byte) (int, bool) {
	if !isDigit(b[0]) || !isDigit(b[1]) {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

func monthIndex(b []byte) time.Month {
	for i, m := range monthNames {
		if string(b) == m {
			return time.Month(i + 1)
		}
	}
	return 0
}

func isDayName(b []byte) bool {
	for _, d := range dayNames {
		if string(b) == d {
			return true
		}
	}
	return false
}

func isLongDayName(b []byte) bool {
	for _, d := range longDayNames {
		if string(b) == d {
			return true
		}
	}
	return false
}

// ParseConditionalDate parses the date of If-Modified-Since,
// If-Unmodified-Since and If-Range as Apache does (apr_date_parse_http):
// an HTTP-date as ParseHTTPDate reads it, or else one of its formats with
// whatever follows the time of day ignored, the zone included (" UTC",
// " +0000", old browsers' "; length=1234"), a one-digit day of month, and
// the day name unchecked. A two-digit RFC 850 year below 70 is 20yy, else
// 19yy. Such dates are read as GMT. It does not allocate.
func ParseConditionalDate(b []byte) (time.Time, bool) {
	if t, ok := ParseHTTPDate(b); ok {
		return t, true
	}
	return parseLooseDate(b)
}

// parseLooseDate is apr_date_parse_http's reading: leading spaces, a day
// name up to the first space, then one of four masks (dateMask).
func parseLooseDate(b []byte) (time.Time, bool) {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	sp := bytes.IndexByte(b, ' ')
	if len(b) == 0 || sp < 0 {
		return time.Time{}, false
	}
	d := b[sp+1:]
	var year, day int
	var mon, clock []byte
	switch {
	case dateMask(d, "## @$$ #### ##:##:## *"): // RFC 1123
		year = int(d[7]-'0')*1000 + int(d[8]-'0')*100 + int(d[9]-'0')*10 + int(d[10]-'0')
		day, mon, clock = int(d[0]-'0')*10+int(d[1]-'0'), d[3:6], d[12:20]
	case dateMask(d, "##-@$$-## ##:##:## *"): // RFC 850
		if year = int(d[7]-'0')*10 + int(d[8]-'0'); year < 70 {
			year += 2000
		} else {
			year += 1900
		}
		day, mon, clock = int(d[0]-'0')*10+int(d[1]-'0'), d[3:6], d[10:18]
	case dateMask(d, "@$$ ~# ##:##:## ####*"): // asctime
		year = int(d[16]-'0')*1000 + int(d[17]-'0')*100 + int(d[18]-'0')*10 + int(d[19]-'0')
		day, mon, clock = int(d[5]-'0'), d[:3], d[7:15]
		if d[4] != ' ' {
			day += int(d[4]-'0') * 10
		}
	case dateMask(d, "# @$$ #### ##:##:## *"): // RFC 1123, one-digit day
		year = int(d[6]-'0')*1000 + int(d[7]-'0')*100 + int(d[8]-'0')*10 + int(d[9]-'0')
		day, mon, clock = int(d[0]-'0'), d[2:5], d[11:19]
	default:
		return time.Time{}, false
	}
	m := monthIndex(mon)
	h := int(clock[0]-'0')*10 + int(clock[1]-'0')
	mi := int(clock[3]-'0')*10 + int(clock[4]-'0')
	s := int(clock[6]-'0')*10 + int(clock[7]-'0')
	if m == 0 || day < 1 || h > 23 || mi > 59 || s > 61 { // apr allows leap seconds
		return time.Time{}, false
	}
	t := time.Date(year, m, day, h, mi, 0, 0, time.UTC)
	if t.Day() != day { // 31 Apr, 29 Feb of a common year
		return time.Time{}, false
	}
	return t.Add(time.Duration(s) * time.Second), true
}

// dateMask is apr_date_checkmask: '@' an upper-case letter, '$' a
// lower-case one, '#' a digit, '~' a digit or a space, '*' anything from
// there on (the end included); any other mask byte stands for itself, and
// without '*' the data ends with the mask.
func dateMask(d []byte, mask string) bool {
	for i := 0; i < len(mask); i++ {
		if mask[i] == '*' {
			return true
		}
		if i >= len(d) {
			return false
		}
		c := d[i]
		switch mask[i] {
		case '@':
			if c < 'A' || c > 'Z' {
				return false
			}
		case '$':
			if c < 'a' || c > 'z' {
				return false
			}
		case '#':
			if !isDigit(c) {
				return false
			}
		case '~':
			if c != ' ' && !isDigit(c) {
				return false
			}
		default:
			if c != mask[i] {
				return false
			}
		}
	}
	return len(d) == len(mask)
}
