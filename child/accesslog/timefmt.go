package accesslog

import (
	"strconv"
	"sync/atomic"
	"time"
)

// English names, as the C locale's strftime writes them; Apache's CLF
// time always uses them whatever the system locale.
var (
	monthNames = [12]string{"January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December"}
	dayNames = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
		"Friday", "Saturday"}
)

// stamp is the CLF form of one second in one location:
// "[10/Oct/2000:13:55:36 -0700]".
type stamp struct {
	sec int64
	loc *time.Location
	n   uint8
	b   [40]byte
}

// stampCache holds the formatted CLF time of recent seconds, indexed by
// the second modulo its size, as Apache's ap_explode_recent_localtime
// keeps a 16-slot cache. Lines of the same second (the normal case:
// begin times of concurrent requests lie within seconds of each other)
// copy the cached bytes instead of computing a calendar date; a miss
// formats the second and publishes a new stamp with one allocation.
var stampCache [16]atomic.Pointer[stamp]

// appendCLFTime appends t as "[DD/Mon/YYYY:HH:MM:SS ±HHMM]" in local time.
func appendCLFTime(dst []byte, t time.Time) []byte {
	sec, loc := t.Unix(), time.Local
	slot := &stampCache[uint64(sec)%uint64(len(stampCache))]
	if s := slot.Load(); s != nil && s.sec == sec && s.loc == loc {
		return append(dst, s.b[:s.n]...)
	}
	s := &stamp{sec: sec, loc: loc}
	b := append(s.b[:0], '[')
	b = appendCLFBody(b, t.In(loc))
	b = append(b, ']')
	s.n = uint8(len(b))
	slot.Store(s)
	return append(dst, b...)
}

// appendCLFBody appends "DD/Mon/YYYY:HH:MM:SS ±HHMM".
func appendCLFBody(b []byte, t time.Time) []byte {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b = append2(b, d)
	b = append(b, '/')
	b = append(b, monthNames[mo-1][:3]...)
	b = append(b, '/')
	b = appendPad(b, y, 4)
	b = append(b, ':')
	b = appendHMS(b, h, mi, s)
	b = append(b, ' ')
	_, off := t.Zone()
	return appendZone(b, off)
}

// appendHMS appends "HH:MM:SS".
func appendHMS(b []byte, h, m, s int) []byte {
	b = append2(b, h)
	b = append(b, ':')
	b = append2(b, m)
	b = append(b, ':')
	return append2(b, s)
}

// appendZone appends a UTC offset in seconds as "+hhmm" or "-hhmm".
func appendZone(b []byte, off int) []byte {
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

// appendPad appends the non-negative n zero-padded to width digits.
func appendPad(b []byte, n, width int) []byte {
	var tmp [20]byte
	d := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(d); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

// appendTime appends a %t or %{...}t item for the time t.
func appendTime(dst []byte, it *item, t time.Time) []byte {
	switch it.sub {
	case subTimeSec:
		return strconv.AppendInt(dst, t.Unix(), 10)
	case subTimeMsec:
		return strconv.AppendInt(dst, t.UnixMilli(), 10)
	case subTimeUsec:
		return strconv.AppendInt(dst, t.UnixMicro(), 10)
	case subTimeMsecFrac:
		return appendPad(dst, t.Nanosecond()/1e6, 3)
	case subTimeUsecFrac:
		return appendPad(dst, t.Nanosecond()/1e3, 6)
	case subTimeCustom:
		return appendStrftime(dst, it.text, t.In(time.Local))
	default:
		return appendCLFTime(dst, t)
	}
}

// appendStrftime appends t formatted by the strftime(3) format f, as the C
// locale writes it. Supported: %a %A %b %B %c %C %d %D %e %F %g %G %h %H %I
// %j %k %l %m %M %n %p %r %R %s %S %t %T %u %U %V %w %W %x %X %y %Y %z %Z
// %%. Any other conversion is copied as it is, as glibc does.
func appendStrftime(dst []byte, f string, t time.Time) []byte {
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
		return appendStrftime(dst, "%a %b %e %H:%M:%S %Y", t)
	case 'D', 'x':
		return appendStrftime(dst, "%m/%d/%y", t)
	case 'F':
		return appendStrftime(dst, "%Y-%m-%d", t)
	case 'r':
		return appendStrftime(dst, "%I:%M:%S %p", t)
	case 'R':
		return appendStrftime(dst, "%H:%M", t)
	case 'T', 'X':
		return appendStrftime(dst, "%H:%M:%S", t)
	case 'z':
		_, off := t.Zone()
		return appendZone(dst, off)
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
		return appendPad(dst, n, width)
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
