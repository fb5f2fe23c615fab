package errorlog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

// Syslog is `ErrorLog syslog[:facility]`: an error log whose lines go to
// the system logger. Writers, the supervisor and its children alike, write
// Apache error_log lines into a pipe (File is its write end, inherited by
// the children like an error log file); a relay goroutine in the process
// that opened it reads whole lines and sends each as one syslog datagram,
// its severity taken from the line's [module:level] field and Apache's
// timestamp left out (the system logger stamps it). The children need no
// access to the logger's socket, and a line is never cut between two
// messages.
//
// When the system logger goes away (syslogd restarted) the relay dials it
// again on the next line; a line it cannot send is dropped, never blocking
// the writers beyond the pipe's buffer.
type Syslog struct {
	r, w     *os.File
	facility int
	tag      string
	pid      int
	socket   string // "" tries DefaultSyslogSockets
	conn     net.Conn
	dropped  int // lines lost while the logger was unreachable
	done     chan struct{}
	once     sync.Once
}

// DefaultSyslogSockets are where the system logger listens, in the order
// tried (as log/syslog does).
var DefaultSyslogSockets = []string{"/dev/log", "/var/run/syslog", "/var/run/log"}

// OpenSyslog connects to the system logger (at socket, or the first of
// DefaultSyslogSockets that answers when socket is "") and starts the
// relay. facility is syslog(3)'s facility number (local7 is 23); tag
// names the program in every message.
func OpenSyslog(facility int, tag, socket string) (*Syslog, error) {
	s := &Syslog{facility: facility, tag: tag, pid: os.Getpid(), socket: socket, done: make(chan struct{})}
	conn, err := s.dial()
	if err != nil {
		return nil, err
	}
	s.conn = conn
	s.r, s.w, err = os.Pipe()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("syslog error log: %w", err)
	}
	go s.relay()
	return s, nil
}

// dial connects to the system logger, datagram first, then stream.
func (s *Syslog) dial() (net.Conn, error) {
	paths := DefaultSyslogSockets
	if s.socket != "" {
		paths = []string{s.socket}
	}
	var firstErr error
	for _, p := range paths {
		for _, network := range []string{"unixgram", "unix"} {
			c, err := net.Dial(network, p)
			if err == nil {
				return c, nil
			}
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	return nil, fmt.Errorf("could not reach the system logger: %w", firstErr)
}

// File returns the write end of the pipe, for the children.
func (s *Syslog) File() *os.File { return s.w }

// Write writes one or more whole lines into the pipe.
func (s *Syslog) Write(b []byte) (int, error) { return s.w.Write(b) }

// Reopen does nothing: the relay dials the logger again by itself when it
// went away.
func (s *Syslog) Reopen() error { return nil }

// Close closes this process's write end and waits a little for the relay
// to send what is in the pipe; children still holding the write end keep
// it going until they exit.
func (s *Syslog) Close() error {
	s.once.Do(func() { s.w.Close() })
	select {
	case <-s.done:
	case <-time.After(time.Second):
	}
	return nil
}

// relay sends each line of the pipe to the logger until every write end is
// closed.
func (s *Syslog) relay() {
	defer close(s.done)
	defer s.r.Close()
	br := bufio.NewReaderSize(s.r, 64<<10)
	var msg []byte
	for {
		line, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			// A line longer than the buffer: send it in pieces.
		case err == io.EOF && len(line) == 0:
			if s.conn != nil {
				s.conn.Close()
			}
			return
		case err != nil && err != io.EOF:
			return
		}
		text, sev := splitErrorLine(bytes.TrimRight(line, "\n"))
		msg = s.appendMessage(msg[:0], text, sev)
		s.send(msg)
	}
}

// appendMessage formats one line as an RFC 3164 message as syslog(3) does:
// "<PRI>Mmm dd hh:mm:ss TAG[PID]: TEXT".
func (s *Syslog) appendMessage(b, text []byte, sev int) []byte {
	b = append(b, '<')
	b = strconv.AppendInt(b, int64(s.facility<<3|sev), 10)
	b = append(b, '>')
	b = time.Now().AppendFormat(b, time.Stamp)
	b = append(b, ' ')
	b = append(b, s.tag...)
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(s.pid), 10)
	b = append(b, "]: "...)
	return append(b, text...)
}

// send writes one message, dialling the logger again once if it went
// away; a logger that answers again first hears how many lines it missed.
func (s *Syslog) send(msg []byte) {
	for attempt := 0; attempt < 2; attempt++ {
		if s.conn == nil {
			c, err := s.dial()
			if err != nil {
				s.dropped++
				return
			}
			s.conn = c
		}
		if s.reportDropped() {
			if _, err := s.conn.Write(msg); err == nil {
				return
			}
		}
		s.conn.Close()
		s.conn = nil
	}
	s.dropped++
}

// reportDropped tells the logger how many lines it missed, if any; it
// reports whether the connection works.
func (s *Syslog) reportDropped() bool {
	if s.dropped == 0 {
		return true
	}
	text := fmt.Appendf(nil, "[core:warn] [pid %d] %d error log lines were lost while the system logger was unreachable", s.pid, s.dropped)
	if _, err := s.conn.Write(s.appendMessage(nil, text, syslogSeverity["warn"])); err != nil {
		return false
	}
	s.dropped = 0
	return true
}

// syslogSeverity maps Apache's level names to syslog(3) severities; the
// trace levels are debug.
var syslogSeverity = map[string]int{
	"emerg": 0, "alert": 1, "crit": 2, "error": 3, "warn": 4, "notice": 5, "info": 6, "debug": 7,
}

// splitErrorLine drops the leading "[timestamp] " of an error_log line in
// Apache's default form and returns the rest with the severity of its
// "[module:level]" field (notice when the line has none, as a line of an
// ErrorLogFormat without that field).
func splitErrorLine(line []byte) (text []byte, severity int) {
	severity = 5
	if isCtimeField(line) {
		line = line[len("[Wed Nov 25 19:40:00.123456 2026] "):]
	}
	if len(line) > 0 && line[0] == '[' {
		if end := bytes.IndexByte(line, ']'); end > 0 {
			field := line[1:end]
			if c := bytes.LastIndexByte(field, ':'); c >= 0 {
				lvl := string(field[c+1:])
				if sev, ok := syslogSeverity[lvl]; ok {
					severity = sev
				} else if len(lvl) > 5 && lvl[:5] == "trace" {
					severity = 7
				}
			}
		}
	}
	return line, severity
}

// isCtimeField reports whether line starts with the default line's
// "[Wed Nov 25 19:40:00.123456 2026] ".
func isCtimeField(line []byte) bool {
	const n = len("[Wed Nov 25 19:40:00.123456 2026] ")
	return len(line) >= n && line[0] == '[' && line[4] == ' ' && line[8] == ' ' && line[11] == ' ' &&
		line[14] == ':' && line[17] == ':' && line[20] == '.' && line[n-2] == ']' && line[n-1] == ' '
}
