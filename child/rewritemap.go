package child

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"eventmpm/config/expr"
)

// This file is mod_rewrite's RewriteMap: ${name:key|default} in a
// substitution or a test string looks key up in the map name: an internal
// function (int:), a file of "key value" lines (txt:) or of "key a|b|c"
// lines whose value is chosen at random (rnd:). A key not found gives the
// default ("" without one).

// rewriteMapFiles holds the txt: and rnd: files: key -> value.
type rewriteMapFiles = fileCache[map[string]string]

// lookupMap looks key up in the server's map name.
func (w *worker) lookupMap(name, key string) (string, bool) {
	m, ok := w.srv.cfg.RewriteMaps[name]
	if !ok {
		return "", false
	}
	switch m.Type {
	case "int":
		return intMap(m.Source, key), true
	case "txt", "rnd":
		table, err := w.ch.mapFiles.get(m.Source, "map file", readMapFile)
		if err != nil {
			return "", false
		}
		v, ok := table[key]
		if ok && m.Type == "rnd" {
			choices := strings.Split(v, "|")
			v = choices[rand.IntN(len(choices))]
		}
		return v, ok
	}
	return "", false
}

// intMap is one of mod_rewrite's internal maps.
func intMap(fn, key string) string {
	switch fn {
	case "tolower":
		return strings.ToLower(key)
	case "toupper":
		return strings.ToUpper(key)
	case "escape":
		return expr.EscapePath(key)
	}
	return expr.Unescape(key)
}

// readMapFile reads a txt: or rnd: map: "key value" lines, '#' comments
// and blank lines skipped, the first line of a key winning, as
// mod_rewrite's lookup_map_txtfile.
func readMapFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("could not open map file %s: %w", path, err)
	}
	table := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if _, dup := table[fields[0]]; !dup {
			table[fields[0]] = fields[1]
		}
	}
	return table, sc.Err()
}

// expandMap expands the ${name:key|default} at the start of tmpl (which
// begins with "${"), returning the result appended to dst and how many
// bytes of tmpl it took; ok is false when the braces do not close, and the
// text is then literal.
func (w *worker) expandMap(dst []byte, tmpl string, st *rewriteState, vary bool) (_ []byte, n int, ok bool) {
	end := closingBrace(tmpl, 2)
	if end < 0 {
		return dst, 0, false
	}
	inner := tmpl[2:end]
	name, rest, found := strings.Cut(inner, ":")
	if !found {
		return dst, 0, false
	}
	keyTmpl, defTmpl, hasDef := cutTopLevel(rest, '|')
	key := string(w.expandRewrite(nil, keyTmpl, st, vary))
	if v, ok := w.lookupMap(name, key); ok && v != "" {
		return append(dst, v...), end + 1, true
	}
	if hasDef {
		dst = w.expandRewrite(dst, defTmpl, st, vary)
	}
	return dst, end + 1, true
}

// closingBrace is the index of the '}' that closes the brace opened just
// before start in s, counting the ${ and %{ opened inside, or -1.
func closingBrace(s string, start int) int {
	depth := 1
	for i := start; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
		case (s[i] == '$' || s[i] == '%') && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

// cutTopLevel cuts s at the first sep outside nested braces.
func cutTopLevel(s string, sep byte) (before, after string, found bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch {
		case (s[i] == '$' || s[i] == '%') && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}' && depth > 0:
			depth--
		case s[i] == sep && depth == 0:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
