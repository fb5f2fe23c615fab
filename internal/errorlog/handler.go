package errorlog

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
)

// Attribute keys the handler places in the line's fixed fields instead of
// appending them as key=value. They are recognized outside any group,
// whether given per record or through Logger.With.
const (
	// ModuleKey names the module in "[module:level]"; default "core".
	ModuleKey = "module"
	// CodeKey is the message's stable ID, printed "AH00489: " before the
	// message; an int value is formatted as AH%05d.
	CodeKey = "ah"
	// ClientKey is the client address, printed "[client ip:port] "; a
	// netip.AddrPort, a net.Addr or a string.
	ClientKey = "client"
	// TIDKey is the number printed as "tid"; see the package doc.
	TIDKey = "tid"
	// ErrorKey is an error. When it wraps a syscall.Errno it is printed
	// the way Apache prints an OS error, "(13)Permission denied: ", before
	// the client; the full error text (if it says more) and any other
	// error follow the message as err="...".
	ErrorKey = "err"
)

// Module returns a [ModuleKey] attribute.
func Module(name string) slog.Attr { return slog.String(ModuleKey, name) }

// Code returns a [CodeKey] attribute for AH code n.
func Code(n int) slog.Attr { return slog.Int(CodeKey, n) }

// Client returns a [ClientKey] attribute.
func Client(addr any) slog.Attr { return slog.Any(ClientKey, addr) }

// TID returns a [TIDKey] attribute.
func TID(n int) slog.Attr { return slog.Int(TIDKey, n) }

// Err returns an [ErrorKey] attribute.
func Err(err error) slog.Attr { return slog.Any(ErrorKey, err) }

// Options configure a [Handler].
type Options struct {
	// Level is the LogLevel; nil means warn. A *slog.LevelVar lets it
	// change while running.
	Level slog.Leveler
	// Modules holds per-module levels ("LogLevel warn mpm_event:info");
	// it is copied.
	Modules map[string]slog.Level
	// PID is printed as "pid"; 0 means os.Getpid().
	PID int
	// Formats are the ErrorLogFormat lines; nil means Apache's default
	// line only.
	Formats *Formats
	// ServerName is the server whose log this is: ErrorLogFormat's %v on
	// lines about no request.
	ServerName string
}

// Handler is a slog.Handler writing Apache error_log lines (SPEC 1.4):
//
//	[Wed Nov 25 19:40:00.123456 2026] [mpm_event:notice] [pid 123:tid 4] AH00489: message
//
// Fields in order: the local time with microseconds (left out when the
// record has none, as Apache leaves it out of startup messages);
// "[module:level]"; "[pid P:tid T]"; for debug and trace levels the
// caller's "file.go(line): "; an OS error "(errno)Text: "; "[client
// ip:port] " when a client is given; the AH code; the message; other
// attributes as key=value. The message and values are escaped as Apache's
// ap_escape_errorlog_item does, so a line never holds raw control bytes.
// A notice is always written whatever the level, as Apache does for file
// error logs. Each line is one Write call on the shared writer.
type Handler struct {
	out *output
	pid int

	// Set by WithAttrs and WithGroup.
	fixed  fields
	attrs  []byte // rendered " key=value" pairs
	prefix string // group path, "a.b."
}

// output is the writer and the settings shared by a Handler and its
// derivatives; Redirect changes both for all of them.
type output struct {
	mu     sync.Mutex
	w      io.Writer
	levels atomic.Pointer[levels]
}

// levels are a LogLevel setting (the level, and per-module ones) and the
// ErrorLogFormat lines.
type levels struct {
	level   slog.Leveler
	modules map[string]slog.Level
	formats *Formats
	server  string
}

// newLevels copies the levels and formats of opts.
func newLevels(opts Options) *levels {
	lv := &levels{level: opts.Level, formats: opts.Formats, server: opts.ServerName}
	if lv.level == nil {
		lv.level = DefaultLevel
	}
	if len(opts.Modules) > 0 {
		lv.modules = make(map[string]slog.Level, len(opts.Modules))
		for m, l := range opts.Modules {
			lv.modules[m] = l
		}
	}
	return lv
}

// New returns a logger writing Apache error_log lines to w.
func New(w io.Writer, opts Options) *slog.Logger { return slog.New(NewHandler(w, opts)) }

// NewHandler returns a [Handler] writing to w.
func NewHandler(w io.Writer, opts Options) *Handler {
	h := &Handler{out: &output{w: w}, pid: opts.PID}
	h.out.levels.Store(newLevels(opts))
	if h.pid == 0 {
		h.pid = os.Getpid()
	}
	return h
}

// WithOptions returns a handler writing where h writes now, with the
// levels and formats of opts (its PID is ignored): a virtual host's own
// LogLevel or ErrorLogFormat on the main server's error log. A later
// Redirect of h does not reach it.
func (h *Handler) WithOptions(opts Options) *Handler {
	h.out.mu.Lock()
	w := h.out.w
	h.out.mu.Unlock()
	h2 := *h
	h2.out = &output{w: w}
	h2.out.levels.Store(newLevels(opts))
	return &h2
}

// Redirect makes h and every handler derived from it write to w, at the
// levels and formats of opts (its PID is ignored), from the next line on:
// a restart's new ErrorLog, LogLevel and ErrorLogFormat for loggers
// already handed out. It returns the writer it replaces; a line being
// written finishes on that one.
func (h *Handler) Redirect(w io.Writer, opts Options) io.Writer {
	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	old := h.out.w
	h.out.w = w
	h.out.levels.Store(newLevels(opts))
	return old
}

// Enabled reports whether a record at level l may be written. When the
// module is not known yet (it may come with the record), the least
// per-module level counts and Handle filters.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool {
	if l == LevelNotice {
		return true
	}
	if h.fixed.module != "" {
		return l >= h.threshold(h.fixed.module)
	}
	lv := h.out.levels.Load()
	min := lv.level.Level()
	for _, ml := range lv.modules {
		if ml < min {
			min = ml
		}
	}
	return l >= min
}

// threshold returns the level configured for module.
func (h *Handler) threshold(module string) slog.Level {
	lv := h.out.levels.Load()
	if l, ok := lv.modules[module]; ok {
		return l
	}
	return lv.level.Level()
}

// WithAttrs returns a handler whose lines carry attrs.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := *h
	h2.attrs = append([]byte(nil), h.attrs...)
	for _, a := range attrs {
		if h.prefix != "" || !h2.fixed.take(a) {
			h2.attrs = appendAttr(h2.attrs, h.prefix, a)
		}
	}
	return &h2
}

// WithGroup returns a handler that qualifies later keys with name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.prefix = h.prefix + name + "."
	return &h2
}

// linePool recycles line buffers.
var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Handle writes one line for r, after the once-per-connection and
// once-per-request lines of ErrorLogFormat when r is the first line about
// its request's connection or about the request. The attributes are
// rendered first (which also finds the fixed fields); the lines follow
// them in the buffer and are written with one Write call.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	bp := linePool.Get().(*[]byte)
	defer putLine(bp)
	f := h.fixed
	b := append((*bp)[:0], h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		if h.prefix != "" || !f.take(a) {
			b = appendAttr(b, h.prefix, a)
		}
		return true
	})
	if f.err != nil && (f.errno == 0 || f.err.Error() != f.errno.Error()) {
		b = appendAttr(b, "", slog.String(ErrorKey, f.err.Error()))
	}
	if f.module == "" {
		f.module = "core"
	}
	if r.Level != LevelNotice && r.Level < h.threshold(f.module) {
		return nil
	}
	n := len(b)
	lv := h.out.levels.Load()
	fs := lv.formats
	if r.Time.IsZero() {
		fs = nil // a startup message: Apache's default line, as in Apache
	}
	var newConn, newReq bool
	if f.req != nil {
		newConn, newReq = f.req.NewLogIDs()
	}
	var out int
	if fs == nil {
		out = len(b)
		b = h.appendDefault(b, &r, &f, b[:n])
	} else {
		if f.code != "" {
			b = appendMessage(b, f.code) // Apache's APLOGNO is part of the message
			b = append(b, ": "...)
		}
		b = appendMessage(b, r.Message)
		b = append(b, b[:n]...)
		msg := b[n:]
		out = len(b)
		l := line{time: r.Time, level: -1, pid: h.pid, tid: f.tid, client: f.client, server: lv.server, req: f.req}
		if newConn {
			l.conn = true
			b = appendOnceLines(b, fs.Connection, &l)
			l.conn = false
		}
		if newReq {
			b = appendOnceLines(b, fs.Request, &l)
		}
		if fs.Main == nil {
			b = h.appendDefault(b, &r, &f, b[:n])
		} else {
			l.level, l.module, l.pc, l.errno, l.message = apacheLevel(r.Level), f.module, r.PC, f.errno, msg
			b, _ = fs.Main.appendLine(b, &l)
			b = append(b, '\n')
		}
	}
	*bp = b
	h.out.mu.Lock()
	_, err := h.out.w.Write(b[out:])
	h.out.mu.Unlock()
	return err
}

// appendDefault appends Apache's default line (do_errorlog_default): the
// head, the message, the attributes and, for a line about a request that
// has one, ", referer: " and its Referer.
func (h *Handler) appendDefault(b []byte, r *slog.Record, f *fields, attrs []byte) []byte {
	b = h.appendHead(b, r, f)
	b = appendMessage(b, r.Message)
	b = append(b, attrs...)
	if f.req != nil {
		if ref := f.req.ErrorLogItem('i', "Referer", false); len(ref) > 0 {
			b = append(b, ", referer: "...)
			for _, c := range ref {
				b = appendEscapedByte(b, c, escapeLetter(c))
			}
		}
	}
	return append(b, '\n')
}

// appendOnceLines appends the once-per-connection or once-per-request
// lines of formats; a line that comes out empty, or without a required
// item, is left out, as in Apache.
func appendOnceLines(b []byte, formats []*Format, l *line) []byte {
	for _, f := range formats {
		start := len(b)
		var ok bool
		if b, ok = f.appendLine(b, l); ok && len(b) > start {
			b = append(b, '\n')
		}
	}
	return b
}

// putLine returns a line buffer to the pool unless it grew huge.
func putLine(bp *[]byte) {
	if cap(*bp) <= 64<<10 {
		linePool.Put(bp)
	}
}

// appendHead appends everything before the message.
func (h *Handler) appendHead(b []byte, r *slog.Record, f *fields) []byte {
	if !r.Time.IsZero() {
		b = append(b, '[')
		b = appendCtime(b, r.Time.Local())
		b = append(b, "] "...)
	}
	b = append(b, '[')
	b = appendMessage(b, f.module)
	b = append(b, ':')
	b = append(b, LevelName(r.Level)...)
	b = append(b, "] [pid "...)
	b = strconv.AppendInt(b, int64(h.pid), 10)
	b = append(b, ":tid "...)
	b = strconv.AppendInt(b, f.tid, 10)
	b = append(b, "] "...)
	if r.Level <= LevelDebug && r.PC != 0 {
		b = appendSource(b, r.PC)
	}
	if f.errno != 0 {
		b = append(b, '(')
		b = strconv.AppendUint(b, uint64(f.errno), 10)
		b = append(b, ')')
		b = appendMessage(b, capitalize(f.errno.Error()))
		b = append(b, ": "...)
	}
	if f.client != "" {
		b = append(b, "[client "...)
		b = appendMessage(b, f.client)
		b = append(b, "] "...)
	}
	if f.code != "" {
		b = appendMessage(b, f.code)
		b = append(b, ": "...)
	}
	return b
}

// appendSource appends Apache's "file(line): " for the caller at pc.
func appendSource(b []byte, pc uintptr) []byte {
	fr, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	if fr.File == "" {
		return b
	}
	file := fr.File
	for i := len(file) - 1; i >= 0; i-- {
		if file[i] == '/' {
			file = file[i+1:]
			break
		}
	}
	b = append(b, file...)
	b = append(b, '(')
	b = strconv.AppendInt(b, int64(fr.Line), 10)
	return append(b, "): "...)
}

// capitalize upper-cases the first letter, turning Go's errno texts
// ("permission denied") into strerror's ("Permission denied").
func capitalize(s string) string {
	if s != "" && 'a' <= s[0] && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// fields are the attributes with a place of their own in the line.
type fields struct {
	module string
	code   string
	client string
	tid    int64
	err    error
	errno  syscall.Errno
	req    Request
}

// take stores a and reports true if it is one of the fixed fields. An
// error is kept aside: Handle prints its errno in the head and its text
// as err="..." when that says more.
func (f *fields) take(a slog.Attr) bool {
	v := a.Value.Resolve()
	switch a.Key {
	case ModuleKey:
		f.module = v.String()
	case CodeKey:
		f.code = formatCode(v)
	case ClientKey:
		f.client = formatClient(v)
	case TIDKey:
		if v.Kind() != slog.KindInt64 {
			return false
		}
		f.tid = v.Int64()
	case RequestKey:
		if v.Kind() == slog.KindAny && v.Any() == nil {
			return true
		}
		req, ok := v.Any().(Request)
		if !ok {
			return false
		}
		f.req = req
	case ErrorKey:
		if v.Kind() == slog.KindAny && v.Any() == nil {
			return true // Err(nil): nothing to say
		}
		err, ok := v.Any().(error)
		if !ok {
			return false
		}
		f.err, f.errno = err, 0
		errors.As(err, &f.errno)
		return true
	default:
		return false
	}
	return true
}
