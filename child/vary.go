package child

import "bytes"

// This file is the Vary header of a response: the request fields the
// expressions of <If>, Header, SetEnvIfExpr and mod_rewrite read, merged
// as Apache merges them into headers_out, and Apache's fixup_vary.

// addIfVary records a request field an expression read, for Vary.
func (w *worker) addIfVary(name string) {
	if len(w.ifVary) > 0 {
		w.ifVary = append(w.ifVary, ',')
	}
	w.ifVary = append(w.ifVary, name...)
}

// mergeIfVary merges the fields the expressions read since the last merge
// into the response's Vary line, as Apache merges them into headers_out
// when it evaluates an expression: those of the <If> sections before the
// Vary the handler set (they were there first), those of a Header's
// expression after what the Header directives before it left. An error
// response has none of them: Apache sends its err_headers_out.
func (w *worker) mergeIfVary(lines []hdrLine, success, before bool) []hdrLine {
	names := bytes.TrimPrefix(w.ifVary[w.ifVaryMerged:], []byte(","))
	w.ifVaryMerged = len(w.ifVary)
	if !success || len(names) == 0 {
		return lines
	}
	for i := range lines {
		if !lines[i].dead && bytes.EqualFold(lines[i].name, varyName) {
			off := len(w.hdrScratch)
			if before {
				w.hdrScratch = append(append(w.hdrScratch, names...), ',')
			}
			w.hdrScratch = append(w.hdrScratch, w.lineValue(&lines[i])...)
			if !before {
				w.hdrScratch = append(append(w.hdrScratch, ','), names...)
			}
			lines[i] = hdrLine{name: lines[i].name, off: off, n: len(w.hdrScratch) - off, inScratch: true}
			return lines
		}
	}
	off := len(w.hdrScratch)
	w.hdrScratch = append(w.hdrScratch, names...)
	return append(lines, hdrLine{name: varyName, off: off, n: len(names), inScratch: true})
}

var varyName = []byte("Vary")

// fixupVary is Apache's fixup_vary (http_filters.c): the Vary fields'
// tokens, each once (the first spelling, without regard to case), joined
// with "," into the first Vary line.
func (w *worker) fixupVary(lines []hdrLine) []hdrLine {
	first, compound := -1, false
	for i := range lines {
		if lines[i].dead || !bytes.EqualFold(lines[i].name, varyName) {
			continue
		}
		if first >= 0 || bytes.IndexByte(w.lineValue(&lines[i]), ',') >= 0 {
			compound = true
		}
		if first < 0 {
			first = i
		}
	}
	if !compound {
		return lines
	}
	off := len(w.hdrScratch)
	for i := first; i < len(lines); i++ {
		if lines[i].dead || !bytes.EqualFold(lines[i].name, varyName) {
			continue
		}
		for tok := range bytes.SplitSeq(w.lineValue(&lines[i]), []byte(",")) {
			tok = bytes.Trim(tok, " \t")
			if len(tok) == 0 || hasToken(w.hdrScratch[off:], tok) {
				continue
			}
			if len(w.hdrScratch) > off {
				w.hdrScratch = append(w.hdrScratch, ',')
			}
			w.hdrScratch = append(w.hdrScratch, tok...)
		}
		if i != first {
			lines[i].dead = true
		}
	}
	lines[first] = hdrLine{name: lines[first].name, off: off, n: len(w.hdrScratch) - off, inScratch: true}
	return lines
}

// hasToken reports whether the ","-joined list holds tok, without regard
// to case.
func hasToken(list, tok []byte) bool {
	for t := range bytes.SplitSeq(list, []byte(",")) {
		if bytes.EqualFold(t, tok) {
			return true
		}
	}
	return false
}
