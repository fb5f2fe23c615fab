package config

import (
	"fmt"
	"strings"
)

// This file is mod_macro, which works while the configuration is read:
// <Macro name $arg...> keeps the lines up to its </Macro> unread, Use
// name value... reads them with each argument replaced by its value, and
// UndefMacro forgets a macro. Its messages and warnings are Apache
// 2.4's; an error inside a macro names the line of the macro and where
// it was defined and used, as Apache's does.

// macro is one <Macro> definition.
type macro struct {
	name     string   // lowercased
	args     []string // argument names, as written
	lines    []string // the body's lines, comments left out
	location string   // `defined on line N of "file"`
}

// macroArgPrefixes are the characters mod_macro expects an argument name
// to start with; an '@' argument's value is put in double quotes.
const macroArgPrefixes = "$%@"

// maxMacroLine bounds a line after substitution, as Apache's
// MAX_STRING_LEN buffer does.
const maxMacroLine = 8192

// readMacro is <Macro name args...>: it checks the definition, keeps the
// body up to the matching </Macro> (nested <Macro>s counted), and warns of
// what mod_macro warns of.
func readMacro(r *reader, cur *cursor, c *call) ([]*node, error) {
	l := r.l
	raw := c.raw
	end := strings.LastIndexByte(raw, '>')
	if end < 0 {
		return nil, errorf("<Macro> directive missing closing '>'")
	}
	if end == 0 {
		return nil, errorf("<Macro macro definition: empty name")
	}
	words := macroWords(raw[:end])
	if len(words) == 0 || words[0] == "" {
		return nil, errorf("<Macro macro definition: name not found")
	}
	m := &macro{name: strings.ToLower(words[0]), args: words[1:],
		location: fmt.Sprintf("defined on line %d of \"%s\"", c.pos.Line, c.pos.File)}
	where := fmt.Sprintf("macro '%s' (%s)", m.name, m.location)
	if old := l.macros[m.name]; old != nil {
		l.warn(c.pos, "AH02802", "macro '%s' multiply defined: %s, redefined on line %d of \"%s\"", m.name, old.location, c.pos.Line, c.pos.File)
	}
	if strings.IndexByte(macroArgPrefixes, m.name[0]) >= 0 {
		l.warn(c.pos, "AH02803", "%s better prefix a macro name with any of '%s'", where, macroArgPrefixes)
	}
	if err := l.checkMacroArgs(m, c.pos); err != nil {
		return nil, err
	}
	depth, nesting := 1, 1 // <Macro>s, and sections of any kind
	for {
		ln, ok := cur.next()
		if !ok {
			// Apache's text, with the line break and tab its error log
			// shows escaped.
			return nil, errorf("%s\\n\\tcontents error: expected token not found: </Macro>", where)
		}
		if strings.HasPrefix(ln.text, "#") {
			continue
		}
		first, _ := getWord(ln.text)
		if strings.HasPrefix(first, "</") {
			if nesting--; nesting < 0 {
				l.warn(Pos{File: cur.fileOf(ln), Line: ln.num}, "AH02793", "bad (negative) nesting on line %d of %s", ln.num-c.pos.Line, where)
			}
		} else if strings.HasPrefix(first, "<") {
			nesting++
		}
		switch {
		case strings.EqualFold(first, "</Macro>"):
			if depth--; depth == 0 {
				if nesting != 0 {
					l.warn(c.pos, "AH02795", "bad cumulated nesting (%+d) in %s", nesting, where)
				}
				if len(m.lines) == 0 {
					l.warn(c.pos, "AH02799", "macro '%s' (%s): empty contents!", m.name, m.location)
				} else {
					l.checkMacroUse(m, c.pos)
				}
				if l.macros == nil {
					l.macros = map[string]*macro{}
				}
				l.macros[m.name] = m
				return nil, nil
			}
		case strings.EqualFold(first, "<Macro"):
			depth++
		}
		m.lines = append(m.lines, ln.text)
	}
}

// checkMacroArgs refuses an empty or repeated argument name and warns of
// names without a prefix and of names one of which starts another.
func (l *loader) checkMacroArgs(m *macro, pos Pos) error {
	for i, a := range m.args {
		if a == "" {
			return errorf("macro '%s' (%s): empty argument #%d name", m.name, m.location, i+1)
		}
		if strings.IndexByte(macroArgPrefixes, a[0]) < 0 {
			l.warn(pos, "AH02796", "macro '%s' (%s) argument name '%s' (#%d) without expected prefix, better prefix argument names with one of '%s'.",
				m.name, m.location, a, i+1, macroArgPrefixes)
		}
		for j := i + 1; j < len(m.args); j++ {
			b := m.args[j]
			if a == b {
				return errorf("argument name conflict in macro '%s' (%s): argument '%s': #%d and #%d, change argument names!",
					m.name, m.location, a, i+1, j+1)
			}
			if b != "" && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a)) {
				l.warn(pos, "AH02797", "macro '%s' (%s): argument name prefix conflict (%s #%d and %s #%d), be careful about your macro definition!",
					m.name, m.location, a, i+1, b, j+1)
			}
		}
	}
	return nil
}

// checkMacroUse warns of the arguments the body never uses.
func (l *loader) checkMacroUse(m *macro, pos Pos) {
	used := make([]bool, len(m.args))
	for _, ln := range m.lines {
		substituteMacroArgs(ln, m.args, m.args, used)
	}
	for i, u := range used {
		if !u {
			l.warn(pos, "AH02800", "macro '%s' (%s): argument '%s' (#%d) never used", m.name, m.location, m.args[i], i+1)
		}
	}
}

// maxMacroLines bounds the lines macros may add to the configuration:
// macros using others twice over would double them at each level.
const maxMacroLines = 1 << 17

// readUse is Use name values...: the macro's body, each argument replaced
// by its value, put in the configuration in the Use line's place, as
// mod_macro puts it into the stream being read: its sections may close
// outside it. Its lines are named after the macro and where it is used,
// which is how a macro used inside itself is found.
func readUse(r *reader, cur *cursor, c *call) ([]*node, error) {
	l := r.l
	if l.macros == nil {
		return nil, errorf("no macro defined before Use")
	}
	words := macroWords(c.raw)
	if len(words) == 0 || words[0] == "" {
		return nil, errorf("no macro name specified with Use")
	}
	name := strings.ToLower(words[0])
	m := l.macros[name]
	if m == nil {
		return nil, errorf("macro '%s' undefined", name)
	}
	if strings.Contains(c.pos.File, "macro '"+m.name+"'") {
		return nil, errorf("recursive use of macro '%s' is invalid", m.name)
	}
	values := words[1:]
	if len(values) != len(m.args) {
		return nil, errorf("macro '%s' (%s) used with %d arguments instead of %d", m.name, m.location, len(values), len(m.args))
	}
	where := fmt.Sprintf("macro '%s' (%s) used on line %d of \"%s\"", m.name, m.location, c.pos.Line, c.pos.File)
	for i, v := range values {
		if v == "" {
			l.warn(c.pos, "AH02798", "%s: empty argument #%d", where, i+1)
		}
	}
	if l.macroLines += len(m.lines); l.macroLines > maxMacroLines {
		return nil, errorf("macros make the configuration longer than %d lines; does a macro use another more than once at each level?", maxMacroLines)
	}
	lines := make([]line, len(m.lines))
	for i, text := range m.lines {
		out := substituteMacroArgs(text, m.args, values, nil)
		if len(out) >= maxMacroLine {
			return nil, errorf("%s error while substituting: while processing line %d of macro '%s' (%s) cannot substitute, buffer size too small",
				where, i+1, m.name, m.location)
		}
		lines[i] = line{text: out, num: i + 1, file: where}
	}
	cur.splice(lines)
	return nil, nil
}

// macroWords splits a <Macro> or Use line into words as mod_macro's
// get_arguments does: an empty quoted word ("") is a word.
func macroWords(s string) []string {
	var out []string
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return out
		}
		word, rest := getWord(s)
		out = append(out, word)
		s = rest
	}
}

// readUndefMacro is UndefMacro name.
func readUndefMacro(r *reader, _ *cursor, c *call) ([]*node, error) {
	l := r.l
	if l.macros == nil {
		return nil, errorf("no macro defined before UndefMacro")
	}
	name := strings.ToLower(c.args[0])
	if name == "" {
		return nil, errorf("no macro name specified with UndefMacro")
	}
	if l.macros[name] == nil {
		return nil, errorf("cannot remove undefined macro '%s'", name)
	}
	delete(l.macros, name)
	return nil, nil
}

// substituteMacroArgs is mod_macro's substitute_macro_args on one line:
// from the start, the earliest occurrence of any argument name (the
// longest of those starting there) is replaced by its value, put in
// double quotes with '"' and '\' escaped for an '@' argument, and the
// search goes on from as far past it as the value is long, as Apache's
// does. used, when not nil, notes the arguments found. A line that grows
// to maxMacroLine stops there (Apache's buffer is full), which the caller
// refuses: an '@' value can hold its own name past that point.
func substituteMacroArgs(text string, names, values []string, used []bool) string {
	buf := []byte(text)
	pos := 0
	for len(buf) < maxMacroLine {
		at, which := -1, -1
		for i, n := range names {
			k := strings.Index(string(buf[pos:]), n)
			if k < 0 {
				continue
			}
			k += pos
			if at < 0 || k < at || k == at && len(n) > len(names[which]) {
				at, which = k, i
			}
		}
		if at < 0 {
			return string(buf)
		}
		name, value := names[which], values[which]
		if name != value {
			repl := value
			if name[0] == '@' {
				repl = quoteMacroValue(value)
			}
			buf = append(buf[:at], append([]byte(repl), buf[at+len(name):]...)...)
		}
		pos = at + len(value)
		if used != nil {
			used[which] = true
		}
	}
	return string(buf)
}

// quoteMacroValue puts v in double quotes, '"' and '\' escaped.
func quoteMacroValue(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
	return b.String()
}
