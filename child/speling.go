package child

import (
	"slices"
	"strconv"
	"strings"

	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/internal/errorlog"

	"golang.org/x/sys/unix"
)

// This file is mod_speling (CheckSpelling): a GET for a file that does
// not exist looks in the directory where the path first fails for names
// that differ only in case, or (without CheckCaseOnly) by one character
// or two swapped, or (CheckBasenameMatch) in their extension. One best
// match is a 301 to it; several are a 300 listing them.

// spelingQuality is mod_speling's sp_reason: how a name differs from the
// one asked for, best first.
type spelingQuality uint8

const (
	spMiscapitalized spelingQuality = iota + 1
	spTransposition
	spMissingChar
	spExtraChar
	spSimpleTypo
	spVeryDifferent
)

// spelingReasons are the qualities as the 300 page names them.
var spelingReasons = [...]string{spMiscapitalized: "miscapitalized", spTransposition: "transposed characters",
	spMissingChar: "character missing", spExtraChar: "extra character", spSimpleTypo: "mistyped character",
	spVeryDifferent: "common basename"}

// spelingCandidate is a name of the directory close to the one asked for.
type spelingCandidate struct {
	name    string
	quality spelingQuality
}

// fixSpelling answers a 404 for a GET or HEAD as mod_speling's fixup
// would have: a 301 to the one best match, a 300 listing several, and
// reports whether it answered. urlPath is the request's cleaned path and
// fs its file.
func (w *worker) fixSpelling(c *conn, sp *config.Speling, urlPath, fs []byte, keep bool) bool {
	dir, bad, rest, ok := firstMissing(string(fs))
	if !ok || !strings.HasSuffix(string(urlPath), bad+rest) || string(urlPath) == "/" {
		return false
	}
	url := string(urlPath[:len(urlPath)-len(bad)-len(rest)])
	names, err := dirNames(dir)
	if err != nil {
		return false
	}
	var cands []spelingCandidate
	dot := strings.IndexByte(bad, '.')
	if dot < 0 {
		dot = len(bad)
	}
	for _, name := range names {
		var q spelingQuality
		switch {
		case name == bad:
			return false // there after all
		case equalFoldASCII(name, bad):
			q = spMiscapitalized
		case !sp.CaseOnly && spelingDistance(bad, name) != spVeryDifferent:
			q = spelingDistance(bad, name)
		case !sp.NoBasename:
			dn := strings.IndexByte(name, '.')
			if dn < 0 {
				dn = len(name)
			}
			if dn != dot || !equalFoldASCII(bad[:dot], name[:dn]) {
				continue
			}
			q = spVeryDifferent
		default:
			continue
		}
		cands = append(cands, spelingCandidate{name, q})
	}
	if len(cands) == 0 {
		return false
	}
	slices.SortStableFunc(cands, func(a, b spelingCandidate) int { return int(a.quality) - int(b.quality) })
	ref := w.req.Get("Referer")
	query := ""
	if w.req.Query != nil || hasQuery(w.req.Target) {
		query = "?" + string(w.req.Query)
	}
	if cands[0].quality != spVeryDifferent && (len(cands) == 1 || cands[0].quality != cands[1].quality) {
		nuri := string(static.AppendEscapedPath(nil, []byte(url+cands[0].name+rest))) + query
		if ref != nil {
			w.logError(c, errorlog.LevelInfo, "speling", "AH03224", "Fixed spelling: "+string(urlPath)+" to "+nuri+" from ", ref, "")
		} else {
			w.logError(c, errorlog.LevelInfo, "speling", "AH03225", "Fixed spelling: "+string(urlPath)+" to "+nuri, nil, "")
		}
		w.reply.Header = w.reply.Header[:0]
		w.sendRedirect(c, 301, []byte(nuri), keep)
		return true
	}
	var page, vars strings.Builder
	page.WriteString("The document name you requested (<code>")
	page.WriteString(htmlEscape(string(urlPath)))
	page.WriteString("</code>) could not be found on this server.\nHowever, we found documents with names similar to the one you requested.<p>Available documents:\n<ul>\n")
	for i, cand := range cands {
		vuri := url + cand.name + rest + query
		escaped := string(static.AppendEscapedPath(nil, []byte(vuri)))
		reason := spelingReasons[cand.quality]
		if i > 0 {
			vars.WriteByte(',')
		}
		vars.WriteString(`"` + escaped + `";"` + reason + `"`)
		page.WriteString(`<li><a href="` + escaped + `">` + htmlEscape(vuri) + "</a> (" + reason + ")\n")
		if i > 0 && i < len(cands)-1 && cand.quality != spVeryDifferent && cands[i+1].quality == spVeryDifferent {
			page.WriteString("</ul>\nFurthermore, the following related documents were found:\n<ul>\n")
		}
	}
	page.WriteString("</ul>\n")
	if ref != nil {
		page.WriteString("Please consider informing the owner of the referring page <tt>" + htmlEscape(string(ref)) + "</tt> about the broken link.\n")
	}
	w.setEnv("VARIANTS", []byte(vars.String()))
	if ref != nil {
		w.logError(c, errorlog.LevelInfo, "speling", "AH03226", "Spelling fix: "+string(urlPath)+": "+strconv.Itoa(len(cands))+" candidates from ", ref, "")
	} else {
		w.logError(c, errorlog.LevelInfo, "speling", "AH03227", "Spelling fix: "+string(urlPath)+": "+strconv.Itoa(len(cands))+" candidates", nil, "")
	}
	w.reply.Header = w.reply.Header[:0]
	w.reply.VariantList = append(w.reply.VariantList[:0], page.String()...)
	w.errorResponse(c, 300, nil, keep)
	return true
}

// htmlEscape is ap_escape_html: '<', '>', '&' and '"'.
func htmlEscape(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;", `"`, "&quot;").Replace(s)
}

// firstMissing splits the file path fs where Apache's directory walk
// stops: dir is the last existing directory, bad the first component
// that does not exist in it, rest what follows (path info). ok is false
// when every component exists, or one is not a directory.
func firstMissing(fs string) (dir, bad, rest string, ok bool) {
	var st unix.Stat_t
	start := 1
	for start < len(fs) {
		end := strings.IndexByte(fs[start:], '/')
		if end < 0 {
			end = len(fs)
		} else {
			end += start
		}
		if err := unix.Stat(fs[:end], &st); err != nil {
			if start == 1 {
				return "/", fs[1:end], fs[end:], true
			}
			return fs[:start-1], fs[start:end], fs[end:], err == unix.ENOENT
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			return "", "", "", false
		}
		start = end + 1
	}
	return "", "", "", false
}

// dirNames reads the names of directory dir in the order the file system
// gives them, without the ".ht*" names, which no request may get.
func dirNames(dir string) ([]string, error) {
	names, err := static.DirNames(dir)
	return slices.DeleteFunc(names, func(name string) bool { return strings.HasPrefix(name, ".ht") }), err
}

// spelingDistance is mod_speling's spdist: how t differs from s.
func spelingDistance(s, t string) spelingQuality {
	i := 0
	for i < len(s) && i < len(t) && lowerASCII(s[i]) == lowerASCII(t[i]) {
		i++
	}
	if i == len(s) && i == len(t) {
		return spMiscapitalized
	}
	s, t = s[i:], t[i:]
	if s != "" {
		if t != "" {
			if len(s) > 1 && len(t) > 1 && lowerASCII(s[0]) == lowerASCII(t[1]) && lowerASCII(t[0]) == lowerASCII(s[1]) &&
				equalFoldASCII(s[2:], t[2:]) {
				return spTransposition
			}
			if equalFoldASCII(s[1:], t[1:]) {
				return spSimpleTypo
			}
		}
		if equalFoldASCII(s[1:], t) {
			return spExtraChar
		}
	}
	if t != "" && equalFoldASCII(s, t[1:]) {
		return spMissingChar
	}
	return spVeryDifferent
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFoldASCII is strcasecmp's equality: ASCII letters without regard
// to case, every other byte as it is.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}
