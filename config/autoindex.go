package config

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// This file is mod_autoindex's directives: what a directory listing
// (Options Indexes) leaves out, its order and columns, and the files shown
// above and below it. The icon and description directives are taken with
// a warning: eventmpm's listings show neither.

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
}

// IndexOptions is a context's IndexOptions: Ops are its flags in order,
// "+flag" to set one (an unprefixed flag is written "+flag" too) and
// "-flag" to clear one; Reset is set when one was unprefixed, which drops
// what the enclosing contexts set, as Apache's manual says.
type IndexOptions struct {
	Reset   bool     `json:",omitempty"`
	Ops     []string `json:",omitempty"`
	Charset string   `json:",omitempty"`
}

// IsZero reports whether nothing of mod_autoindex is set.
func (a *Autoindex) IsZero() bool {
	return len(a.Ignore) == 0 && !a.IgnoreReset && a.HeaderName == "" && a.ReadmeName == "" && a.Options == nil &&
		a.OrderKey == 0 && a.StyleSheet == "" && a.HeadInsert == ""
}

// ListingFlags is the merged IndexOptions that change eventmpm's listings.
type ListingFlags struct {
	FoldersFirst, IgnoreCase, VersionSort, SuppressSize, SuppressLastModified bool
	Fancy, Table, SuppressIcon, SuppressDescription, SuppressRules            bool
	SuppressColumnSorting, IgnoreClient                                       bool
	// NameWidth is 0 for the default (23), -1 for NameWidth=*, else the
	// width.
	NameWidth int
	Charset   string
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
		o := *add.Options
		if out.Options != nil && !add.Options.Reset {
			o.Ops = append(slices.Clip(out.Options.Ops), add.Options.Ops...)
			if o.Charset == "" {
				o.Charset = out.Options.Charset
			}
		}
		out.Options = &o
	}
	return out
}

// Flags evaluates the merged IndexOptions.
func (a *Autoindex) Flags() ListingFlags {
	var f ListingFlags
	if a.Options == nil {
		return f
	}
	on := map[string]bool{}
	for _, op := range a.Options.Ops {
		name, value, _ := strings.Cut(op[1:], "=")
		on[name] = op[0] == '+'
		if name == "namewidth" {
			f.NameWidth = 0
			if op[0] == '+' {
				f.NameWidth = nameWidth(value)
			}
		}
	}
	f.FoldersFirst, f.IgnoreCase, f.VersionSort = on["foldersfirst"], on["ignorecase"], on["versionsort"]
	f.SuppressSize, f.SuppressLastModified = on["suppresssize"], on["suppresslastmodified"]
	f.Fancy, f.Table = on["fancyindexing"], on["htmltable"]
	f.SuppressIcon, f.SuppressDescription, f.SuppressRules = on["suppressicon"], on["suppressdescription"], on["suppressrules"]
	f.SuppressColumnSorting, f.IgnoreClient = on["suppresscolumnsorting"], on["ignoreclient"]
	f.Charset = a.Options.Charset
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

// indexOptionsImplemented change eventmpm's listings; indexOptionsOwn
// would change only what they do not show (DescriptionWidth sizes
// descriptions, and there are none).
var (
	indexOptionsImplemented = []string{"foldersfirst", "ignorecase", "versionsort", "suppresssize", "suppresslastmodified",
		"fancyindexing", "htmltable", "namewidth", "suppresscolumnsorting", "suppressicon", "suppressdescription",
		"suppressrules", "ignoreclient"}
	indexOptionsOwn   = []string{"descriptionwidth"}
	indexOptionsKnown = []string{"addaltclass", "iconsarelinks", "iconheight", "iconwidth", "scanhtmltitles",
		"showforbidden", "suppresshtmlpreamble", "trackmodified", "type", "xhtml"}
)

// nameWidth reads NameWidth's value: "*" is -1 (fit the names), a number
// is the width.
func nameWidth(value string) int {
	if value == "*" {
		return -1
	}
	n, _ := strconv.Atoi(value)
	return n
}

// setIndexOptions reads IndexOptions flags; those eventmpm's listings do
// not honour are taken with one warning naming them.
func setIndexOptions(w *walker, c *call) error {
	a := w.autoindexOf()
	o := a.Options
	if o == nil {
		o = &IndexOptions{}
	}
	var ignored []string
	for _, word := range c.args {
		prefix := byte('+')
		if word[0] == '+' || word[0] == '-' {
			prefix, word = word[0], word[1:]
		} else {
			o.Reset = true
		}
		name, value, _ := strings.Cut(word, "=")
		flag := strings.ToLower(name)
		switch {
		case flag == "charset":
			o.Charset = value
		case flag == "namewidth" && prefix == '+':
			if value != "*" {
				if n, err := strconv.Atoi(value); err != nil || n < 5 {
					return errorf("NameWidth value must be greater than 5")
				}
			}
			o.Ops = append(o.Ops, "+namewidth="+value)
		case slices.Contains(indexOptionsImplemented, flag), slices.Contains(indexOptionsOwn, flag):
			o.Ops = append(o.Ops, string(prefix)+flag)
		case slices.Contains(indexOptionsKnown, flag):
			ignored = append(ignored, word)
		default:
			return errorf("Invalid directory indexing option")
		}
	}
	a.Options = o
	if len(ignored) > 0 {
		w.warn(c.pos, "", "IndexOptions %s: no effect on eventmpm's listings", strings.Join(ignored, " "))
	}
	return nil
}

// autoindexNoEffect takes the icon and description directives of
// mod_autoindex with a warning, once per directive.
func autoindexNoEffect(what string) func(w *walker, c *call) error {
	return func(w *walker, c *call) error {
		w.noEffect(c, "eventmpm's listings show no "+what)
		return nil
	}
}
