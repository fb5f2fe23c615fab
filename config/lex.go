package config

import (
	"strings"
)

// This file is the lexer: httpd.conf's line and word rules, as Apache's
// ap_cfg_getline, ap_getword_conf and ap_resolve_env implement them.

// line is one logical line: physical lines joined by "\" continuations, with
// leading and trailing white space removed. num is the number of its last
// physical line, which is the line Apache reports.
type line struct {
	text string
	num  int
	// file names where the line comes from when it is not its cursor's
	// file: a macro's lines spliced into the file that uses it.
	file string
}

// splitLines cuts data into logical lines. A line ending in a single
// backslash continues on the next one (the backslash is removed, the next
// line's leading blanks are kept); "\\" at the end is no continuation.
// Comments and blank lines are kept: continuation applies to them too.
func splitLines(data string) []line {
	var out []line
	var cur strings.Builder
	num := 0
	for len(data) > 0 {
		phys, rest, _ := strings.Cut(data, "\n")
		data = rest
		num++
		phys = strings.TrimSuffix(phys, "\r")
		if strings.HasSuffix(phys, `\`) && !strings.HasSuffix(phys, `\\`) && len(data) > 0 {
			cur.WriteString(phys[:len(phys)-1])
			continue
		}
		cur.WriteString(phys)
		out = append(out, line{text: strings.TrimSpace(cur.String()), num: num})
		cur.Reset()
	}
	return out
}

// isComment reports whether a logical line holds no directive: Apache takes
// '#' as a comment only as the first character of a line.
func isComment(text string) bool {
	return text == "" || text[0] == '#'
}

// isSpace is C's isspace for the ASCII range, which Apache uses.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// getWord returns the next word of s and the rest after it and the blanks
// that follow, like ap_getword_conf: a word starting with " or ' runs to the
// matching quote (or the end of the line), and inside it a backslash escapes
// the quote or a backslash; an unquoted word runs to the next blank, and in it
// "\\" becomes "\". An empty word means the end of the line.
func getWord(s string) (word, rest string) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	s = s[i:]
	if s == "" {
		return "", ""
	}
	var end int
	var quote byte
	if s[0] == '"' || s[0] == '\'' {
		quote = s[0]
		end = 1
		for end < len(s) && s[end] != quote {
			if s[end] == '\\' && end+1 < len(s) && (s[end+1] == quote || s[end+1] == '\\') {
				end += 2
			} else {
				end++
			}
		}
		word = unescape(s[1:end], quote)
		if end < len(s) {
			end++ // the closing quote
		}
	} else {
		for end < len(s) && !isSpace(s[end]) {
			end++
		}
		word = unescape(s[:end], 0)
	}
	rest = s[end:]
	i = 0
	for i < len(rest) && isSpace(rest[i]) {
		i++
	}
	return word, rest[i:]
}

// unescape is Apache's substring_conf: "\\" becomes "\", and inside quotes
// a backslashed quote becomes the quote.
func unescape(s string, quote byte) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || (quote != 0 && s[i+1] == quote)) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitWords returns every word of s (see getWord).
func splitWords(s string) []string {
	var words []string
	for {
		w, rest := getWord(s)
		if w == "" && rest == "" {
			return words
		}
		words = append(words, w)
		s = rest
	}
}

// resolveEnv replaces each ${NAME} in s by the value of a Define, or else of
// the environment variable, like ap_resolve_env. An undefined name is left as
// written and reported through undefined (names containing ':' silently, as
// Apache leaves them to modules such as mod_rewrite). There is no recursion:
// a value is not expanded again. The result may hold at most budget bytes;
// ok is false (and the result incomplete) when it would hold more.
func resolveEnv(s string, lookup func(string) (string, bool), undefined func(name string), budget int) (out string, ok bool) {
	if !strings.Contains(s, "${") {
		return s, true
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+2:], '}')
		if j < 0 {
			break
		}
		name := s[i+2 : i+2+j]
		b.WriteString(s[:i])
		v, found := lookup(name)
		if !found {
			if !strings.Contains(name, ":") {
				undefined(name)
			}
			v = s[i : i+3+j]
		}
		if b.Len()+len(v) > budget {
			return b.String(), false
		}
		b.WriteString(v)
		s = s[i+3+j:]
	}
	if b.Len()+len(s) > budget {
		return b.String(), false
	}
	b.WriteString(s)
	return b.String(), true
}
