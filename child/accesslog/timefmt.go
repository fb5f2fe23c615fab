package accesslog

import (
	"strconv"
	"sync/atomic"
	"time"

	"eventmpm/internal/strftime"
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

// appendCLFBody appends "DD/Mon/YYYY:HH:MM:SS ±HHMM", in English whatever
// the system locale, as Apache's CLF time.
func appendCLFBody(b []byte, t time.Time) []byte {
	return strftime.Append(b, "%d/%b/%Y:%H:%M:%S %z", t)
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
		return strftime.AppendPad(dst, t.Nanosecond()/1e6, 3)
	case subTimeUsecFrac:
		return strftime.AppendPad(dst, t.Nanosecond()/1e3, 6)
	case subTimeCustom:
		return strftime.Append(dst, it.text, t.In(time.Local))
	default:
		return appendCLFTime(dst, t)
	}
}
