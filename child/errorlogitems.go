package child

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"eventmpm/internal/errorlog"
)

// The worker is the errorlog.Request of the lines it logs about the
// request it serves (logError passes it): ErrorLogFormat's items that read
// the request or its connection, and the log IDs (%L) that mark the first
// line about each.
var _ errorlog.Request = (*worker)(nil)

// ErrorLogItem returns the value of an ErrorLogFormat item about the
// current request or, with conn, its connection only (a once-per-connection
// line): %a the client (mod_remoteip's when it found one; %{c}a and
// connection lines the peer), %A the local address, %k the requests served
// before on the connection, %v the server's name, %V the request's host
// name, %{name}e a variable, %{name}i a request field, %{name}n a note and
// %L the request's log ID (%{c}L the connection's, %{C}L the connection's
// on connection lines only), as log.c's handlers read them.
func (w *worker) ErrorLogItem(letter byte, arg string, conn bool) []byte {
	c := w.cur
	switch letter {
	case 'a':
		if conn || arg == "c" {
			if c == nil {
				return nil
			}
			return appendLogAddr(w.logItem[:0], c.remote)
		}
		return appendLogAddr(w.logItem[:0], w.remote)
	case 'A':
		if c == nil {
			return nil
		}
		return appendLogAddr(w.logItem[:0], c.localAddrPort())
	case 'k':
		return strconv.AppendInt(w.logItem[:0], int64(w.prior), 10)
	case 'v':
		if w.srv == nil {
			return nil
		}
		return w.srv.nameBytes
	case 'L':
		switch {
		case arg == "c" || arg == "C" && conn:
			if c == nil {
				return nil
			}
			return append(w.logItem[:0], c.logID...)
		case arg == "C" || conn:
			return nil
		}
		return append(w.logItem[:0], w.logID...)
	}
	if conn || len(w.req.Line) == 0 {
		return nil
	}
	switch letter {
	case 'e':
		v, _ := w.envBytes([]byte(arg))
		return v
	case 'i':
		return w.req.Get(arg)
	case 'n':
		if strings.EqualFold(arg, "remoteip-proxy-ip-list") {
			return w.proxyIPs
		}
	case 'V':
		if w.srv != nil {
			return w.serverName()
		}
	}
	return nil
}

// appendLogAddr appends "ip:port" as Apache's error log writes an address
// (no brackets around IPv6).
func appendLogAddr(b []byte, ap netip.AddrPort) []byte {
	if !ap.IsValid() {
		return b
	}
	b = ap.Addr().Unmap().AppendTo(b)
	b = append(b, ':')
	return strconv.AppendUint(b, uint64(ap.Port()), 10)
}

// NewLogIDs gives the connection and the request their log IDs when this
// is the first error log line about them, and reports which it gave. The
// request's is its UNIQUE_ID when mod_unique_id made one (as its
// generate_log_id hook does), else core's: the time, the child's pid and
// the worker, in base64 without its padding (core_generate_log_id).
func (w *worker) NewLogIDs() (conn, req bool) {
	if c := w.cur; c != nil && c.logID == "" {
		c.logID = string(w.appendLogID(nil, time.Now()))
		conn = true
	}
	if len(w.logID) == 0 {
		if w.uniqueSet {
			w.logID = append(w.logID, w.uniqueID[:]...)
		} else {
			w.logID = w.appendLogID(w.logID, cmp.Or(w.start, time.Now()))
		}
		req = true
	}
	return conn, req
}

// appendLogID appends core_generate_log_id's ID for time t: its
// microseconds, the pid's bits over bits 40 to 63 and the worker's
// (Apache's thread's) over 32 to 39, as eight little-endian bytes in
// base64 without padding.
func (w *worker) appendLogID(b []byte, t time.Time) []byte {
	id := uint64(t.UnixMicro())
	pid := uint64(w.ch.pid)
	id ^= pid << 40
	id ^= (pid >> 24) << 56
	id ^= uint64(w.id) << 32
	var raw [8]byte
	binary.LittleEndian.PutUint64(raw[:], id)
	return base64.RawStdEncoding.AppendEncode(b, raw[:])
}
