package config

import (
	"os"
	"slices"
	"strings"
)

// This file reads AccessFileName files (.htaccess) as Apache's
// ap_parse_htaccess does: the directives of one file, checked against the
// AllowOverride (and AllowOverrideList) in effect for its directory, make
// a <Directory> section for that directory. The child reads the files on
// the requests that pass them and merges their sections where Apache's
// directory walk merges them.

// OverrideClass is a set of AllowOverride's directive classes.
type OverrideClass uint8

// The override classes (Apache's OR_AUTHCFG, OR_FILEINFO, OR_INDEXES,
// OR_LIMIT, OR_OPTIONS).
const (
	OverrideAuthConfig OverrideClass = 1 << iota
	OverrideFileInfo
	OverrideIndexes
	OverrideLimit
	OverrideOptions

	// OverrideAll is every class (AllowOverride All; OR_ALL for a
	// directive allowed under any class).
	OverrideAll = OverrideAuthConfig | OverrideFileInfo | OverrideIndexes | OverrideLimit | OverrideOptions
)

// Overrides is what an AllowOverride (and AllowOverrideList) lets the
// AccessFileName files of a directory set.
type Overrides struct {
	// Classes are the classes of directives allowed.
	Classes OverrideClass
	// Options are the Options keywords an allowed Options directive may
	// name (AllowOverride Options=...).
	Options OptionFlags
	// NonfatalOverride and NonfatalUnknown make a directive the classes
	// do not allow, and an unknown one, a warning instead of an error
	// (AllowOverride Nonfatal=Override, Nonfatal=Unknown, Nonfatal=All).
	NonfatalOverride, NonfatalUnknown bool
	// List are AllowOverrideList's directive names, lowercased: allowed
	// whatever the classes.
	List []string
}

// Any reports whether the files are read at all: some class or directive
// is allowed.
func (o Overrides) Any() bool { return o.Classes != 0 || len(o.List) > 0 }

// allOptions are the Options keywords AllowOverride All and Options
// without a list allow.
var allOptions = OptionFlags{Indexes: true, FollowSymLinks: true, SymLinksIfOwnerMatch: true, MultiViews: true}

// ParseOverrides reads a Section's AllowOverride and AllowOverrideList
// values (as setAllowOverride and setAllowOverrideList stored them).
func ParseOverrides(allowOverride string, list []string) Overrides {
	var o Overrides
	for _, w := range strings.Fields(allowOverride) {
		name, arg, hasArg := strings.Cut(w, "=")
		switch strings.ToLower(name) {
		case "none":
			o.Classes = 0
		case "all":
			o.Classes, o.Options = OverrideAll, allOptions
		case "authconfig":
			o.Classes |= OverrideAuthConfig
		case "fileinfo":
			o.Classes |= OverrideFileInfo
		case "indexes":
			o.Classes |= OverrideIndexes
		case "limit":
			o.Classes |= OverrideLimit
		case "options":
			o.Classes |= OverrideOptions
			o.Options = allOptions
			if hasArg {
				o.Options = OptionFlags{}
				for _, opt := range strings.Split(arg, ",") {
					if f, ok := optionWords[strings.ToLower(opt)]; ok {
						o.Options = o.Options.union(f)
					} else if strings.EqualFold(opt, "All") {
						o.Options = allOptions
					}
				}
			}
		case "nonfatal":
			switch strings.ToLower(arg) {
			case "override":
				o.NonfatalOverride = true
			case "unknown":
				o.NonfatalUnknown = true
			case "all":
				o.NonfatalOverride, o.NonfatalUnknown = true, true
			}
		}
	}
	for _, name := range list {
		if l := strings.ToLower(name); l != "none" {
			o.List = append(o.List, l)
		}
	}
	return o
}

// union is the flags set in either.
func (f OptionFlags) union(g OptionFlags) OptionFlags {
	return OptionFlags{
		Indexes: f.Indexes || g.Indexes, FollowSymLinks: f.FollowSymLinks || g.FollowSymLinks,
		SymLinksIfOwnerMatch: f.SymLinksIfOwnerMatch || g.SymLinksIfOwnerMatch, MultiViews: f.MultiViews || g.MultiViews,
	}
}

// directiveClasses are the classes under which each directive may appear
// in an AccessFileName file (Apache's req_override), by lowercased name;
// a directive not here may not appear there at all ("X not allowed
// here"). The table was taken from Apache 2.4.71 itself: each directive
// in a .htaccess file under each AllowOverride class alone.
var directiveClasses = map[string]OverrideClass{
	"authtype": OverrideAuthConfig, "authname": OverrideAuthConfig, "authuserfile": OverrideAuthConfig,
	"authgroupfile": OverrideAuthConfig, "authbasicprovider": OverrideAuthConfig, "require": OverrideAuthConfig,
	"<requireall": OverrideAuthConfig, "<requireany": OverrideAuthConfig, "<requirenone": OverrideAuthConfig,
	"satisfy": OverrideAuthConfig, "cgipassauth": OverrideAuthConfig, "authmerging": OverrideAuthConfig,
	"<limit": OverrideAuthConfig | OverrideLimit, "<limitexcept": OverrideAuthConfig | OverrideLimit,
	"order": OverrideLimit, "allow": OverrideLimit, "deny": OverrideLimit,
	"options": OverrideOptions, "contentdigest": OverrideOptions,
	"checkspelling": OverrideOptions, "checkcaseonly": OverrideOptions, "checkbasenamematch": OverrideOptions,

	"header": OverrideFileInfo, "requestheader": OverrideFileInfo,
	"setenvif": OverrideFileInfo, "setenvifnocase": OverrideFileInfo, "browsermatch": OverrideFileInfo,
	"browsermatchnocase": OverrideFileInfo, "setenvifexpr": OverrideFileInfo,
	"setenv": OverrideFileInfo, "unsetenv": OverrideFileInfo, "passenv": OverrideFileInfo,
	"addoutputfilterbytype": OverrideFileInfo, "setoutputfilter": OverrideFileInfo,
	"addoutputfilter": OverrideFileInfo, "removeoutputfilter": OverrideFileInfo,
	"setinputfilter": OverrideFileInfo, "addinputfilter": OverrideFileInfo,
	"languagepriority": OverrideFileInfo, "forcelanguagepriority": OverrideFileInfo, "multiviewsmatch": OverrideFileInfo,
	"errordocument": OverrideFileInfo, "enablesendfile": OverrideFileInfo, "enablemmap": OverrideFileInfo,
	"fileetag": OverrideFileInfo, "forcetype": OverrideFileInfo, "sethandler": OverrideFileInfo,
	"acceptpathinfo": OverrideFileInfo, "defaulttype": OverrideFileInfo, "qualifyredirecturl": OverrideFileInfo,
	"rewriteengine": OverrideFileInfo, "rewriteoptions": OverrideFileInfo, "rewritecond": OverrideFileInfo,
	"rewriterule": OverrideFileInfo, "rewritebase": OverrideFileInfo,
	"addtype": OverrideFileInfo, "addencoding": OverrideFileInfo, "addlanguage": OverrideFileInfo,
	"addcharset": OverrideFileInfo, "addhandler": OverrideFileInfo, "removehandler": OverrideFileInfo,
	"removetype": OverrideFileInfo, "removelanguage": OverrideFileInfo, "removecharset": OverrideFileInfo,
	"removeencoding": OverrideFileInfo, "defaultlanguage": OverrideFileInfo, "adddefaultcharset": OverrideFileInfo,
	"redirect": OverrideFileInfo, "redirecttemp": OverrideFileInfo, "redirectpermanent": OverrideFileInfo,
	"redirectmatch": OverrideFileInfo,

	"expiresactive": OverrideIndexes, "expiresbytype": OverrideIndexes, "expiresdefault": OverrideIndexes,
	"indexignore": OverrideIndexes, "indexignorereset": OverrideIndexes, "indexorderdefault": OverrideIndexes,
	"indexoptions": OverrideIndexes, "indexstylesheet": OverrideIndexes, "indexheadinsert": OverrideIndexes,
	"headername": OverrideIndexes, "readmename": OverrideIndexes, "addicon": OverrideIndexes,
	"addiconbytype": OverrideIndexes, "addiconbyencoding": OverrideIndexes, "addalt": OverrideIndexes,
	"addaltbytype": OverrideIndexes, "addaltbyencoding": OverrideIndexes, "defaulticon": OverrideIndexes,
	"adddescription": OverrideIndexes, "fallbackresource": OverrideIndexes, "directoryindex": OverrideIndexes,
	"directoryslash": OverrideIndexes,

	"limitrequestbody": OverrideAll, "<files": OverrideAll, "<filesmatch": OverrideAll,
	"<if": OverrideAll, "<elseif": OverrideAll, "<else": OverrideAll, "limitxmlrequestbody": OverrideAll,
	"rlimitcpu": OverrideAll, "rlimitmem": OverrideAll, "rlimitnproc": OverrideAll,
	"deflateinflatelimitrequestbody": OverrideAll, "deflateinflateratiolimit": OverrideAll,
	"deflateinflateratioburst": OverrideAll, "serversignature": OverrideAll,
	"<ifmodule": OverrideAll, "<ifdefine": OverrideAll, "<ifversion": OverrideAll, "error": OverrideAll,
	// mod_macro's, OR_ALL: a file's macros are its own, as Apache's
	// table of them lives while one configuration or file is read.
	"<macro": OverrideAll, "use": OverrideAll, "undefmacro": OverrideAll,
}

// AccessFile is one AccessFileName file, read.
type AccessFile struct {
	// Section is its <Directory> section: Pattern is the directory with a
	// trailing slash, Pos the file's first line; its <Files> sections are
	// Section.Files.
	Section Section
	// Warnings are what reading it found to warn about (a directive
	// skipped under AllowOverride Nonfatal=...).
	Warnings []Warning
}

// ParseAccessFile reads the text of the AccessFileName file path, found
// in directory dir (absolute, without a trailing slash but for "/"), as
// Apache reads a .htaccess file for a request: <IfModule>, <IfDefine> and
// <IfVersion> as in the configuration, ${VAR} from the configuration's
// Defines and the environment, and every other directive checked against
// ov before it applies. srv is the server the request is for (the base of
// Options' +/- forms). An error is an *Error naming the file and line;
// Apache answers the request 500.
func (c *Config) ParseAccessFile(path, text, dir string, ov Overrides, srv *Server) (*AccessFile, error) {
	cfg := &Config{ServerRoot: c.ServerRoot, Defines: c.Defines, Modules: c.Modules}
	l := &loader{cfg: cfg, vars: map[string]string{}, lookupEnv: os.LookupEnv}
	for name, v := range c.Defines {
		if v != "" {
			l.vars[name] = v
		}
	}
	r := &reader{l: l}
	sc := scope{dir: "<Directory", access: &ov}
	nodes, err := r.readBlock(&cursor{file: path, lines: splitLines(text)}, sc, "", Pos{})
	if err != nil {
		return nil, err
	}
	w := newWalker(l)
	w.main = newServerState(&Server{Options: srv.Options})
	w.srv = w.main
	pattern := dir
	if !strings.HasSuffix(pattern, "/") {
		pattern += "/"
	}
	w.sec = &sectionState{s: Section{Kind: SectionDirectory, Pattern: pattern, Pos: Pos{File: path, Line: 1}}}
	af := &AccessFile{}
	if err := w.walk(nodes, sc); err != nil {
		return nil, err
	}
	if err := w.sec.finishRequire(); err != nil {
		return nil, errAt(Pos{File: path, Line: 1}, "%s", err.Error())
	}
	af.Section = w.sec.s
	af.Warnings = cfg.Warnings
	return af, nil
}

// checkOverride is invoke_cmd's test for a directive in an AccessFileName
// file: skip is set (with a warning) for one AllowOverride Nonfatal=...
// lets through.
func (l *loader) checkOverride(d *directive, n *node, ov *Overrides) (skip bool, err error) {
	if d == nil {
		if ov.NonfatalUnknown {
			l.warn(n.pos, "AH02296", "Unknown directive %s perhaps misspelled or defined by a module not included in the server configuration", strings.ToLower(n.name))
			return true, nil
		}
		return false, invalidCommand(n.name)
	}
	class := directiveClasses[strings.ToLower(d.name)]
	if class&ov.Classes != 0 || class != 0 && slices.Contains(ov.List, strings.ToLower(d.name)) {
		return false, nil // checkContext still refuses what eventmpm takes at server level only
	}
	if ov.NonfatalOverride {
		l.warn(n.pos, "AH02295", "%s in .htaccess forbidden by AllowOverride", d.name)
		return true, nil
	}
	return false, errorf("%s not allowed here", d.name)
}

// checkAccessOptions is AllowOverride Options=...: an Options keyword the
// list does not name is refused in an AccessFileName file.
func checkAccessOptions(ov *Overrides, words []string) error {
	for _, word := range words {
		name := strings.TrimLeft(word, "+-")
		f, ok := optionWords[strings.ToLower(name)]
		if ok && f.union(ov.Options) != ov.Options {
			return errorf("Option %s not allowed here", name)
		}
	}
	return nil
}
