package config

import (
	"strings"

	"eventmpm/config/expr"
)

// This file is core's <If>, <ElseIf> and <Else> sections: an expression
// (package expr) decides per request whether a section's directives apply.
// Apache merges the sections that hold after every <Directory>, <Files> and
// <Location> (ap_if_walk), in file order: first the server's own, then
// those inside the directory-level sections that apply, in their merge
// order. An <ElseIf> or <Else> is tried only when no section of its chain
// before it held.

// IfKind tells an <If> from an <ElseIf> and an <Else>.
type IfKind int

// The three kinds of conditional section; IfNone is the other sections'.
const (
	IfNone IfKind = iota
	IfPlain
	IfElseIf
	IfElse
)

// String returns the section's name without brackets.
func (k IfKind) String() string {
	switch k {
	case IfNone:
		return ""
	case IfPlain:
		return "If"
	case IfElseIf:
		return "ElseIf"
	case IfElse:
		return "Else"
	}
	return "IfKind(?)"
}

// ifOpeners maps the section openers, lowercased, to their kinds.
var ifOpeners = map[string]IfKind{"<if": IfPlain, "<elseif": IfElseIf, "<else": IfElse}

// isIfScope reports whether the innermost directory-level section is a
// conditional one.
func isIfScope(dir string) bool {
	_, ok := ifOpeners[strings.ToLower(dir)]
	return ok
}

// ifDirectives are the directives eventmpm applies in a conditional
// section, by lowercase name: those it settles per request, after the
// sections are walked (access control, authentication, Header, mod_expires,
// ErrorDocument, mod_env, mod_setenvif, section redirects, SetHandler,
// FallbackResource). What it settles once per file or directory and
// caches (Options, DirectoryIndex, ForceType, FileETag, the output filters,
// mod_autoindex, LimitRequestBody) cannot depend on an expression.
var ifDirectives = map[string]bool{
	"include": true, "includeoptional": true, "define": true, "undefine": true, "error": true,
	"<ifmodule": true, "<ifdefine": true, "<ifversion": true, "<if": true, "<elseif": true, "<else": true,
	"require": true, "<requireall": true, "<requireany": true, "<requirenone": true,
	"order": true, "allow": true, "deny": true, "satisfy": true,
	"authtype": true, "authname": true, "authuserfile": true, "authbasicprovider": true,
	"<limit": true, "<limitexcept": true,
	"header": true, "expiresactive": true, "expiresbytype": true, "expiresdefault": true,
	"errordocument": true, "setenv": true, "unsetenv": true, "passenv": true,
	"setenvif": true, "setenvifnocase": true, "browsermatch": true, "browsermatchnocase": true,
	"redirect": true, "redirecttemp": true, "redirectpermanent": true, "redirectmatch": true,
	"sethandler": true, "fallbackresource": true,
}

// checkIfContext refuses, inside a conditional section, what eventmpm
// cannot decide per request. Directives Apache refuses there anyway get
// its own message from checkContext.
func (d *directive) checkIfContext(s scope) error {
	if !isIfScope(s.dir) || s.authz != "" || d.ctx&ctxDir == 0 || ifDirectives[strings.ToLower(d.name)] {
		return nil
	}
	if lookupNoEffect(d.name) {
		return nil
	}
	return errorf("%s in %s> is not supported by eventmpm: it is settled once per file or directory, not per request; "+
		"put it in a <Directory>, <Files> or <Location> section", d.displayName(), s.dir)
}

// lookupNoEffect reports whether name is one of the directives eventmpm
// reads and notes as having no effect (noeffect.go).
func lookupNoEffect(name string) bool {
	for i := range noEffectDirectives {
		if strings.EqualFold(noEffectDirectives[i].name, name) {
			return true
		}
	}
	return false
}

// setIfSection is <If expr>, <ElseIf expr> and <Else>, with core's
// messages. In the server or a virtual host it joins the server's
// sections; inside a <Directory>, <Files> or <Location>, or another
// conditional section (Apache 2.4.26 and later), it belongs to that
// section and applies only when the section does.
func setIfSection(kind IfKind) func(*walker, *call) error {
	return func(w *walker, c *call) error {
		cond, err := ifCondition(kind, c)
		if err != nil {
			return err
		}
		outer := w.sec
		list := &w.srv.srv.Sections
		if outer != nil {
			list = &outer.s.Ifs
		}
		if kind != IfPlain && !followsIf(*list) {
			return errorf("<Else> or <ElseIf> section without previous <If> or <ElseIf> section in same scope")
		}
		w.sec = &sectionState{s: Section{Kind: SectionIf, If: kind, Condition: cond, Pos: c.pos}}
		err = w.walk(c.kids, c.sc.enter(c.name))
		sec := w.sec
		w.sec = outer
		if err != nil {
			return err
		}
		if err := sec.finishRequire(); err != nil {
			return err
		}
		*list = append(*list, sec.s)
		return nil
	}
}

// ifCondition reads and checks the section's argument: one expression
// for <If> and <ElseIf>, none for <Else>.
func ifCondition(kind IfKind, c *call) (string, error) {
	end := strings.LastIndexByte(c.raw, '>')
	if end < 0 {
		return "", errorf("%s> directive missing closing '>'", c.d.name)
	}
	arg := strings.TrimSpace(c.raw[:end])
	if kind == IfElse {
		if arg != "" {
			return "", errorf("<Else> does not take an argument")
		}
		return "", nil
	}
	if arg == "" {
		return "", errorf("%s> directive requires additional arguments", c.d.name)
	}
	words := splitWords(arg)
	if len(words) != 1 {
		return "", errorf("Multiple %s> arguments not supported.", c.d.name)
	}
	if _, err := expr.Parse(words[0]); err != nil {
		return "", errorf("Cannot parse condition clause: %v", err)
	}
	return words[0], nil
}

// followsIf reports whether the last conditional section of list is an
// <If> or <ElseIf>, which an <ElseIf> or <Else> must follow.
func followsIf(list []Section) bool {
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Kind == SectionIf {
			return list[i].If != IfElse
		}
	}
	return false
}
