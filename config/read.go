package config

import (
	"strings"
	"unicode/utf8"
)

// This file is the first pass, Apache's ap_build_config: it reads files into
// a tree of nodes, runs the directives Apache runs while reading (Include,
// <IfModule>, <IfDefine>, Define, UnDefine, ServerRoot, LoadModule), checks
// that sections are closed, and expands ${VAR}. The second pass (walk.go)
// applies every other directive in file order.

// node is one directive of the tree.
type node struct {
	name    string // as written; a section opener without its '>' ("<Directory")
	raw     string // the arguments after ${VAR} expansion
	pos     Pos
	section bool
	kids    []*node // a section's body
}

// cursor is a position in the logical lines of one file.
type cursor struct {
	file  string
	lines []line
	i     int
	// spliced are the lines of macros put before lines[i:], a stack: a
	// macro used inside another is read before the rest of it.
	spliced []splice
}

// splice is one macro's lines and how many have been read.
type splice struct {
	lines []line
	i     int
}

// fileOf is the name of the file ln comes from.
func (c *cursor) fileOf(ln line) string {
	if ln.file != "" {
		return ln.file
	}
	return c.file
}

// splice puts lines before the cursor's next line, as mod_macro puts a
// macro's lines into the configuration stream.
func (c *cursor) splice(lines []line) {
	c.spliced = append(c.spliced, splice{lines: lines})
}

func (c *cursor) next() (line, bool) {
	for n := len(c.spliced); n > 0; n = len(c.spliced) {
		s := &c.spliced[n-1]
		if s.i < len(s.lines) {
			s.i++
			return s.lines[s.i-1], true
		}
		c.spliced = c.spliced[:n-1]
	}
	if c.i >= len(c.lines) {
		return line{}, false
	}
	c.i++
	return c.lines[c.i-1], true
}

// reader holds the state of the first pass.
type reader struct {
	l     *loader
	stack []string // files being read, for recursion detection
}

// block is what readBlock is building: the nodes at its top level and the
// sections opened in it that are not closed yet.
type block struct {
	top  []*node
	open []*node
}

func (b *block) add(n *node) {
	if len(b.open) == 0 {
		b.top = append(b.top, n)
		return
	}
	p := b.open[len(b.open)-1]
	p.kids = append(p.kids, n)
}

// scope returns where the next directive of the block sits.
func (b *block) scope(outer scope) scope {
	for _, n := range b.open {
		outer = outer.enter(n.name)
	}
	return outer
}

// readBlock reads nodes until the end of the file, or, when end is set (a
// true <IfModule> or <IfDefine>), until its closer "</end>" at the block's
// top level. Like Apache, a block closes only the sections it opened.
func (r *reader) readBlock(cur *cursor, outer scope, end string, opener Pos) ([]*node, error) {
	var b block
	for {
		ln, ok := cur.next()
		if !ok {
			break
		}
		if isComment(ln.text) {
			continue
		}
		pos := Pos{File: cur.fileOf(ln), Line: ln.num}
		text, err := r.l.expand(ln.text, pos)
		if err != nil {
			return nil, err
		}
		if !utf8.ValidString(text) {
			return nil, errAt(pos, "eventmpm reads configuration files as UTF-8, and this line is not valid UTF-8")
		}
		name, args := getWord(text)
		if name == "" {
			continue
		}
		if strings.HasPrefix(name, "</") {
			if len(b.open) == 0 && end != "" && strings.EqualFold(name, "</"+end+">") {
				return b.top, nil
			}
			if err := b.close(name, ln.num); err != nil {
				return nil, atPos(pos, err)
			}
			continue
		}
		if err := r.readNode(cur, &b, outer, name, args, pos); err != nil {
			return nil, err
		}
	}
	if len(b.open) > 0 {
		n := b.open[len(b.open)-1]
		return nil, errAt(n.pos, "%s:%d: %s> was not closed.", n.pos.File, n.pos.Line, n.name)
	}
	if end != "" {
		// Apache lets a true <IfModule> run to the end of the file;
		// eventmpm says what it says of a false one.
		return nil, errAt(opener, "Expected </%s> before end of configuration", end)
	}
	return b.top, nil
}

// readNode adds one directive to the block: a read-time directive runs now,
// a section opener is pushed, anything else is kept for the walk.
func (r *reader) readNode(cur *cursor, b *block, outer scope, name, args string, pos Pos) error {
	if name[0] == '<' {
		name = strings.TrimSuffix(name, ">")
		if args == "" {
			args = ">"
		}
	}
	n := &node{name: name, raw: args, pos: pos}
	if d := lookup(name); d != nil && d.read != nil {
		sc := b.scope(outer)
		if sc.access != nil {
			if skip, err := r.l.checkOverride(d, n, sc.access); err != nil || skip {
				return atPos(pos, err)
			}
		}
		c, err := prepare(d, n, sc)
		if err != nil {
			return atPos(pos, err)
		}
		nodes, err := d.read(r, cur, c)
		if err != nil {
			return atPos(pos, err)
		}
		for _, k := range nodes {
			b.add(k)
		}
		return nil
	}
	b.add(n)
	if name[0] == '<' {
		n.section = true
		b.open = append(b.open, n)
	}
	return nil
}

// prepare checks a directive's context and arguments and builds its call.
func prepare(d *directive, n *node, sc scope) (*call, error) {
	if err := d.checkContext(sc); err != nil {
		return nil, err
	}
	if err := d.checkIfContext(sc); err != nil {
		return nil, err
	}
	args, err := d.parseArgs(n.raw)
	if err != nil {
		return nil, err
	}
	return &call{d: d, name: n.name, args: args, raw: n.raw, pos: n.pos, kids: n.kids, sc: sc}, nil
}

// close handles a section closer: it must match the innermost open section,
// with Apache's three messages, each at the closer's line.
func (b *block) close(name string, line int) error {
	if len(b.open) == 0 {
		return errorf("%s without matching <%s section", name, name[2:])
	}
	if !strings.HasSuffix(name, ">") {
		return errorf("%s> directive missing closing '>'", name)
	}
	top := b.open[len(b.open)-1]
	if !strings.EqualFold(name[2:len(name)-1], top.name[1:]) {
		return errorf("Expected </%s> but saw %s", top.name[1:], name)
	}
	b.open = b.open[:len(b.open)-1]
	return nil
}

// soak skips the body of a false <IfModule> or <IfDefine> up to its closer,
// like ap_soak_end_container: only the nesting of sections is checked, so
// directives of modules eventmpm lacks may sit there.
func (r *reader) soak(cur *cursor, end string, opener Pos) error {
	type open struct {
		name string
		pos  Pos
	}
	stack := []open{{end, opener}}
	for {
		ln, ok := cur.next()
		if !ok {
			return errAt(opener, "Expected </%s> before end of configuration", end)
		}
		name, args := getWord(ln.text)
		if !strings.HasPrefix(name, "<") {
			continue
		}
		if strings.HasPrefix(name, "</") {
			got := strings.TrimSuffix(name[2:], ">")
			top := stack[len(stack)-1]
			if !strings.EqualFold(got, top.name) {
				// Apache reports it at the skipped section's opener.
				return errAt(opener, "Expected </%s> but saw </%s>", top.name, got)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return nil
			}
			continue
		}
		if args == "" {
			name = strings.TrimSuffix(name, ">")
		}
		stack = append(stack, open{name[1:], Pos{File: cur.fileOf(ln), Line: ln.num}})
	}
}

// readIf is <IfModule [!]name> and <IfDefine [!]NAME>: when the test holds,
// the body is read as part of the enclosing block, else it is skipped.
func readIf(r *reader, cur *cursor, c *call) ([]*node, error) {
	arg, err := sectionArg(c.d, c.raw)
	if err != nil {
		return nil, err
	}
	not := strings.HasPrefix(arg, "!")
	arg = strings.TrimPrefix(arg, "!")
	if arg == "" {
		return nil, errorf("%s> directive requires additional arguments", c.d.name)
	}
	var holds bool
	if strings.EqualFold(c.d.name, "<IfModule") {
		holds = moduleLoaded(arg, r.l.cfg.Modules)
	} else {
		_, holds = r.l.cfg.Defines[arg]
	}
	end := c.name[1:]
	if holds == not {
		return nil, r.soak(cur, end, c.pos)
	}
	return r.readBlock(cur, c.sc, end, c.pos)
}
