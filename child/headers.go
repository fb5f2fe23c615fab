package child

import (
	"bytes"
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"eventmpm/child/http1"
	"eventmpm/config"
	"eventmpm/config/expr"
	"eventmpm/internal/regex"
)

// This file is mod_headers: the Header directives rewrite a response's
// head after it is built, and RequestHeader those of the request.
// A server without them pays a length check per request.

type headerAction uint8

const (
	hdrSet headerAction = iota
	hdrAppend
	hdrAdd
	hdrMerge
	hdrSetIfEmpty
	hdrUnset
	hdrEcho
	hdrEdit
	hdrEditAll
)

var headerActionByName = map[string]headerAction{
	"set": hdrSet, "append": hdrAppend, "add": hdrAdd, "merge": hdrMerge, "setifempty": hdrSetIfEmpty,
	"unset": hdrUnset, "echo": hdrEcho, "edit": hdrEdit, "edit*": hdrEditAll,
}

// headerOp is one compiled Header directive.
type headerOp struct {
	always bool // applies to error pages and redirects too
	// env is the variable of an env=[!]var condition, "" for none.
	env        string
	envNegated bool
	action     headerAction
	name       []byte
	value      []byte       // the value
	format     bool         // value holds %t, %D, %{NAME}e or %%
	re         regex.Regexp // echo's names, edit's match
	repl       string       // edit's replacement
	// cond is the expr= condition, or nil; valExpr a value given as
	// "expr=...", or nil.
	cond    *expr.Expr
	valExpr *expr.String
}

// compileHeaderOps compiles Header directives.
func compileHeaderOps(ops []config.HeaderOp) ([]headerOp, error) {
	if len(ops) == 0 {
		return nil, nil
	}
	out := make([]headerOp, 0, len(ops))
	for _, op := range ops {
		h := headerOp{
			always: op.Always, action: headerActionByName[op.Action], name: []byte(op.Name),
			value: []byte(op.Value),
		}
		h.env, h.envNegated = strings.TrimPrefix(op.Env, "!"), strings.HasPrefix(op.Env, "!")
		h.format = bytes.IndexByte(h.value, '%') >= 0
		var err error
		if op.Expr != "" {
			if h.cond, err = expr.Parse(op.Expr); err != nil {
				return nil, fmt.Errorf("%s:%d: Header: %w", op.Pos.File, op.Pos.Line, err)
			}
		}
		if v, ok := strings.CutPrefix(op.Value, "expr="); ok && h.action != hdrEdit && h.action != hdrEditAll {
			if h.valExpr, err = expr.ParseString(v); err != nil {
				return nil, fmt.Errorf("%s:%d: Header: %w", op.Pos.File, op.Pos.Line, err)
			}
			h.format = false
		}
		switch h.action {
		case hdrEcho:
			h.re, err = regex.Compile(op.Name)
		case hdrEdit, hdrEditAll:
			h.re, err = regex.Compile(op.Value)
			h.value, h.format, h.repl = nil, false, op.Replacement
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: Header: %w", op.Pos.File, op.Pos.Line, err)
		}
		out = append(out, h)
	}
	return out, nil
}

// hdrLine is one header field of the response being rewritten. Its value
// is either val or, when inScratch, n bytes at off in the worker's
// hdrScratch (values made here: appended, merged, edited, formatted).
type hdrLine struct {
	name      []byte
	val       []byte
	off, n    int
	inScratch bool
	dead      bool
}

// rewriteHead applies mod_expires, then the Header operations of the
// request's server and of its sections (w.secs.head), to the response head
// in w.head, in the order of Apache's filters. Header operations run as
// mod_headers runs over headers_out: "always" ones for every response,
// the others ("onsuccess") for 2xx and 304 only. The head is rewritten
// into the worker's second head buffer, which becomes w.head.
func (w *worker) rewriteHead(status int) {
	h := w.head
	eol := bytes.Index(h, crlf)
	if eol < 0 {
		return
	}
	lines := w.hdrLines[:0]
	for rest := h[eol+2:]; len(rest) > 2; {
		e := bytes.Index(rest, crlf)
		if e < 0 {
			break
		}
		line := rest[:e]
		rest = rest[e+2:]
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			continue
		}
		lines = append(lines, hdrLine{name: line[:colon], val: bytes.TrimLeft(line[colon+1:], " \t")})
	}
	w.hdrScratch = w.hdrScratch[:0]
	// A backend's response is in Apache's headers_out whatever its
	// status: Header's default ("onsuccess") table applies to it.
	success := status < 300 || status == 304 || w.docServed || w.relaying
	if len(w.ifVary) > 0 {
		lines = w.mergeIfVary(lines, success, true)
	}
	if w.srv.view.Load().flags.headerExprs {
		w.cond = condRequest{w: w, c: w.cur, uri: w.path, filename: w.fspath, late: true, status: status}
	}
	if status >= 200 && status < 400 {
		lines = w.applyExpires(lines, status)
	}
	for i := range w.srv.headerOps {
		lines = w.runHeaderOp(lines, &w.srv.headerOps[i], success)
	}
	for _, sec := range w.secs.head {
		for i := range sec.headers {
			lines = w.runHeaderOp(lines, &sec.headers[i], success)
		}
	}
	lines = w.fixupVary(lines)
	out := append(w.head2[:0], h[:eol+2]...)
	for i := range lines {
		l := &lines[i]
		if l.dead {
			continue
		}
		out = append(out, l.name...)
		out = append(out, ": "...)
		out = append(out, w.lineValue(l)...)
		out = append(out, crlf...)
	}
	out = append(out, crlf...)
	w.head2, w.head = w.head, out
	w.hdrLines = lines[:0]
}

var crlf = []byte("\r\n")

// lineValue is a line's current value.
func (w *worker) lineValue(l *hdrLine) []byte {
	if l.inScratch {
		return w.hdrScratch[l.off : l.off+l.n]
	}
	return l.val
}

// runHeaderOp applies one operation to lines, with Apache's table
// semantics: set replaces the first field of the name and drops the
// others; append and merge join with ", " into the first; add adds a
// field; setifempty sets only when there is none; unset drops them all.
func (w *worker) runHeaderOp(lines []hdrLine, op *headerOp, success bool) []hdrLine {
	lines = w.applyHeaderOp(lines, op, success)
	if op.cond != nil || op.valExpr != nil {
		lines = w.mergeIfVary(lines, success, false) // the fields its expressions read
	}
	return lines
}

// applyHeaderOp is runHeaderOp's operation itself.
func (w *worker) applyHeaderOp(lines []hdrLine, op *headerOp, success bool) []hdrLine {
	if !op.always && !success || !w.envAllows(op.env, op.envNegated) {
		return lines
	}
	if op.cond != nil && !w.headerCondition(op.cond, lines) {
		return lines
	}
	first := -1
	if op.action != hdrEcho {
		for i := range lines {
			if !lines[i].dead && bytes.EqualFold(lines[i].name, op.name) {
				first = i
				break
			}
		}
	}
	switch op.action {
	case hdrSet:
		if first < 0 {
			return append(lines, w.newLine(op))
		}
		lines[first] = w.newLine(op)
		lines[first].name = op.name
		for i := first + 1; i < len(lines); i++ {
			if bytes.EqualFold(lines[i].name, op.name) {
				lines[i].dead = true
			}
		}
	case hdrSetIfEmpty:
		if first < 0 {
			return append(lines, w.newLine(op))
		}
	case hdrAdd:
		return append(lines, w.newLine(op))
	case hdrAppend, hdrMerge:
		if first < 0 {
			return append(lines, w.newLine(op))
		}
		nl := w.newLine(op)
		add := w.lineValue(&nl)
		if op.action == hdrMerge && hasListMember(w.lineValue(&lines[first]), add, false) {
			return lines
		}
		lines[first] = w.joined(&lines[first], add)
	case hdrUnset:
		for i := first; i >= 0 && i < len(lines); i++ {
			if bytes.EqualFold(lines[i].name, op.name) {
				lines[i].dead = true
			}
		}
	case hdrEdit, hdrEditAll:
		for i := first; i >= 0 && i < len(lines); i++ {
			if !lines[i].dead && bytes.EqualFold(lines[i].name, op.name) {
				lines[i] = w.edited(&lines[i], op)
			}
		}
	case hdrEcho:
		for _, f := range w.req.Headers {
			if op.re.Match(f.Name) {
				lines = append(lines, hdrLine{name: f.Name, val: f.Value})
			}
		}
	}
	return lines
}

// newLine is a field named as the operation names it, with its value
// (formatted when it holds specifiers).
func (w *worker) newLine(op *headerOp) hdrLine {
	if op.valExpr != nil {
		mark := len(w.ifVary)
		v := op.valExpr.Eval(&w.cond)
		if w.inRequestHeaders {
			// Apache's RequestHeader value expressions add nothing to
			// Vary (its conditions do).
			w.ifVary = w.ifVary[:mark]
		}
		off := len(w.hdrScratch)
		w.hdrScratch = append(w.hdrScratch, v...)
		return hdrLine{name: op.name, off: off, n: len(v), inScratch: true}
	}
	if !op.format {
		return hdrLine{name: op.name, val: op.value}
	}
	off := len(w.hdrScratch)
	v := op.value
	for i := 0; i < len(v); i++ {
		if v[i] != '%' || i+1 >= len(v) {
			w.hdrScratch = append(w.hdrScratch, v[i])
			continue
		}
		i++
		var arg []byte
		if v[i] == '{' { // the configuration checked that "}" and a letter follow
			end := bytes.IndexByte(v[i:], '}')
			arg, i = v[i+1:i+end], i+end+1
		}
		switch v[i] {
		case 'e': // a variable of mod_setenvif or mod_env, as mod_headers' "(null)" when unset
			if val, ok := w.envBytes(arg); ok {
				w.hdrScratch = append(w.hdrScratch, val...)
			} else {
				w.hdrScratch = append(w.hdrScratch, "(null)"...)
			}
		case 's': // a variable of mod_ssl's, "(null)" without a value (a plain connection)
			val := ""
			if w.cur != nil {
				val, _ = w.tlsVar(w.cur, strings.ToUpper(string(arg)))
			}
			w.hdrScratch = append(w.hdrScratch, cmp.Or(val, "(null)")...)
		case 't': // mod_headers' "t=" and the request's arrival in microseconds
			w.hdrScratch = append(w.hdrScratch, "t="...)
			w.hdrScratch = strconv.AppendInt(w.hdrScratch, w.start.UnixMicro(), 10)
		case 'D': // "D=" and how long the request has taken, in microseconds
			w.hdrScratch = append(w.hdrScratch, "D="...)
			w.hdrScratch = strconv.AppendInt(w.hdrScratch, time.Since(w.start).Microseconds(), 10)
		default:
			w.hdrScratch = append(w.hdrScratch, v[i])
		}
	}
	return hdrLine{name: op.name, off: off, n: len(w.hdrScratch) - off, inScratch: true}
}

// joined is l with ", " and add appended to its value.
func (w *worker) joined(l *hdrLine, add []byte) hdrLine {
	off := len(w.hdrScratch)
	w.hdrScratch = append(w.hdrScratch, w.lineValue(l)...)
	w.hdrScratch = append(w.hdrScratch, ", "...)
	w.hdrScratch = append(w.hdrScratch, add...)
	return hdrLine{name: l.name, off: off, n: len(w.hdrScratch) - off, inScratch: true}
}

// edited is l with the first (edit) or every (edit*) match of the
// operation's expression replaced.
func (w *worker) edited(l *hdrLine, op *headerOp) hdrLine {
	val := w.lineValue(l)
	var ms [][]int
	if op.action == hdrEdit {
		if m := op.re.FindSubmatchIndex(val); m != nil {
			ms = [][]int{m}
		}
	} else {
		ms = op.re.FindAllSubmatchIndex(val, -1)
	}
	if len(ms) == 0 {
		return *l
	}
	// val may lie in hdrScratch: appending there stays correct, as an
	// append that moves the buffer leaves val in the old one.
	off := len(w.hdrScratch)
	prev := 0
	for _, m := range ms {
		w.hdrScratch = append(w.hdrScratch, val[prev:m[0]]...)
		w.hdrScratch = appendSubst(w.hdrScratch, op.repl, val, m)
		prev = m[1]
	}
	w.hdrScratch = append(w.hdrScratch, val[prev:]...)
	return hdrLine{name: l.name, off: off, n: len(w.hdrScratch) - off, inScratch: true}
}

// hasListMember reports whether v, a comma-separated list, has item as one
// of its members: compared exactly (case and quotes matter, as
// mod_headers' merge compares), or without regard to case with fold (a
// field's tokens: "Connection: Keep-Alive").
func hasListMember(v, item []byte, fold bool) bool {
	for len(v) > 0 {
		var m []byte
		m, v, _ = bytes.Cut(v, []byte(","))
		m = bytes.Trim(m, " \t")
		if fold && bytes.EqualFold(m, item) || !fold && bytes.Equal(m, item) {
			return true
		}
	}
	return false
}

// applyRequestHeaders applies RequestHeader operations to the request's
// fields with Header's table semantics, where Apache's mod_headers does:
// the early ones as the request is read, before it is routed and before
// mod_setenvif runs; the others at fixups, once the request passed its
// access checks, after mod_env, just before the handler (so <If>, mod_rewrite
// and Require see the fields as sent, and a refused request is logged with
// them). Values they make live in the worker's reqScratch until the next
// request; the conditional and range fields are found again, so that
// "RequestHeader unset Range" or an edited If-None-Match reach the handler.
func (w *worker) applyRequestHeaders(c *conn, ops []headerOp) {
	resp := w.hdrScratch
	w.hdrScratch = w.reqScratch // appended to: an earlier pass's values stay valid
	// Apache's headers_in is a table: the lines of a repeated field are
	// one value, joined with ", ", by the time RequestHeader runs.
	lines := w.hdrLines[:0]
	for _, f := range w.req.Headers {
		j := 0
		for j < len(lines) && !bytes.EqualFold(lines[j].name, f.Name) {
			j++
		}
		if j < len(lines) {
			lines[j] = w.joined(&lines[j], f.Value)
		} else {
			lines = append(lines, hdrLine{name: f.Name, val: f.Value})
		}
	}
	exprs := hasHeaderExprs(ops)
	if exprs {
		w.condFor(c, w.req.Path, nil)
	}
	w.inRequestHeaders = true
	for i := range ops {
		if exprs { // an expression reads the fields as the operations before it left them
			w.setRequestFields(lines)
		}
		lines = w.applyHeaderOp(lines, &ops[i], true)
	}
	w.inRequestHeaders = false
	w.setRequestFields(lines)
	w.reqScratch, w.hdrScratch = w.hdrScratch, resp
	w.hdrLines = lines[:0]
	w.req.RelocateConditionals()
}

// setRequestFields makes lines the request's fields (while hdrScratch is
// the request's scratch).
func (w *worker) setRequestFields(lines []hdrLine) {
	hs := w.req.Headers[:0]
	for i := range lines {
		if l := &lines[i]; !l.dead {
			hs = append(hs, http1.Header{Name: l.name, Value: w.lineValue(l)})
		}
	}
	w.req.Headers = hs
}

// hasHeaderExprs reports whether an operation has an expr= condition or
// value.
func hasHeaderExprs(ops []headerOp) bool {
	for i := range ops {
		if ops[i].cond != nil || ops[i].valExpr != nil {
			return true
		}
	}
	return false
}

// headerExprs reports whether the section, or a conditional section in
// it, has a Header with an expression.
func (cs *section) headerExprs() bool {
	if hasHeaderExprs(cs.headers) {
		return true
	}
	for i := range cs.ifs {
		if cs.ifs[i].headerExprs() {
			return true
		}
	}
	return false
}

// headerCondition evaluates a Header's expr= condition over the response
// head being rewritten.
func (w *worker) headerCondition(e *expr.Expr, lines []hdrLine) bool {
	w.cond.lines = lines
	return e.Eval(&w.cond)
}
