package child

import (
	"bytes"
	"strconv"
	"time"

	"eventmpm/child/http1"
	"eventmpm/config"
)

// expiryCode is a compiled mod_expires code: seconds after the request's
// time or after the file's modification time.
type expiryCode struct {
	set     bool
	fromMod bool
	secs    int64
}

// expiresConf is the compiled mod_expires configuration of a server or a
// section; a section's unset fields leave the enclosing value.
type expiresConf struct {
	activeSet, active bool
	def               expiryCode
	byType            map[string]expiryCode // "type/subtype" and "type/*"
}

func compileExpiryCode(code string) expiryCode {
	if code == "" {
		return expiryCode{}
	}
	n, _ := strconv.ParseInt(code[1:], 10, 64) // config checked it
	return expiryCode{set: true, fromMod: code[0] == 'M', secs: n}
}

func compileExpires(e *config.Expires) *expiresConf {
	c := &expiresConf{def: compileExpiryCode(e.Default)}
	if e.Active != nil {
		c.activeSet, c.active = true, *e.Active
	}
	if len(e.ByType) > 0 {
		c.byType = make(map[string]expiryCode, len(e.ByType))
		for t, code := range e.ByType {
			c.byType[t] = compileExpiryCode(code)
		}
	}
	return c
}

// applyExpires adds Expires and "Cache-Control: max-age" to a 2xx or
// 3xx response (mod_expires' filter skips errors only: a redirect and a
// 304 get them too), as mod_expires' filter: when ExpiresActive is on for
// the request and the response has no Expires yet, the code is the one
// for its media type (exact, then "type/*"), else ExpiresDefault. The time
// counts from the request's arrival ('A') or the file's Last-Modified
// ('M'; a response without one gets nothing); a time in the past counts
// as now. A 304 is typed and dated by the lines it leaves out
// (static.Reply.Unsent). max-age joins an existing Cache-Control, as
// Apache's table merge does.
func (w *worker) applyExpires(lines []hdrLine, status int) []hdrLine {
	active := false
	if e := w.srv.expires; e != nil && e.activeSet {
		active = e.active
	}
	for _, sec := range w.secs.head {
		if sec.expires != nil && sec.expires.activeSet {
			active = sec.expires.active
		}
	}
	if !active {
		return lines
	}
	ctype, lastMod, cacheControl := -1, -1, -1
	for i := range lines {
		switch l := &lines[i]; {
		case l.dead:
		case bytes.EqualFold(l.name, nameExpires):
			return lines // set by someone else: mod_expires leaves it
		case bytes.EqualFold(l.name, nameContentType):
			ctype = i
		case bytes.EqualFold(l.name, nameLastModified):
			lastMod = i
		case bytes.EqualFold(l.name, nameCacheControl) && cacheControl < 0:
			cacheControl = i
		}
	}
	var ctypeValue, lastModValue []byte
	if ctype >= 0 {
		ctypeValue = w.lineValue(&lines[ctype])
	}
	if lastMod >= 0 {
		lastModValue = w.lineValue(&lines[lastMod])
	}
	if status == 304 && w.reply != nil {
		ctypeValue = cmpBytes(ctypeValue, headerValue(w.reply.Unsent, "Content-Type: "))
		lastModValue = cmpBytes(lastModValue, headerValue(w.reply.Unsent, "Last-Modified: "))
	}
	code := w.expiryFor(ctypeValue)
	if !code.set {
		return lines
	}
	base := w.start
	if code.fromMod {
		if lastModValue == nil {
			return lines
		}
		t, ok := http1.ParseHTTPDate(lastModValue)
		if !ok {
			return lines
		}
		base = t
	}
	at := base.Add(time.Duration(code.secs) * time.Second)
	if at.Before(w.start) {
		at = w.start
	}
	off := len(w.hdrScratch)
	w.hdrScratch = append(w.hdrScratch, "max-age="...)
	w.hdrScratch = strconv.AppendInt(w.hdrScratch, int64(at.Sub(w.start)/time.Second), 10)
	maxAge := hdrLine{name: nameCacheControl, off: off, n: len(w.hdrScratch) - off, inScratch: true}
	if cacheControl >= 0 {
		lines[cacheControl] = w.joined(&lines[cacheControl], w.lineValue(&maxAge))
	} else {
		lines = append(lines, maxAge)
	}
	off = len(w.hdrScratch)
	w.hdrScratch = http1.AppendHTTPDate(w.hdrScratch, at)
	return append(lines, hdrLine{name: nameExpires, off: off, n: len(w.hdrScratch) - off, inScratch: true})
}

// expiryFor is the code for the response's media type (the Content-Type
// line at ctype, -1 for none) in the merged configuration: the sections'
// (the last one's first) over the server's, exact types before "type/*",
// then the last ExpiresDefault.
func (w *worker) expiryFor(v []byte) expiryCode {
	if v != nil {
		if i := bytes.IndexByte(v, ';'); i >= 0 {
			v = v[:i]
		}
		key := append(w.typeKey[:0], bytes.TrimSpace(v)...)
		for i, b := range key {
			if 'A' <= b && b <= 'Z' {
				key[i] = b + 'a' - 'A'
			}
		}
		w.typeKey = key
		if code, ok := w.lookupType(key); ok {
			return code
		}
		if slash := bytes.IndexByte(key, '/'); slash >= 0 {
			key = append(key[:slash+1], '*')
			w.typeKey = key
			if code, ok := w.lookupType(key); ok {
				return code
			}
		}
	}
	for i := len(w.secs.head) - 1; i >= 0; i-- {
		if e := w.secs.head[i].expires; e != nil && e.def.set {
			return e.def
		}
	}
	if e := w.srv.expires; e != nil {
		return e.def
	}
	return expiryCode{}
}

// lookupType finds a media type's code, the sections' before the
// server's.
func (w *worker) lookupType(key []byte) (expiryCode, bool) {
	for i := len(w.secs.head) - 1; i >= 0; i-- {
		if e := w.secs.head[i].expires; e != nil {
			if code, ok := e.byType[string(key)]; ok {
				return code, true
			}
		}
	}
	if e := w.srv.expires; e != nil {
		if code, ok := e.byType[string(key)]; ok {
			return code, true
		}
	}
	return expiryCode{}, false
}

var (
	nameCacheControl = []byte("Cache-Control")
	nameContentType  = []byte("Content-Type")
	nameExpires      = []byte("Expires")
	nameLastModified = []byte("Last-Modified")
)

// headerValue is the value of the line starting with prefix ("Name: ")
// in a block of header lines, or nil.
func headerValue(block []byte, prefix string) []byte {
	for rest := block; len(rest) > 0; {
		end := bytes.Index(rest, []byte("\r\n"))
		if end < 0 {
			return nil
		}
		if bytes.HasPrefix(rest[:end], []byte(prefix)) {
			return rest[len(prefix):end]
		}
		rest = rest[end+2:]
	}
	return nil
}

// cmpBytes is a unless it is nil, else b.
func cmpBytes(a, b []byte) []byte {
	if a != nil {
		return a
	}
	return b
}
