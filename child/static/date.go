package static

import "time"

// The http1 package will get its own HTTP-date code; these two are kept
// here, allocation-free, until the two are merged.

const (
	dayNames   = "SunMonTueWedThuFriSat"
	monthNames = "JanFebMarAprMayJunJulAugSepOctNovDec"
)

// longDays are the day names of the obsolete RFC 850 format.
var longDays = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// AppendHTTPDate appends t in the IMF-fixdate form of RFC 9110 5.6.7
// ("Sun, 06 Nov 1994 08:49:37 GMT"), the only form a server generates. It
// does not allocate when dst has 29 bytes of spare capacity.
func AppendHTTPDate(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	wd := int(t.Weekday())
	dst = append(dst, dayNames[wd*3:wd*3+3]...)
	dst = append(dst, ',', ' ')
	dst = append2(dst, day)
	dst = append(dst, ' ')
	m := int(month-1) * 3
	dst = append(dst, monthNames[m:m+3]...)
	dst = append(dst, ' ')
	dst = append2(dst, year/100)
	dst = append2(dst, year%100)
	dst = append(dst, ' ')
	dst = append2(dst, hour)
	dst = append(dst, ':')
	dst = append2(dst, minute)
	dst = append(dst, ':')
	dst = append2(dst, sec)
	return append(dst, " GMT"...)
}

// append2 appends v (0..99) as two digits.
func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

// ParseHTTPDate parses an HTTP-date in any of the three forms RFC 9110
// 5.6.7 requires recipients to accept: IMF-fixdate, the obsolete RFC 850
// form ("Sunday, 06-Nov-94 08:49:37 GMT", whose two-digit year is taken as
// the latest year not more than 50 years ahead), and asctime ("Sun Nov  6
// 08:49:37 1994"). Names are case-sensitive and the day name must be
// well-formed but need not agree with the date, as the RFC allows. It
// reports false for anything else, including impossible dates, and does
// not allocate.
func ParseHTTPDate(b []byte) (time.Time, bool) {
	return parseHTTPDate(b, time.Now().UTC().Year())
}

// parseHTTPDate is ParseHTTPDate with the current year given, for tests.
func parseHTTPDate(b []byte, nowYear int) (time.Time, bool) {
	switch {
	case len(b) == 29 && b[3] == ',':
		return parseIMF(b)
	case len(b) == 24 && b[3] == ' ':
		return parseASCTime(b)
	}
	return parseRFC850(b, nowYear)
}

// parseIMF parses "Sun, 06 Nov 1994 08:49:37 GMT".
func parseIMF(b []byte) (time.Time, bool) {
	if dayIndex(b[:3]) < 0 || string(b[3:5]) != ", " || b[7] != ' ' || b[11] != ' ' ||
		b[16] != ' ' || string(b[25:]) != " GMT" {
		return time.Time{}, false
	}
	day, ok1 := digits(b[5:7])
	mon := monthIndex(b[8:11])
	year, ok2 := digits(b[12:16])
	if !ok1 || !ok2 || mon < 0 {
		return time.Time{}, false
	}
	return makeDate(year, mon, day, b[17:25])
}

// parseASCTime parses "Sun Nov  6 08:49:37 1994".
func parseASCTime(b []byte) (time.Time, bool) {
	if dayIndex(b[:3]) < 0 || b[7] != ' ' || b[10] != ' ' || b[19] != ' ' {
		return time.Time{}, false
	}
	mon := monthIndex(b[4:7])
	dd := b[8:10]
	if dd[0] == ' ' {
		dd = dd[1:]
	}
	day, ok1 := digits(dd)
	year, ok2 := digits(b[20:24])
	if !ok1 || !ok2 || mon < 0 {
		return time.Time{}, false
	}
	return makeDate(year, mon, day, b[11:19])
}

// parseRFC850 parses "Sunday, 06-Nov-94 08:49:37 GMT".
func parseRFC850(b []byte, nowYear int) (time.Time, bool) {
	comma := -1
	for i := 0; i < len(b) && i < 10; i++ {
		if b[i] == ',' {
			comma = i
			break
		}
	}
	if comma < 0 || !isLongDay(b[:comma]) {
		return time.Time{}, false
	}
	r := b[comma:]
	// ", 06-Nov-94 08:49:37 GMT"
	if len(r) != 24 || r[1] != ' ' || r[4] != '-' || r[8] != '-' || r[11] != ' ' ||
		string(r[20:]) != " GMT" {
		return time.Time{}, false
	}
	day, ok1 := digits(r[2:4])
	mon := monthIndex(r[5:8])
	yy, ok2 := digits(r[9:11])
	if !ok1 || !ok2 || mon < 0 {
		return time.Time{}, false
	}
	// RFC 9110 5.6.7: a year more than 50 years in the future is the most
	// recent past year with the same last two digits.
	year := nowYear - nowYear%100 + yy
	if year > nowYear+50 {
		year -= 100
	}
	return makeDate(year, mon, day, r[12:20])
}

// makeDate checks and assembles a date whose clock is "hh:mm:ss". A leap
// second (ss = 60) is accepted and folded into the next second, as
// RFC 9110 permits.
func makeDate(year, mon, day int, clock []byte) (time.Time, bool) {
	if clock[2] != ':' || clock[5] != ':' {
		return time.Time{}, false
	}
	h, ok1 := digits(clock[0:2])
	m, ok2 := digits(clock[3:5])
	s, ok3 := digits(clock[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || s > 60 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	if day > daysIn(mon, year) {
		return time.Time{}, false // 31 Feb and the like
	}
	t := time.Date(year, time.Month(mon+1), day, h, m, s, 0, time.UTC)
	return t, true
}

// daysIn returns the number of days of the 0-based month mon of year.
func daysIn(mon, year int) int {
	return time.Date(year, time.Month(mon+2), 0, 0, 0, 0, 0, time.UTC).Day()
}

// digits parses b as an unsigned decimal number of all-digit bytes.
func digits(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// dayIndex returns the index of the three-letter day name b, or -1.
func dayIndex(b []byte) int { return index3(dayNames, b) }

// monthIndex returns the 0-based index of the three-letter month b, or -1.
func monthIndex(b []byte) int { return index3(monthNames, b) }

// index3 finds the three-byte name b in the concatenated table names.
func index3(names string, b []byte) int {
	if len(b) != 3 {
		return -1
	}
	for i := 0; i+3 <= len(names); i += 3 {
		if names[i] == b[0] && names[i+1] == b[1] && names[i+2] == b[2] {
			return i / 3
		}
	}
	return -1
}

// isLongDay reports whether b is a full English day name.
func isLongDay(b []byte) bool {
	for _, d := range longDays {
		if string(b) == d {
			return true
		}
	}
	return false
}
