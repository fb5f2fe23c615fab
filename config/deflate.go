package config

import (
	"slices"
	"strconv"
	"strings"
)

// This file is mod_deflate with mod_filter's AddOutputFilterByType: which
// media types are sent gzip-compressed to clients that accept it.

// Deflate is the compression configuration of a server.
type Deflate struct {
	// Types are the media types (lowercased, without parameters) that
	// "AddOutputFilterByType DEFLATE" names.
	Types []string `json:",omitempty"`
	// Level is DeflateCompressionLevel, 1 to 9; 0 is zlib's default (6).
	Level int `json:",omitempty"`
	// Notes are DeflateFilterNote's names for the Input, Output and Ratio
	// notes ("" for none), which %{name}n logs.
	Notes [3]string `json:",omitzero"`
	// AlterETag is DeflateAlterETag, lowercased: "" (AddSuffix, the
	// default), "nochange" or "remove".
	AlterETag string `json:",omitempty"`
}

// setDeflateAlterETag is DeflateAlterETag AddSuffix|NoChange|Remove: what
// the ETag of a compressed response is made of.
func setDeflateAlterETag(w *walker, c *call) error {
	switch v := strings.ToLower(c.args[0]); v {
	case "addsuffix":
		w.srv.srv.Deflate.AlterETag = ""
	case "nochange", "remove":
		w.srv.srv.Deflate.AlterETag = v
	default:
		return errorf("DeflateAlterETag accepts only 'NoChange', 'AddSuffix', and 'Remove'")
	}
	w.srv.mark("DeflateAlterETag")
	return nil
}

// setAddOutputFilterByType is AddOutputFilterByType DEFLATE type...: the
// only filter eventmpm has is DEFLATE.
func setAddOutputFilterByType(w *walker, c *call) error {
	for _, f := range strings.Split(c.args[0], ";") {
		if !strings.EqualFold(f, "DEFLATE") {
			return errorf("AddOutputFilterByType %s: eventmpm has no output filter %q (only DEFLATE)", c.args[0], f)
		}
	}
	types := &w.srv.srv.Deflate.Types
	if w.sec != nil {
		if w.sec.s.Kind != SectionDirectory {
			return errorf("%s in %s> is not supported by eventmpm: use it in <Directory>, a .htaccess file, the server config or <VirtualHost>", c.d.name, c.sc.parent())
		}
		types = &w.sec.s.DeflateTypes
	}
	for _, t := range c.args[1:] {
		t = strings.ToLower(strings.TrimSpace(t))
		if !strings.Contains(t, "/") {
			return errorf("AddOutputFilterByType: %q is not a media type", t)
		}
		if !slices.Contains(*types, t) {
			*types = append(*types, t)
		}
	}
	return nil
}

// setDeflateFilterNote is DeflateFilterNote [Input|Output|Ratio] name:
// the note a compressed response's sizes or ratio are logged as
// (%{name}n); without a type, Ratio.
func setDeflateFilterNote(w *walker, c *call) error {
	kind, name := "ratio", c.args[0]
	if len(c.args) == 2 {
		kind, name = strings.ToLower(c.args[0]), c.args[1]
	}
	i := slices.Index([]string{"input", "output", "ratio"}, kind)
	if i < 0 {
		return errorf("Unknown note type %s", c.args[0])
	}
	w.srv.srv.Deflate.Notes[i] = name
	return nil
}

func setDeflateCompressionLevel(w *walker, c *call) error {
	n, err := strconv.Atoi(c.args[0])
	if err != nil || n < 1 || n > 9 {
		return errorf("DeflateCompressionLevel must be between 1 and 9")
	}
	w.srv.srv.Deflate.Level = n
	return nil
}

// OutputFilters is core's SetOutputFilter and mod_mime's AddOutputFilter
// and RemoveOutputFilter at one level (the server's or a section's), where
// the only filter eventmpm has is DEFLATE.
type OutputFilters struct {
	// Set is SetOutputFilter DEFLATE: every file is compressed. (Apache
	// would let a deeper SetOutputFilter name other filters instead;
	// eventmpm has no other.)
	Set bool `json:",omitempty"`
	// Exts are AddOutputFilter DEFLATE (Deflate true) and
	// RemoveOutputFilter (false) by file extension (lowercased, without
	// the dot), in file order: the last one for an extension counts.
	Exts []ExtFilter `json:",omitempty"`
}

// ExtFilter is one extension of AddOutputFilter or RemoveOutputFilter.
type ExtFilter struct {
	Ext     string
	Deflate bool `json:",omitempty"`
}

// IsZero reports whether this level sets nothing.
func (f OutputFilters) IsZero() bool { return !f.Set && len(f.Exts) == 0 }

// outputFiltersOf is the level a directive at w's position sets: its
// section's, or its server's. ForceType's rule holds: the choice is made
// per file, so <Location> cannot take it.
func (w *walker) outputFiltersOf(c *call) (*OutputFilters, error) {
	if w.sec == nil {
		return &w.srv.srv.OutputFilters, nil
	}
	if k := w.sec.s.Kind; k != SectionDirectory && k != SectionFiles {
		return nil, errorf("%s in %s> is not supported by eventmpm: it decides per file, by its directory and name; use <Directory> or <Files>", c.d.name, c.sc.parent())
	}
	return &w.sec.s.OutputFilters, nil
}

// deflateOnly checks a filter list ("DEFLATE", "DEFLATE;DEFLATE"): DEFLATE
// is the only filter eventmpm has; kind is "input" or "output".
func deflateOnly(c *call, list, kind string) error {
	for _, f := range strings.Split(list, ";") {
		if !strings.EqualFold(strings.TrimSpace(f), "DEFLATE") {
			return errorf("%s %s: eventmpm has no %s filter %q (only DEFLATE)", c.d.name, list, kind, f)
		}
	}
	return nil
}

// setSetOutputFilter is SetOutputFilter DEFLATE.
func setSetOutputFilter(w *walker, c *call) error {
	if err := deflateOnly(c, c.args[0], "output"); err != nil {
		return err
	}
	f, err := w.outputFiltersOf(c)
	if err != nil {
		return err
	}
	f.Set = true
	return nil
}

// setAddOutputFilter is AddOutputFilter DEFLATE ext... and
// RemoveOutputFilter ext...; extensions are taken as mod_mime takes them
// (a leading dot dropped, lowercased).
func setAddOutputFilter(add bool) func(w *walker, c *call) error {
	return func(w *walker, c *call) error {
		exts := c.args
		if add {
			if err := deflateOnly(c, c.args[0], "output"); err != nil {
				return err
			}
			exts = c.args[1:]
		}
		f, err := w.outputFiltersOf(c)
		if err != nil {
			return err
		}
		for _, e := range exts {
			f.Exts = append(f.Exts, ExtFilter{Ext: strings.ToLower(strings.TrimPrefix(e, ".")), Deflate: add})
		}
		return nil
	}
}

// Deflates reports whether the filters, applied in order over a file
// name, compress it: a SetOutputFilter, or the last AddOutputFilter or
// RemoveOutputFilter of any of the name's extensions (every dot-separated
// part after the first, as mod_mime reads them).
func Deflates(name string, levels ...*OutputFilters) bool {
	for _, l := range levels {
		if l.Set {
			return true
		}
	}
	_, exts, found := strings.Cut(name, ".")
	for found {
		var ext string
		ext, exts, found = strings.Cut(exts, ".")
		if extDeflates(strings.ToLower(ext), levels) {
			return true
		}
	}
	return false
}

// extDeflates is the last AddOutputFilter or RemoveOutputFilter of ext.
func extDeflates(ext string, levels []*OutputFilters) bool {
	on := false
	for _, l := range levels {
		for _, e := range l.Exts {
			if e.Ext == ext {
				on = e.Deflate
			}
		}
	}
	return on
}
