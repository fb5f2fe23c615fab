package config

import (
	"slices"
	"strings"

	"eventmpm/internal/regex"
)

// This file is mod_alias's Alias and AliasMatch directives
// (add_alias_internal and alias_matches in mod_alias.c) and the refusal of
// the forms eventmpm does not implement. Redirect and its family live in
// their own file.

// setAlias is "Alias URL-path file-path" in the main server or a
// <VirtualHost>. Apache's one-argument form (an expression, in <Location>
// only) is refused, with Apache's messages where Apache refuses it too.
func setAlias(w *walker, c *call) error {
	if err := checkAliasContext(c); err != nil {
		return err
	}
	url, target := c.args[0], c.args[1]
	if !strings.HasPrefix(url, "/") {
		// Apache takes it and never matches it: a request's path always
		// begins with '/'.
		return errorf("Alias %s %s: the URL-path must begin with '/'", url, target)
	}
	path := w.l.rootRelative(target)
	if path == "/" {
		return errorf("Alias %s %s: eventmpm does not map a URL-path to the file system's root", url, target)
	}
	if strings.HasSuffix(url, "/") && !strings.HasSuffix(target, "/") {
		w.warn(c.pos, "", "Alias %s %s: the URL-path ends in '/' and the file-path does not; "+
			"eventmpm maps %sx to %s/x, where Apache would map it to %sx", url, target, url, path, path)
	}
	srv := w.srv.srv
	for i := range srv.Aliases {
		// Apache's overlap check looks at this server's own list, before
		// a virtual host inherits the main server's.
		prev := &srv.Aliases[i]
		if prev.Regex && regexMatches(prev.URL, url) || !prev.Regex && prev.Match(url) > 0 {
			match := ""
			if prev.Regex {
				match = "Match"
			}
			w.warn(c.pos, "AH00671", "The %s directive in %s at line %d will probably never match because it overlaps an earlier Alias%s.",
				c.d.name, c.pos.File, c.pos.Line, match)
			break
		}
	}
	srv.Aliases = append(srv.Aliases, Alias{URL: url, Path: path, CGI: isScriptAlias(c), Pos: c.pos})
	return nil
}

// isScriptAlias reports whether c is ScriptAlias or ScriptAliasMatch:
// what it maps is run as a CGI script (mod_alias's cgi-script handler).
func isScriptAlias(c *call) bool {
	return strings.HasPrefix(strings.ToLower(c.d.name), "scriptalias")
}

// setScriptAlias is ScriptAlias and ScriptAliasMatch: an Alias whose files
// are CGI scripts. Without mod_cgi or mod_cgid the scripts would be served
// as files, their source shown: refused.
func setScriptAlias(w *walker, c *call) error {
	if !cgiLoaded(w) {
		return errorf("%s needs mod_cgi or mod_cgid to run its scripts (LoadModule cgid_module ...); without it eventmpm would serve their source", c.d.name)
	}
	if strings.EqualFold(c.d.name, "ScriptAliasMatch") {
		return setAliasMatch(w, c)
	}
	return setAlias(w, c)
}

// cgiLoaded reports whether LoadModule named mod_cgi or mod_cgid.
func cgiLoaded(w *walker) bool {
	return slices.Contains(w.cfg.Modules, "cgi_module") || slices.Contains(w.cfg.Modules, "cgid_module")
}

// setAliasMatch is "AliasMatch regex file-path" in the main server or a
// <VirtualHost>: the decoded path of a request that regex matches maps to
// file-path with $0 to $9 replaced by the submatches, tried in order with
// the Alias directives.
func setAliasMatch(w *walker, c *call) error {
	if _, err := regex.Compile(c.args[0]); err != nil {
		return errorf("Regular expression could not be compiled: %v", err)
	}
	srv := w.srv.srv
	srv.Aliases = append(srv.Aliases, Alias{URL: c.args[0], Path: c.args[1], Regex: true, CGI: isScriptAlias(c), Pos: c.pos})
	return nil
}

// checkAliasContext is Alias's own context check (the table allows it
// everywhere, so that each refusal gets Apache's message): the two-argument
// form is NOT_IN_DIR_CONTEXT; the one-argument form is allowed by Apache
// only in <Location> and needs two arguments elsewhere.
func checkAliasContext(c *call) error {
	switch {
	case c.sc.dir != "" && len(c.args) == 2:
		return errorf("%s cannot occur within directory context", c.d.name)
	case c.sc.dir != "" && !strings.HasPrefix(strings.ToLower(c.sc.dir), "<location"):
		return errorf("%s cannot occur within %s> section", c.d.name, c.sc.dir)
	case c.sc.dir != "":
		return errorf("%s %s: the one-argument form (an expression in <Location>) is not supported by eventmpm; "+
			"use Alias URL-path file-path outside the section", c.d.name, c.args[0])
	case len(c.args) == 1:
		return errorf("%s must have two arguments when used globally", c.d.name)
	}
	return nil
}

// Directive is the name of the directive the alias was written with.
func (a *Alias) Directive() string {
	name := "Alias"
	if a.CGI {
		name = "ScriptAlias"
	}
	if a.Regex {
		return name + "Match"
	}
	return name
}

// Match returns how many bytes at the start of uri, a request's decoded
// URL path, the alias covers, or 0 when it does not apply: Apache's
// alias_matches. The comparison is literal (case matters) except that a
// run of '/' in either counts as one, and the match must end at a segment
// boundary: the URL-path ends in '/', or uri ends there, or a '/' follows.
// So "/icons/" matches "/icons/a.png" but not "/icons", and "/docs" matches
// "/docs", "/docs/" and "/docs/x" but not "/docsx". The count may exceed
// len(a.URL) when uri has runs of '/'.
func (a *Alias) Match(uri string) int { return urlPrefixMatch(uri, a.URL) }

// MatchBytes is Match for a path held in a buffer; it does not allocate.
func (a *Alias) MatchBytes(uri []byte) int { return urlPrefixMatch(uri, a.URL) }

// MatchURLPrefix is Alias.Match for any URL-path prefix: mod_alias's
// Redirect matches as Alias does. It does not allocate.
func MatchURLPrefix(uri []byte, prefix string) int { return urlPrefixMatch(uri, prefix) }

// urlPrefixMatch is alias_matches: see Alias.Match.
func urlPrefixMatch[U ~string | ~[]byte](uri U, prefix string) int {
	if prefix == "" {
		return 0
	}
	u, p := 0, 0
	for p < len(prefix) {
		if prefix[p] == '/' {
			// Any number of '/' matches any number, but at least one.
			if u >= len(uri) || uri[u] != '/' {
				return 0
			}
			for p < len(prefix) && prefix[p] == '/' {
				p++
			}
			for u < len(uri) && uri[u] == '/' {
				u++
			}
			continue
		}
		if u >= len(uri) || uri[u] != prefix[p] {
			return 0
		}
		u++
		p++
	}
	if prefix[len(prefix)-1] != '/' && u < len(uri) && uri[u] != '/' {
		return 0
	}
	return u
}

// regexMatches reports whether the (checked) pattern matches s.
func regexMatches(pattern, s string) bool {
	re, err := regex.Compile(pattern)
	return err == nil && re.MatchString(s)
}
