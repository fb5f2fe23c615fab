package static

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"

	"eventmpm/child/http1"
	"golang.org/x/sys/unix"
)

// This file is mod_negotiation's MultiViews: a request for a name that
// does not exist, in a directory with Options MultiViews, is answered by
// the best of the files named name.ext... there, chosen by the request's
// Accept, Accept-Language, Accept-Charset and Accept-Encoding with
// Apache's own algorithm (is_variant_better, with its "fiddles"), so a
// site moved from Apache picks the same file for the same request.
// Transparent content negotiation's Negotiate header (RFC 2295) and type
// maps are not implemented.

// ForceLanguage is mod_negotiation's ForceLanguagePriority; the zero
// value is Apache's default, Prefer.
type ForceLanguage uint8

// The ForceLanguagePriority values (Prefer and Fallback may be combined).
const (
	ForceLanguagePrefer ForceLanguage = 1 << iota
	ForceLanguageFallback
	ForceLanguageNone
)

// Unnegotiable says why a MultiViews request found no variant to serve,
// for the child's error log.
type Unnegotiable uint8

const (
	// NegotiatedNone: nothing to log.
	NegotiatedNone Unnegotiable = iota
	// NoAcceptableVariant: variants exist, the request accepts none (406,
	// Apache's AH00690).
	NoAcceptableVariant
	// NoNegotiableVariant: files match the name, none is a variant (404,
	// AH00687): an unknown extension or type, or not a regular file.
	NoNegotiableVariant
)

// acceptItem is one element of an Accept* header, or a variant's media
// type with its parameters (Apache's accept_rec).
type acceptItem struct {
	name    string // lowercase
	q       float32
	level   float32
	charset string // lowercase
}

// parseAcceptItem reads one element, "name;param=value;...", as Apache's
// get_entry: q (or qs, a variant's source quality), level and charset
// are kept; text/html has level 2 unless it says otherwise.
func parseAcceptItem(s string) acceptItem {
	name, params, _ := strings.Cut(s, ";")
	it := acceptItem{name: strings.ToLower(strings.TrimSpace(name)), q: 1}
	if it.name == "text/html" {
		it.level = 2
	}
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.ToLower(strings.Trim(strings.TrimSpace(v), "\""))
		switch k {
		case "q", "qs":
			it.q = parseQuality(v)
		case "level":
			n, _ := strconv.Atoi(v)
			it.level = float32(n)
		case "charset":
			it.charset = v
		}
	}
	return it
}

// parseQuality is Apache's atoq: "0", "0.x", "0.xy", "0.xyz" (and ".x"),
// anything else that does not start with 0 being 1.
func parseQuality(s string) float32 {
	if s == "" {
		return 1
	}
	if s[0] != '.' {
		if s[0] != '0' {
			return 1
		}
		s = s[1:]
	}
	if s == "" || s[0] != '.' {
		return 0
	}
	i, mul := 0, 100
	for _, c := range []byte(s[1:min(len(s), 4)]) {
		if c < '0' || c > '9' {
			break
		}
		i += int(c-'0') * mul
		mul /= 10
	}
	return float32(i) / 1000
}

// parseAcceptList reads a whole Accept* value; ok is false when the
// request has no such header (which is not the same as an empty one).
func parseAcceptList(v []byte, present bool) (items []acceptItem, ok bool) {
	if !present {
		return nil, false
	}
	for el := range strings.SplitSeq(string(v), ",") {
		if strings.TrimSpace(el) == "" {
			continue
		}
		items = append(items, parseAcceptItem(el))
	}
	return items, true
}

// variant is one file that may answer a MultiViews request (var_rec).
type variant struct {
	name     string
	size     int64
	typ      string // media type, lowercase, without parameters
	level    float32
	qs       float32  // source quality: the type's qs parameter, else 1
	charset  string   // lowercase; "" for none
	langs    []string // content languages, as configured
	enc      string   // content coding, "" for none
	pseudoHT bool     // text/html

	mimeQ, langQ, charsetQ, encQ float32
	langIndex                    int // LanguagePriority position, -1 for none
	levelMatched                 float32
	stars                        int // 1 */*, 2 type/*, 3 type/subtype
}

// negotiation is what one request asks for (negotiation_state).
type negotiation struct {
	accepts        []acceptItem
	acceptQ        bool // an Accept element has q < 1: no wildcard fiddle
	langs          []acceptItem
	hasLangs       bool
	encs           []acceptItem
	hasEncs        bool
	charsets       []acceptItem
	hasCharsets    bool
	defaultLangQ   float32
	force          ForceLanguage
	priority       []string
	preferLang     string
	discardAll     bool // no-gzip: encoded variants are out
	discardNonHTML bool // gzip-only-text/html: encoded variants other than HTML are out
}

// newNegotiation reads the request's Accept* headers. With no Accept,
// every type is accepted as "*/*" (maybe_add_default_accepts).
func newNegotiation(req *http1.Request, cfg *DirConfig, r *Reply) *negotiation {
	n := &negotiation{force: cfg.ForceLanguage, priority: cfg.LanguagePriority, preferLang: r.PreferLanguage}
	if n.force == 0 {
		n.force = ForceLanguagePrefer
	}
	var ok bool
	accept, present := header(req, "Accept")
	if n.accepts, ok = parseAcceptList(accept, present); !ok {
		n.accepts = []acceptItem{{name: "*/*", q: 1}}
	}
	for _, a := range n.accepts {
		if a.q < 1 {
			n.acceptQ = true
		}
	}
	v, present := header(req, "Accept-Language")
	n.langs, n.hasLangs = parseAcceptList(v, present)
	v, present = header(req, "Accept-Encoding")
	n.encs, n.hasEncs = parseAcceptList(v, present)
	v, present = header(req, "Accept-Charset")
	n.charsets, n.hasCharsets = parseAcceptList(v, present)
	n.discardAll = r.NoCompress
	n.discardNonHTML = !r.NoCompress && r.GzipOnlyHTML
	return n
}

// header returns a request header's value, its fields joined with ", "
// when it came more than once (as Apache merges them), and whether it
// was sent at all.
func header(req *http1.Request, name string) ([]byte, bool) {
	var v []byte
	present := false
	for i := range req.Headers {
		if !bytes.EqualFold(req.Headers[i].Name, []byte(name)) {
			continue
		}
		if present {
			v = append(v, ", "...)
		}
		v, present = append(v, req.Headers[i].Value...), true
	}
	return v, present
}

// mimeMatch is mod_negotiation's mime_match: whether accept covers v's
// type, recording how specific the match was in v.stars.
func mimeMatch(a *acceptItem, v *variant) bool {
	switch {
	case a.name == "":
		return false
	case a.name[0] == '*':
		v.stars = max(v.stars, 1)
		return true
	case strings.HasSuffix(a.name, "/*") && strings.HasPrefix(v.typ, a.name[:len(a.name)-1]):
		v.stars = max(v.stars, 2)
		return true
	case a.name == v.typ && a.level >= v.level:
		v.levelMatched = v.level
		v.stars = 3
		return true
	}
	return false
}

// setAcceptQuality is set_accept_quality: the quality of the most
// specific Accept element that matches; without explicit q values,
// wildcards count for little (0.01 for */*, 0.02 for type/*), so that
// a type the client names wins.
func (n *negotiation) setAcceptQuality(v *variant) {
	var q float32
	for i := range n.accepts {
		a := &n.accepts[i]
		prev := v.stars
		if !mimeMatch(a, v) || prev == v.stars {
			continue
		}
		switch {
		case !n.acceptQ && v.stars == 1:
			q = 0.01
		case !n.acceptQ && v.stars == 2:
			q = 0.02
		default:
			q = a.q
		}
	}
	v.mimeQ = q
}

// setLanguageQuality is set_language_quality, with ForceLanguagePriority.
func (n *negotiation) setLanguageQuality(v *variant) {
	if len(v.langs) == 0 {
		v.langQ = n.defaultLangQ
		return
	}
	if n.hasLangs {
		var best, star *acceptItem
		var fiddle float32
		anyStar := false
		for _, tag := range v.langs {
			lang := strings.ToLower(tag)
			var bestThis *acceptItem
			longest := 0
			for i := range n.langs {
				a := &n.langs[i]
				if a.name == "*" {
					if star == nil {
						star = a
					}
					continue
				}
				if strings.HasPrefix(lang, a.name) && (len(lang) == len(a.name) || lang[len(a.name)] == '-') && len(a.name) > longest {
					longest, bestThis = len(a.name), a
				}
				// Apache's fiddle: a range "en-US" matches "en" and
				// "en-GB" at 0.001, below anything listed.
				if bestThis == nil {
					if p := strings.IndexByte(a.name, '-'); p >= 0 && strings.HasPrefix(lang, a.name[:p]) {
						fiddle = 0.001
					}
				}
			}
			if best == nil || (bestThis != nil && bestThis.q > best.q) {
				best = bestThis
			}
			if bestThis == nil && star != nil {
				anyStar = true
			}
		}
		if anyStar && (best == nil || star.q > best.q) {
			best = star
		}
		v.langQ = fiddle
		if best != nil {
			v.langQ = best.q
		}
	}
	if (n.force&ForceLanguagePrefer != 0 && v.langIndex < 0) || (n.force&ForceLanguageFallback != 0 && v.langQ == 0) {
		bestIdx := -1
		for _, tag := range v.langs {
			if idx := priorityIndex(n.priority, tag); idx >= 0 && (bestIdx < 0 || idx < bestIdx) {
				bestIdx = idx
			}
		}
		switch {
		case bestIdx < 0:
		case v.langQ != 0:
			if n.force&ForceLanguagePrefer != 0 {
				v.langIndex = bestIdx
			}
		case n.force&ForceLanguageFallback != 0:
			v.langIndex, v.langQ = bestIdx, 0.0001
		}
	}
}

// priorityIndex is find_lang_index: the first LanguagePriority entry
// that is a prefix of lang.
func priorityIndex(priority []string, lang string) int {
	for i, p := range priority {
		if strings.HasPrefix(lang, p) {
			return i
		}
	}
	return -1
}

// setEncodingQuality is set_encoding_quality: without Accept-Encoding
// every coding is acceptable, none preferred; with it, a listed coding
// (x- prefixes ignored) or "*", and no coding unless "identity" is
// refused.
func (n *negotiation) setEncodingQuality(v *variant) {
	enc := v.enc
	identity := isIdentityCoding(enc)
	if !n.hasEncs {
		v.encQ = 1
		if !identity {
			v.encQ = 0.5
		}
		return
	}
	var notFound float32
	if identity {
		enc, notFound = "identity", 0.0001
	}
	enc = strings.TrimPrefix(enc, "x-")
	var star *acceptItem
	for i := range n.encs {
		name := strings.TrimPrefix(n.encs[i].name, "x-")
		if name == enc {
			v.encQ = n.encs[i].q
			return
		}
		if name == "*" {
			star = &n.encs[i]
		}
	}
	v.encQ = notFound
	if star != nil {
		v.encQ = star.q
	}
}

func isIdentityCoding(enc string) bool {
	return enc == "" || enc == "7bit" || enc == "8bit" || enc == "binary"
}

// setCharsetQuality is set_charset_quality: a text type without a
// charset is taken as ISO-8859-1, which is acceptable unless excluded.
func (n *negotiation) setCharsetQuality(v *variant) {
	if !n.hasCharsets {
		return
	}
	cs := v.charset
	if cs == "" {
		if !strings.HasPrefix(v.typ, "text/") {
			return
		}
		cs = "iso-8859-1"
	}
	var star *acceptItem
	for i := range n.charsets {
		if n.charsets[i].name == cs {
			v.charsetQ = n.charsets[i].q
			return
		}
		if n.charsets[i].name == "*" {
			star = &n.charsets[i]
		}
	}
	switch {
	case star != nil:
		v.charsetQ = star.q
	case cs == "iso-8859-1":
		v.charsetQ = 1
	default:
		v.charsetQ = 0
	}
}

// levelCmp is level_cmp: between variants of one type, the highest level
// the client named, else the lowest.
func levelCmp(a, b *variant) int {
	if a.pseudoHT != b.pseudoHT || (!a.pseudoHT && a.typ != b.typ) {
		return 0
	}
	switch {
	case a.levelMatched > b.levelMatched:
		return 1
	case a.levelMatched < b.levelMatched:
		return -1
	case a.level < b.level:
		return 1
	case a.level > b.level:
		return -1
	}
	return 0
}

// better is is_variant_better, Apache's server-driven algorithm: type
// quality times source quality, then language quality, LanguagePriority
// order, level, charset, encoding, and the smaller file.
func better(v, best *variant, bestQ *float32) bool {
	if v.encQ == 0 || v.langQ == 0 || v.qs == 0 || v.charsetQ == 0 || v.mimeQ == 0 {
		return false
	}
	q := v.mimeQ * v.qs
	if q < *bestQ {
		return false
	}
	if q > *bestQ || best == nil {
		*bestQ = q
		return true
	}
	switch {
	case v.langQ < best.langQ:
		return false
	case v.langQ > best.langQ:
		return true
	case best.langIndex != -1 && (v.langIndex == -1 || v.langIndex > best.langIndex):
		return false
	case v.langIndex != -1 && (best.langIndex == -1 || v.langIndex < best.langIndex):
		return true
	}
	switch levelCmp(v, best) {
	case -1:
		return false
	case 1:
		return true
	}
	if v.charsetQ < best.charsetQ {
		return false
	}
	if v.charsetQ > best.charsetQ || (v.charset != "" && v.charset != "iso-8859-1" && (best.charset == "" || best.charset == "iso-8859-1")) {
		return true
	}
	switch {
	case v.encQ < best.encQ:
		return false
	case v.encQ > best.encQ:
		return true
	}
	return v.size < best.size
}

// discarded reports whether the no-gzip or gzip-only-text/html variables
// take v out of the running, as mod_negotiation's discard_variant_by_env.
func (n *negotiation) discarded(v *variant) bool {
	if isIdentityCoding(v.enc) || v.enc == "identity" {
		return false
	}
	return n.discardAll || (n.discardNonHTML && !strings.HasPrefix(v.typ, "text/html"))
}

// hasLanguage reports whether v is in lang (variant_has_language).
func (v *variant) hasLanguage(lang string) bool {
	return slices.Contains(v.langs, lang)
}

// bestMatch is best_match: the variant to serve, or nil.
func (n *negotiation) bestMatch(vars []variant) *variant {
	n.defaultLangQ = 1
	for i := range vars {
		if len(vars[i].langs) > 0 {
			n.defaultLangQ = 0.0001
			break
		}
	}
	prefer := n.preferLang
	for {
		var best *variant
		var bestQ float32
		for i := range vars {
			v := &vars[i]
			if n.discarded(v) || (prefer != "" && !v.hasLanguage(prefer)) {
				continue
			}
			v.mimeQ, v.langQ, v.charsetQ, v.encQ = 1, 1, 1, 1
			v.langIndex, v.levelMatched, v.stars = -1, 0, 0
			n.setAcceptQuality(v)
			if prefer != "" {
				v.langQ = 1
			} else {
				n.setLanguageQuality(v)
			}
			n.setEncodingQuality(v)
			n.setCharsetQuality(v)
			if better(v, best, &bestQ) {
				best = v
			}
		}
		if prefer != "" && (best == nil || bestQ <= 0) {
			prefer = ""
			continue
		}
		if bestQ > 0 {
			return best
		}
		return nil
	}
}

// readVariants lists the variants of name in the directory dirfd (dir,
// its absolute path): the regular files named name.ext..., whose every
// extension means something to mod_mime (a type, a language, a charset,
// an encoding), unless it is one of name's own words or MultiviewsMatch
// Any applies, and which have a media type. matched reports whether any
// file had the name's prefix at all.
func (h *Handler) readVariants(dirfd int, dir, name string, cfg *DirConfig, skip []string) (vars []variant, matched bool, err error) {
	names, err := h.listNames(dirfd, dir)
	if err != nil {
		return nil, false, err
	}
	prefix := name + "."
	first, _ := slices.BinarySearch(names, prefix) // the names that start with it follow in order
	forcer, _ := h.resolver.(TypeForcer)
	types, _ := h.typesFor(cfg)
	for _, fn := range names[first:] {
		if !strings.HasPrefix(fn, prefix) {
			break
		}
		var st unix.Stat_t
		if unix.Fstatat(dirfd, fn, &st, 0) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR {
			continue
		}
		matched = true
		if st.Mode&unix.S_IFMT != unix.S_IFREG || isHtName(fn) || slices.Contains(skip, fn) {
			continue
		}
		if !cfg.MultiviewsAny && !types.knownExtensions(fn, name) {
			continue
		}
		typ := ""
		if forcer != nil {
			typ = forcer.ForcedType(dir, fn)
		}
		if typ == "" {
			typ = types.contentType(fn, "")
			if !types.typed(fn) {
				typ = "" // Apache 2.4 has no default type: such a file is no variant
			}
		}
		if typ == "" {
			continue
		}
		mt := parseAcceptItem(typ)
		v := variant{name: fn, size: st.Size, typ: mt.name, level: mt.level, qs: mt.q, charset: mt.charset,
			enc: strings.ToLower(types.encodings(fn)), pseudoHT: mt.name == "text/html"}
		if langs := types.extInfo(fn, kindLanguage); len(langs) > 0 {
			v.langs = langs
		} else if types.defLang != "" {
			v.langs = []string{types.defLang}
		}
		vars = append(vars, v)
	}
	slices.SortStableFunc(vars, func(a, b variant) int { // source quality first, descending
		switch {
		case a.qs > b.qs:
			return -1
		case a.qs < b.qs:
			return 1
		}
		return 0
	})
	return vars, matched, nil
}

// Negotiate is MultiViews at the point of a request where Apache's
// mod_negotiation runs it (the type_checker hook, after the access checks
// and before the fixups), so that mod_rewrite's per-directory rules,
// mod_env and a section's redirects see the chosen variant, not a missing
// file. For a path that names no file, in a directory with MultiViews, it
// negotiates into r as ServeMapped would (Variant and NegHeader, or a
// 406 or 404) and reports true; for any other path it reports false and
// leaves r for ServeMapped. Paths ending in '/' are left to ServeMapped:
// their DirectoryIndex is looked up after the fixups, as mod_dir does.
func (h *Handler) Negotiate(req *http1.Request, path, urlPath []byte, r *Reply, arrival int64) bool {
	if r.NoNegotiate || !checkedPath(path) || path[len(path)-1] == '/' {
		return false
	}
	if h.cache != nil {
		if e := h.cache.get(path); e != nil {
			fresh, _ := h.fresh(e, arrival)
			e.put()
			if fresh {
				return false // a file, answered by ServeMapped from the cache
			}
		}
	}
	p, status := h.makePlan(path, urlPath)
	if status != 0 || !p.dirs[len(p.segs)-1].MultiViews {
		return false
	}
	rootfd, err := h.openRoot()
	if err != nil {
		return false
	}
	defer unix.Close(rootfd)
	fd, err := openPath(rootfd, p.rel, p.segs, p.dirs, pathFlags) // only: does it exist?
	if err == nil {
		unix.Close(fd)
		return false
	}
	return errors.Is(err, unix.ENOENT) && h.negotiateAt(req, rootfd, p, len(p.segs)-1, r)
}

// negotiate answers a request for name, which does not exist in the
// directory dirfd (dir, absolute), from its variants: it reports false
// when there are none (the caller answers 404). Otherwise r names the
// chosen variant (Variant, with the response's extra header lines in
// NegHeader) for the caller to serve as the request's file, or holds a
// 406 with the variant list, or a 404.
func (h *Handler) negotiate(req *http1.Request, dirfd int, dir, name string, cfg *DirConfig, r *Reply) bool {
	vars, matched, err := h.readVariants(dirfd, dir, name, cfg, r.SkipVariants)
	switch {
	case err != nil:
		r.Status = 403 // AH00686: the directory cannot be read
		if errors.Is(err, unix.EACCES) {
			// Kept when mod_dir goes on to the next index name: Apache
			// logs the line in the subrequest for this one all the same.
			r.Denial, r.DeniedPath = DenialVariants, dirSlash(dir)
		}
		return true
	case !matched:
		return false
	case len(vars) == 0:
		r.Status, r.Unnegotiable = 404, NoNegotiableVariant
		return true
	}
	n := newNegotiation(req, cfg, r)
	best := n.bestMatch(vars)
	transparent := req.MethodID == http1.MethodGet || req.MethodID == http1.MethodHead
	hdr := r.negHeader[:0]
	if best == nil {
		hdr = appendAlternates(hdr, vars)
		hdr = appendNegVary(hdr, vars, transparent)
		if transparent {
			hdr = append(hdr, "TCN: list\r\n"...)
		}
		r.negHeader = hdr
		r.Status, r.Unnegotiable, r.NegHeader = 406, NoAcceptableVariant, hdr
		r.Header = append(r.Header[:0], hdr...)
		r.VariantList = appendVariantList(r.VariantList[:0], vars)
		return true
	}
	if transparent {
		hdr = append(hdr, "Content-Location: "...)
		hdr = AppendEscapedPath(hdr, []byte(best.name))
		hdr = append(hdr, "\r\n"...)
	}
	hdr = appendNegVary(hdr, vars, transparent)
	if transparent {
		hdr = append(hdr, "TCN: choice\r\n"...)
	}
	r.negHeader = hdr
	r.NegHeader, r.Variant = hdr, best.name
	return true
}

// appendNegVary appends the Vary line of a negotiated response
// (set_neg_headers): negotiate for a transparent one, and each dimension
// in which the variants differ.
func appendNegVary(dst []byte, vars []variant, transparent bool) []byte {
	var byType, byLang, byCharset, byEnc bool
	for i := 1; i < len(vars); i++ {
		a, b := &vars[0], &vars[i]
		byType = byType || a.typ != b.typ
		byCharset = byCharset || a.charset != b.charset
		byLang = byLang || strings.Join(a.langs, ",") != strings.Join(b.langs, ",")
		byEnc = byEnc || a.enc != b.enc
	}
	var parts []string
	for _, p := range []struct {
		on   bool
		name string
	}{{transparent, "negotiate"}, {byType, "accept"}, {byLang, "accept-language"}, {byCharset, "accept-charset"}, {byEnc, "accept-encoding"}} {
		if p.on {
			parts = append(parts, p.name)
		}
	}
	if len(parts) == 0 {
		return dst
	}
	dst = append(dst, "Vary: "...)
	dst = append(dst, strings.Join(parts, ",")...)
	return append(dst, "\r\n"...)
}

// appendAlternates appends RFC 2295's Alternates line, which Apache
// sends with a 406: each variant's name, source quality, type, charset,
// language, encoding and length.
func appendAlternates(dst []byte, vars []variant) []byte {
	dst = append(dst, "Alternates: "...)
	for i := range vars {
		v := &vars[i]
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, "{\""...)
		dst = AppendEscapedPath(dst, []byte(v.name))
		dst = append(dst, "\" "...)
		q := strconv.FormatFloat(float64(v.qs), 'f', 3, 32)
		q = strings.TrimRight(strings.TrimRight(q, "0"), ".")
		dst = append(dst, q...)
		for _, f := range [][2]string{{"type", v.typ}, {"charset", v.charset}, {"language", strings.Join(v.langs, ",")}, {"encoding", v.enc}} {
			if f[1] != "" {
				dst = append(append(append(append(dst, " {"...), f[0]...), ' '), f[1]...)
				dst = append(dst, '}')
			}
		}
		dst = append(dst, " {length "...)
		dst = strconv.AppendInt(dst, v.size, 10)
		dst = append(dst, "}}"...)
	}
	return append(dst, "\r\n"...)
}

// appendVariantList appends the HTML list of variants a 406 page shows
// (make_variant_list), names escaped.
func appendVariantList(dst []byte, vars []variant) []byte {
	dst = append(dst, "Available variants:\n<ul>\n"...)
	for i := range vars {
		v := &vars[i]
		name := []byte(htmlEscaper.Replace(v.name))
		dst = append(dst, "<li><a href=\""...)
		dst = append(dst, htmlEscaper.Replace(string(AppendEscapedPath(nil, []byte(v.name))))...)
		dst = append(dst, "\">"...)
		dst = append(dst, name...)
		dst = append(dst, "</a> "...)
		if v.typ != "" {
			dst = append(append(dst, ", type "...), v.typ...)
		}
		if len(v.langs) > 0 {
			dst = append(append(dst, ", language "...), htmlEscaper.Replace(strings.Join(v.langs, ","))...)
		}
		if v.charset != "" {
			dst = append(append(dst, ", charset "...), htmlEscaper.Replace(v.charset)...)
		}
		if v.enc != "" {
			dst = append(append(dst, ", encoding "...), htmlEscaper.Replace(v.enc)...)
		}
		dst = append(dst, "</li>\n"...)
	}
	return append(dst, "</ul>\n"...)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;")

// typed reports whether one of name's extensions has a media type.
func (m *MIMETypes) typed(name string) bool {
	_, ok := m.lookup(name)
	return ok
}

// known reports whether the lowercase extension ext has a mapping of any
// kind.
func (m *MIMETypes) known(ext string) bool {
	for k := kindType; k <= kindCharset; k++ {
		if _, ok := m.get(k, ext); ok {
			return true
		}
	}
	return false
}

// knownExtensions is MultiviewsMatch NegotiatedOnly's test: every
// extension of the file name fn that mod_mime does not know (no type,
// language, charset or encoding) must be one of the words of the
// requested name, in order (fn "index.html.bak" is no variant of
// "index"; "foo.bar.html" is one of "foo.bar").
func (m *MIMETypes) knownExtensions(fn, name string) bool {
	words := strings.Split(name, ".")
	wi := 1 // the first word is the base name, which always matches
	exts := strings.Split(fn[strings.IndexByte(fn, '.')+1:], ".")
	for _, ext := range exts {
		le := strings.ToLower(ext)
		if ext != "" && m.known(le) {
			continue
		}
		for wi < len(words) && words[wi] != ext {
			wi++
		}
		if wi == len(words) {
			return false
		}
		wi++
	}
	return true
}
