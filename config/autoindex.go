package config

import (
	"cmp"
	"slices"
	"strings"
)

// This file is mod_autoindex's directives: what a directory listing
// (Options Indexes) leaves out, its order and columns, and the files shown
// above and below it, and the icons, alt texts and descriptions shown
// beside the names.

// Autoindex is the listing configuration a server or a section sets.
type Autoindex struct {
	// Ignore are IndexIgnore's wildcard patterns of names to leave out,
	// added to the enclosing ones unless IgnoreReset (IndexIgnoreReset On).
	Ignore      []string `json:",omitempty"`
	IgnoreReset bool     `json:",omitempty"`
	// HeaderName and ReadmeName name files of the listed directory shown
	// above and below the table ("" when not set here).
	HeaderName string `json:",omitempty"`
	ReadmeName string `json:",omitempty"`
	// StyleSheet is IndexStyleSheet, the URL of a style sheet the
	// listing links (and marks up its parts for); HeadInsert is
	// IndexHeadInsert, markup put in the page's head as it is. "" when
	// not set here.
	StyleSheet string `json:",omitempty"`
	HeadInsert string `json:",omitempty"`
	// OrderKey ('N', 'M', 'S' or 'D') and OrderDirection ('A' or 'D') are
	// IndexOrderDefault's: how a listing is sorted without a query; 0 when
	// not set here.
	OrderKey       byte `json:",omitempty"`
	OrderDirection byte `json:",omitempty"`
	// Options is IndexOptions as written here, nil when not.
	Options *IndexOptions `json:",omitempty"`
	// Icons and Alts are the AddIcon* and AddAlt* rules written here, in
	// order; DefaultIcon is DefaultIcon's URL ("" when not set here).
	Icons       []IndexRule `json:",omitempty"`
	Alts        []IndexRule `json:",omitempty"`
	DefaultIcon string      `json:",omitempty"`
	// Descriptions are the AddDescription rules written here, in order.
	Descriptions []IndexDescription `json:",omitempty"`
}

// IndexRule is one name of an AddIcon* or AddAlt* directive: Value (an
// icon URL or alt text) applies to the entries Pattern matches with '*'
// and '?' wildcards. By is 'P' (AddIcon, AddAlt: the entry's path; a name
// without wildcards matches as "*name", "^^DIRECTORY^^" the directories
// and "^^BLANKICON^^" the heading), 'T' (ByType: its media type) or 'E'
// (ByEncoding: its content coding).
type IndexRule struct {
	By      byte
	Pattern string
	Value   string
}

// IndexDescription is one name of AddDescription: Text describes the
// entries Pattern matches; a pattern with a '/' (FullPath) is matched
// against the whole path, else against the name, with fnmatch wildcards
// when it has them or a '/' (Wildcard, "*pattern*"), else as a substring.
type IndexDescription struct {
	Pattern  string
	Text     string
	FullPath bool `json:",omitempty"`
	Wildcard bool `json:",omitempty"`
}

// IndexOptions is a context's IndexOptions as mod_autoindex keeps them.
// Opts are the flags written without a prefix: when there are any they
// replace the inherited ones. Add and Remove are those written with '+'
// and '-', applied to the inherited ones; an unprefixed word forgets the
// '+' and '-' ones written before it in the same context. None is
// IndexOptions None, which clears every flag. The widths and the charset
// are not flags: each is inherited unless set here (0 or "" when not).
type IndexOptions struct {
	None   bool     `json:",omitempty"`
	Opts   []string `json:",omitempty"`
	Add    []string `json:",omitempty"`
	Remove []string `json:",omitempty"`
	// NameWidth and DescriptionWidth are -1 for "*" (fit the longest),
	// else the width; IconWidth and IconHeight the icons' size.
	NameWidth, DescriptionWidth int `json:",omitempty"`
	IconWidth, IconHeight       int `json:",omitempty"`
	// Charset and Type are Charset= and Type=: the listing's charset and
	// media type.
	Charset string `json:",omitempty"`
	Type    string `json:",omitempty"`
}

// merge is mod_autoindex's merge of IndexOptions: add's own flags, or
// the inherited ones with add's '+' and '-' applied (the '+' and '-' ones
// are kept for further merges).
func (base IndexOptions) merge(add IndexOptions) IndexOptions {
	out := IndexOptions{
		NameWidth: cmp.Or(add.NameWidth, base.NameWidth), DescriptionWidth: cmp.Or(add.DescriptionWidth, base.DescriptionWidth),
		IconWidth: cmp.Or(add.IconWidth, base.IconWidth), IconHeight: cmp.Or(add.IconHeight, base.IconHeight),
		Charset: cmp.Or(add.Charset, base.Charset), Type: cmp.Or(add.Type, base.Type),
	}
	switch {
	case add.None:
		out.None = true
		return out
	case len(add.Opts) == 0:
		out.Add = withoutNames(unionNames(base.Add, add.Add), add.Remove)
		out.Remove = unionNames(base.Remove, add.Remove)
		out.Opts = base.Opts
	default:
		out.Opts = add.Opts
	}
	out.Opts = withoutNames(unionNames(out.Opts, out.Add), out.Remove)
	return out
}

// unionNames is a and the names of b it lacks, in a new slice (nil when
// empty, as the configuration's JSON form gives it back).
func unionNames(a, b []string) []string {
	var out []string
	for _, x := range append(slices.Clip(a), b...) {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// withoutNames is a less the names of b, in a new slice (nil when empty).
func withoutNames(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// IsZero reports whether nothing of mod_autoindex is set.
func (a *Autoindex) IsZero() bool {
	return len(a.Ignore) == 0 && !a.IgnoreReset && a.HeaderName == "" && a.ReadmeName == "" && a.Options == nil &&
		a.OrderKey == 0 && a.StyleSheet == "" && a.HeadInsert == "" && len(a.Icons) == 0 && len(a.Alts) == 0 &&
		a.DefaultIcon == "" && len(a.Descriptions) == 0
}

// ListingFlags is the merged IndexOptions that change eventmpm's listings.
type ListingFlags struct {
	FoldersFirst, IgnoreCase, VersionSort, SuppressSize, SuppressLastModified bool
	Fancy, Table, SuppressIcon, SuppressDescription, SuppressRules            bool
	SuppressColumnSorting, IgnoreClient                                       bool
	IconsAreLinks, AddAltClass, ScanHTMLTitles                                bool
	XHTML, SuppressHTMLPreamble, TrackModified, ShowForbidden                 bool
	// NameWidth is 0 for the default (23), -1 for NameWidth=*, else the
	// width; DescriptionWidth likewise (0: 23, widened by the columns left
	// out).
	NameWidth, DescriptionWidth int
	// IconWidth and IconHeight size the icons; 0 leaves them unsized.
	IconWidth, IconHeight int
	Charset, Type         string
}

// Merge returns the listing configuration in effect inside add when a is
// the enclosing one, as mod_autoindex merges: IndexIgnore patterns add up
// (IndexIgnoreReset starts over), the names are add's when set, and
// IndexOptions apply as Apache's incremental rules say.
func (a Autoindex) Merge(add Autoindex) Autoindex {
	out := a
	if add.IgnoreReset {
		out.Ignore = nil
	}
	if len(add.Ignore) > 0 {
		out.Ignore = append(slices.Clip(out.Ignore), add.Ignore...)
	}
	if add.HeaderName != "" {
		out.HeaderName = add.HeaderName
	}
	if add.ReadmeName != "" {
		out.ReadmeName = add.ReadmeName
	}
	out.StyleSheet = cmp.Or(add.StyleSheet, out.StyleSheet)
	out.HeadInsert = cmp.Or(add.HeadInsert, out.HeadInsert)
	if add.OrderKey != 0 {
		out.OrderKey, out.OrderDirection = add.OrderKey, add.OrderDirection
	}
	if add.Options != nil {
		var base IndexOptions
		if out.Options != nil {
			base = *out.Options
		}
		o := base.merge(*add.Options)
		out.Options = &o
	}
	// mod_autoindex looks the rules up in the innermost section's first.
	out.Icons = append(slices.Clip(add.Icons), out.Icons...)
	out.Alts = append(slices.Clip(add.Alts), out.Alts...)
	out.Descriptions = append(slices.Clip(add.Descriptions), out.Descriptions...)
	out.DefaultIcon = cmp.Or(add.DefaultIcon, out.DefaultIcon)
	return out
}

// Flags evaluates the merged IndexOptions.
func (a *Autoindex) Flags() ListingFlags {
	var f ListingFlags
	if a.Options == nil {
		return f
	}
	o := IndexOptions{}.merge(*a.Options) // the '+' ones of a context merged into nothing apply too
	on := func(flag string) bool { return slices.Contains(o.Opts, flag) }
	f.FoldersFirst, f.IgnoreCase, f.VersionSort = on("foldersfirst"), on("ignorecase"), on("versionsort")
	f.SuppressSize, f.SuppressLastModified = on("suppresssize"), on("suppresslastmodified")
	f.Fancy, f.Table = on("fancyindexing"), on("htmltable")
	f.SuppressIcon, f.SuppressDescription, f.SuppressRules = on("suppressicon"), on("suppressdescription"), on("suppressrules")
	f.SuppressColumnSorting, f.IgnoreClient = on("suppresscolumnsorting"), on("ignoreclient")
	f.IconsAreLinks, f.AddAltClass, f.ScanHTMLTitles = on("iconsarelinks"), on("addaltclass"), on("scanhtmltitles")
	f.NameWidth, f.DescriptionWidth, f.IconWidth, f.IconHeight = o.NameWidth, o.DescriptionWidth, o.IconWidth, o.IconHeight
	f.XHTML, f.SuppressHTMLPreamble, f.TrackModified, f.ShowForbidden = on("xhtml"), on("suppresshtmlpreamble"), on("trackmodified"), on("showforbidden")
	f.Charset, f.Type = o.Charset, o.Type
	return f
}

// autoindexOf is the Autoindex the directive sets: the section's, or the
// server's.
func (w *walker) autoindexOf() *Autoindex {
	if w.sec != nil {
		return &w.sec.s.Autoindex
	}
	return &w.srv.srv.Autoindex
}

func setIndexIgnore(w *walker, c *call) error {
	a := w.autoindexOf()
	a.Ignore = append(a.Ignore, c.args...)
	return nil
}

// setIndexOrderDefault is IndexOrderDefault Ascending|Descending
// Name|Date|Size|Description, with mod_autoindex's messages.
func setIndexOrderDefault(w *walker, c *call) error {
	var dir byte
	switch strings.ToLower(c.args[0]) {
	case "ascending":
		dir = 'A'
	case "descending":
		dir = 'D'
	default:
		return errorf("First keyword must be 'Ascending' or 'Descending'")
	}
	key, ok := map[string]byte{"name": 'N', "date": 'M', "size": 'S', "description": 'D'}[strings.ToLower(c.args[1])]
	if !ok {
		return errorf("Second keyword must be 'Name', 'Date', 'Size', or 'Description'")
	}
	a := w.autoindexOf()
	a.OrderKey, a.OrderDirection = key, dir
	return nil
}

func setIndexIgnoreReset(w *walker, c *call) error {
	w.autoindexOf().IgnoreReset = isOn(c.args[0])
	return nil
}

// setIndexHead is IndexStyleSheet and IndexHeadInsert: their text is
// kept as written and put in the listing's head as it is, as Apache does.
func setIndexHead(w *walker, c *call) error {
	a := w.autoindexOf()
	if strings.EqualFold(c.d.name, "IndexStyleSheet") {
		a.StyleSheet = c.args[0]
	} else {
		a.HeadInsert = c.args[0]
	}
	return nil
}

// setIndexFile is HeaderName and ReadmeName: a file name relative to the
// listed directory.
func setIndexFile(readme bool) func(w *walker, c *call) error {
	return func(w *walker, c *call) error {
		name := c.args[0]
		if strings.Contains(name, "/") {
			return errorf("%s %s: eventmpm takes a file name of the listed directory, not a path or URL", c.d.name, name)
		}
		if readme {
			w.autoindexOf().ReadmeName = name
		} else {
			w.autoindexOf().HeaderName = name
		}
		return nil
	}
}

// indexOptionsFlags are mod_autoindex's IndexOptions flags, all of
// which eventmpm's listings honour.
var (
	indexOptionsFlags = []string{"foldersfirst", "ignorecase", "versionsort", "suppresssize", "suppresslastmodified",
		"fancyindexing", "htmltable", "suppresscolumnsorting", "suppressicon", "suppressdescription",
		"suppressrules", "ignoreclient", "iconsarelinks", "addaltclass", "scanhtmltitles", "xhtml", "suppresshtmlpreamble",
		"trackmodified", "showforbidden"}
)

// Apache's widths: DEFAULT_NAME_WIDTH, DEFAULT_DESC_WIDTH,
// DEFAULT_ICON_WIDTH and DEFAULT_ICON_HEIGHT.
const (
	defaultNameWidth        = 23
	defaultDescriptionWidth = 23
	defaultIconWidth        = 20
	defaultIconHeight       = 22
)

// atoiPrefix is C's atoi: the decimal number value starts with (after
// blanks and a sign), 0 when none.
func atoiPrefix(value string) int {
	value = strings.TrimLeft(value, " \t")
	neg := strings.HasPrefix(value, "-")
	value = strings.TrimLeft(value, "+-")
	n := 0
	for i := 0; i < len(value) && '0' <= value[i] && value[i] <= '9' && n < 1<<20; i++ {
		n = n*10 + int(value[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// setIndexOptions reads IndexOptions as mod_autoindex's add_opts does,
// with its messages.
func setIndexOptions(w *walker, c *call) error {
	a := w.autoindexOf()
	o := a.Options
	if o == nil {
		o = &IndexOptions{}
	}
	for _, word := range c.args {
		action := byte(0)
		if word[0] == '+' || word[0] == '-' {
			action, word = word[0], word[1:]
		}
		name, value, hasValue := strings.Cut(word, "=")
		flag := strings.ToLower(name)
		isFlag := false
		switch {
		case flag == "none" && !hasValue:
			if action != 0 {
				return errorf("Cannot combine '+' or '-' with 'None' keyword")
			}
			o.None, o.Opts = true, nil
		case flag == "charset" && hasValue:
			o.Charset = value
		case flag == "type" && hasValue:
			o.Type = value
		case flag == "namewidth", flag == "descriptionwidth", flag == "iconwidth", flag == "iconheight":
			if err := widthOption(o, action, flag, name, value, hasValue); err != nil {
				return err
			}
		case hasValue:
			return errorf("Invalid directory indexing option")
		case slices.Contains(indexOptionsFlags, flag):
			isFlag = true
		default:
			return errorf("Invalid directory indexing option")
		}
		switch action {
		case 0:
			if isFlag {
				o.Opts = unionNames(o.Opts, []string{flag})
			}
			o.Add, o.Remove = nil, nil
		case '+':
			if isFlag {
				o.Add, o.Remove = unionNames(o.Add, []string{flag}), withoutNames(o.Remove, []string{flag})
			}
		default:
			if isFlag {
				o.Remove, o.Add = unionNames(o.Remove, []string{flag}), withoutNames(o.Add, []string{flag})
			}
		}
	}
	if o.None && len(o.Opts) > 0 {
		return errorf("Cannot combine other IndexOptions keywords with 'None'")
	}
	a.Options = o
	return nil
}

// widthOption reads NameWidth, DescriptionWidth, IconWidth and
// IconHeight as add_opts does: the first two need a value unless removed
// ("-NameWidth" is the default width), none takes '-' with a value, "*"
// fits the longest name or description; IconWidth and IconHeight
// without a value are Apache's default size, removed they inherit.
func widthOption(o *IndexOptions, action byte, flag, name, value string, hasValue bool) error {
	width := 0
	switch {
	case hasValue && action == '-':
		return errorf("Cannot combine '-' with %s=n", name)
	case flag == "iconwidth" && !hasValue && action != '-':
		width = defaultIconWidth
	case flag == "iconheight" && !hasValue && action != '-':
		width = defaultIconHeight
	case flag == "iconwidth", flag == "iconheight":
		width = atoiPrefix(value)
	case !hasValue && action != '-':
		return errorf("%s with no value may only appear as '-%s'", name, name)
	case !hasValue && flag == "namewidth":
		width = defaultNameWidth
	case !hasValue:
		width = defaultDescriptionWidth
	case strings.HasPrefix(value, "*"):
		width = -1
	default:
		width = atoiPrefix(value)
		least := map[string]int{"namewidth": 5, "descriptionwidth": 12}[flag]
		if width != 0 && width < least {
			return errorf("%s value must be greater than %d", name, least)
		}
	}
	switch flag {
	case "namewidth":
		o.NameWidth = width
	case "descriptionwidth":
		o.DescriptionWidth = width
	case "iconwidth":
		o.IconWidth = width
	default:
		o.IconHeight = width
	}
	return nil
}

// setIndexRule is AddIcon, AddIconByType, AddIconByEncoding and the
// AddAlt forms (by 'P', 'T' or 'E'), one rule per name after the first
// argument, as mod_autoindex's add_icon and add_alt: an icon written
// "(ALT,url)" also adds ALT as the alt text; "**DIRECTORY**" is
// "^^DIRECTORY^^"; a file name without '*' or '?' matches as "*name";
// codings are lower-cased.
func setIndexRule(by byte, alt bool) func(w *walker, c *call) error {
	return func(w *walker, c *call) error {
		a := w.autoindexOf()
		value, altText, hasAlt := c.args[0], "", false
		if !alt && strings.HasPrefix(value, "(") {
			end := strings.IndexByte(value, ')')
			if end < 0 {
				return errorf("missing closing paren")
			}
			inner := value[1:end]
			altText, value, _ = strings.Cut(inner, ",")
			hasAlt = true
		}
		for _, to := range c.args[1:] {
			switch {
			case by == 'P' && to == "**DIRECTORY**":
				to = "^^DIRECTORY^^"
			case by == 'E':
				to = strings.ToLower(to)
			}
			if by == 'P' && !strings.ContainsAny(to, "*?") {
				to = "*" + to
			}
			if hasAlt {
				a.Alts = append(a.Alts, IndexRule{By: by, Pattern: to, Value: altText})
			}
			if alt {
				a.Alts = append(a.Alts, IndexRule{By: by, Pattern: to, Value: value})
			} else {
				a.Icons = append(a.Icons, IndexRule{By: by, Pattern: to, Value: value})
			}
		}
		return nil
	}
}

// setDefaultIcon is DefaultIcon.
func setDefaultIcon(w *walker, c *call) error {
	w.autoindexOf().DefaultIcon = c.args[0]
	return nil
}

// setAddDescription is AddDescription, as mod_autoindex's add_desc.
func setAddDescription(w *walker, c *call) error {
	a := w.autoindexOf()
	for _, to := range c.args[1:] {
		d := IndexDescription{Pattern: to, Text: c.args[0], FullPath: strings.Contains(to, "/")}
		d.Wildcard = d.FullPath || hasFnmatchWildcard(to)
		if d.Wildcard {
			prefix := "*"
			if d.FullPath {
				prefix = "*/"
			}
			d.Pattern = prefix + to + "*"
		}
		a.Descriptions = append(a.Descriptions, d)
	}
	return nil
}

// hasFnmatchWildcard is apr_fnmatch_test: whether s has a '*' or '?', or
// a '[' closed by a later ']' (a '\' escapes the next byte).
func hasFnmatchWildcard(s string) bool {
	open := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '?', '*':
			return true
		case '\\':
			i++
		case '[':
			open = true
		case ']':
			if open {
				return true
			}
		}
	}
	return false
}
