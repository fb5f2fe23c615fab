// Package strftime formats times as the C library's strftime(3) does in
// the C locale, for the formats Apache passes through to it: the access
// log's %{format}t and the error log's %{format}t.
//
// Imports: the standard library only.
package strftime

import (
	"strconv"
	"time"
)

// English names, as the C locale's strftime writes them.
var (
	monthNames = [12]string{"January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December"}
	dayNames = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
		"Friday", "Saturday"}
)

// AppendZone appends a UTC offset in seconds as "+hhmm" or "-hhmm".
func AppendZone(b []byte, off int) []byte {
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	b = append(b, sign)
	b = append2(b, off/3600)
	return append2(b, off/60%60)
}

// append2 appends n (0..99) as two digits.
func append2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10%10), byte('0'+n%10))
}

// AppendPad appends the non-negative n zero-padded to width digits.
func AppendPad(b []byte, n, width int) []byte {
	var tmp [20]byte
	d := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(d); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

// Append appends t formatted by the strftime(3) format f, as the C
// locale writes it. Supported: %a %A %b %B %c %C %d %D %e %F %g %G %h %H %I
// %j %k %l %m %M %n %p %r %R %s %S %t %T %u %U %V %w %W %x %X %y %Y %z %Z
// %%. Any other conversion is copied as it is, as glibc does.
func Append(dst []byte, f string, t time.Time) []byte {
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' || i+1 == len(f) {
			dst = append(dst, c)
			continue
		}
		i++
		dst = appendConversion(dst, f[i], t)
	}
	return dst
}

// appendConversion appends one strftime conversion %c of t.
func appendConversion(dst []byte, c byte, t time.Time) []byte {
	switch c {
	case 'a', 'A', 'b', 'h', 'B', 'p', 'Z', 'n', 't', '%':
		return appendNameConversion(dst, c, t)
	case 'c':
		return Append(dst, "%a %b %e %H:%M:%S %Y", t)
	case 'D', 'x':
		return Append(dst, "%m/%d/%y", t)
	case 'F':
		return Append(dst, "%Y-%m-%d", t)
	case 'r':
		return Append(dst, "%I:%M:%S %p", t)
	case 'R':
		return Append(dst, "%H:%M", t)
	case 'T', 'X':
		return Append(dst, "%H:%M:%S", t)
	case 'z':
		_, off := t.Zone()
		return AppendZone(dst, off)
	case 's':
		return strconv.AppendInt(dst, t.Unix(), 10)
	}
	if n, width, ok := numericConversion(c, t); ok {
		if width < 0 { // space padded
			if n < 10 {
				dst = append(dst, ' ')
			}
			return strconv.AppendInt(dst, int64(n), 10)
		}
		return AppendPad(dst, n, width)
	}
	return append(dst, '%', c)
}

// appendNameConversion appends the conversions that write names or fixed
// characters.
func appendNameConversion(dst []byte, c byte, t time.Time) []byte {
	switch c {
	case 'a':
		return append(dst, dayNames[t.Weekday()][:3]...)
	case 'A':
		return append(dst, dayNames[t.Weekday()]...)
	case 'b', 'h':
		return append(dst, monthNames[t.Month()-1][:3]...)
	case 'B':
		return append(dst, monthNames[t.Month()-1]...)
	case 'p':
		if t.Hour() < 12 {
			return append(dst, "AM"...)
		}
		return append(dst, "PM"...)
	case 'Z':
		name, _ := t.Zone()
		return append(dst, name...)
	case 'n':
		return append(dst, '\n')
	case 't':
		return append(dst, '\t')
	default:
		return append(dst, '%')
	}
}

// numericConversion returns the value of a numeric conversion and its
// width (negative: space padded to two).
func numericConversion(c byte, t time.Time) (n, width int, ok bool) {
	switch c {
	case 'C':
		return t.Year() / 100, 2, true
	case 'd':
		return t.Day(), 2, true
	case 'e':
		return t.Day(), -2, true
	case 'g':
		y, _ := t.ISOWeek()
		return y % 100, 2, true
	case 'G':
		y, _ := t.ISOWeek()
		return y, 4, true
	case 'H':
		return t.Hour(), 2, true
	case 'I':
		return hour12(t), 2, true
	case 'j':
		return t.YearDay(), 3, true
	case 'k':
		return t.Hour(), -2, true
	case 'l':
		return hour12(t), -2, true
	case 'm':
		return int(t.Month()), 2, true
	case 'M':
		return t.Minute(), 2, true
	case 'S':
		return t.Second(), 2, true
	case 'u':
		return (int(t.Weekday())+6)%7 + 1, 1, true
	case 'U':
		return (t.YearDay() + 6 - int(t.Weekday())) / 7, 2, true
	case 'V':
		_, w := t.ISOWeek()
		return w, 2, true
	case 'w':
		return int(t.Weekday()), 1, true
	case 'W':
		return (t.YearDay() + 6 - (int(t.Weekday())+6)%7) / 7, 2, true
	case 'y':
		return t.Year() % 100, 2, true
	case 'Y':
		return t.Year(), 1, true
	}
	return 0, 0, false
}

func hour12(t time.Time) int {
	h := t.Hour() % 12
	if h == 0 {
		h = 12
	}
	return h
}
