package config

import (
	"strings"
)

// This file holds the directive machinery: how many arguments a directive
// takes (Apache's TAKE1, FLAG, ITERATE...), where it may appear
// (ap_check_cmd_context), and the lookup in the one directive table, which
// lives in directives.go.

// arity is how a directive's arguments are read, after Apache's args_how.
type arity int

const (
	noArgs   arity = iota // NO_ARGS
	take1                 // TAKE1
	take2                 // TAKE2
	take12                // TAKE12
	take23                // TAKE23
	take123               // TAKE123
	iterate               // ITERATE: any number of words, each one used
	iterate1              // ITERATE with Apache's check: at least one word
	iterate2              // ITERATE2: a first word, then at least one more
	flagArg               // FLAG: On or Off
	rawArgs               // RAW_ARGS: the setter reads the text itself
	takeArgv              // TAKE_ARGV: the setter counts the words itself
)

// context is a set of places a directive may appear.
type context int

const (
	ctxMain  context = 1 << iota // the main server, outside any section
	ctxVhost                     // directly inside <VirtualHost>
	ctxDir                       // inside <Directory>, <Location>, <Files> and their Match forms
	ctxAuthz                     // inside <RequireAll>/<RequireAny>
	// ctxDirRefused marks a server-level directive that Apache also takes
	// in directory sections and eventmpm does not: it is refused there with
	// a message that says so, not with Apache's "not allowed" wording.
	ctxDirRefused

	ctxServer = ctxMain | ctxVhost
	ctxAny    = ctxMain | ctxVhost | ctxDir
)

// directive is one entry of the directive table. Exactly one of read and set
// is non-nil: read runs while files are read (Apache's EXEC_ON_READ: Include,
// <IfModule>, Define...), set when the tree is walked.
type directive struct {
	name string
	// module is the opt-in module (optInModules) that provides the
	// directive: without its LoadModule the directive is unknown, as in
	// Apache. Empty for the modules that are always there.
	module string
	args   arity
	ctx    context
	read   func(r *reader, cur *cursor, c *call) ([]*node, error)
	set    func(w *walker, c *call) error
	help   string
}

// call is one use of a directive, handed to its setter.
type call struct {
	d    *directive
	name string // as written in the file
	args []string
	raw  string // the argument text (sections: up to the last '>')
	pos  Pos
	kids []*node // a section's body
	sc   scope   // where it sits
}

// scope is where a directive sits: which sections enclose it.
type scope struct {
	vhost bool   // inside <VirtualHost>
	dir   string // the directory-level section it is in ("<Directory"), or ""
	authz string // the <RequireAll>/<RequireAny> section it is in, or ""
	limit string // the innermost <Limit>/<LimitExcept> it is in, or ""
	// access is set in an AccessFileName file (.htaccess): what its
	// directory's AllowOverride allows there, checked instead of the
	// context (see checkOverride).
	access *Overrides
}

// enterLimit is the scope inside a <Limit> or <LimitExcept> section: still
// the directory-level section's, which messages name as the <Limit>.
func (s scope) enterLimit(opener string) scope {
	s.limit = opener
	return s
}

// parent is the innermost directory-level section, as Apache's messages
// name it.
func (s scope) parent() string {
	if s.limit != "" {
		return s.limit
	}
	return s.dir
}

// sectionScope classifies a section opener for scope.
func (s scope) enter(opener string) scope {
	switch strings.ToLower(opener) {
	case "<virtualhost":
		s.vhost = true
	case "<requireall", "<requireany", "<requirenone":
		s.authz = opener
	default:
		s.dir = opener
	}
	return s
}

// lookup finds a directive by name, case-insensitively, as Apache does.
func lookup(name string) *directive {
	return directiveIndex[strings.ToLower(name)]
}

// directiveIndex maps the lowercased name to its table entry. It is filled
// by init because the table's setters themselves look directives up.
var directiveIndex = map[string]*directive{}

func init() {
	for _, table := range [][]directive{directives, fixedDirectives, noEffectDirectives} {
		for i := range table {
			d := &table[i]
			directiveIndex[strings.ToLower(d.name)] = d
		}
	}
}

// invalidCommand is Apache's message for a directive nobody defines.
func invalidCommand(name string) error {
	return errorf("Invalid command '%s', perhaps misspelled or defined by a module not included in the server configuration", name)
}

// displayName is the name as Apache prints it in messages: a section opener
// gets its closing '>' back ("<Directory>").
func (d *directive) displayName() string {
	if strings.HasPrefix(d.name, "<") {
		return d.name + ">"
	}
	return d.name
}

// checkContext is invoke_cmd's override test, then ap_check_cmd_context,
// with Apache 2.4's messages: a directive that the enclosing section does
// not take is "not allowed in <Section> context" (or "not allowed here" at
// the top level); a server-wide directive inside <VirtualHost> "cannot
// occur within <VirtualHost> section".
func (d *directive) checkContext(s scope) error {
	name := d.displayName()
	switch {
	case s.access != nil: // checkOverride has run
		if d.ctx&ctxDirRefused != 0 {
			return errorf("%s in .htaccess files is not supported by eventmpm: use it in the server config or in <VirtualHost>", d.name)
		}
	case s.authz != "":
		if d.ctx&ctxAuthz == 0 {
			return errorf("%s not allowed in %s> context", d.name, s.authz)
		}
	case s.dir != "":
		if d.ctx&ctxDirRefused != 0 {
			return errorf("%s in %s> is not supported by eventmpm: use it in the server config or in <VirtualHost>", d.name, s.parent())
		}
		if d.ctx&ctxDir == 0 {
			return errorf("%s not allowed in %s> context", d.name, s.parent())
		}
	case s.vhost:
		if d.ctx&ctxVhost == 0 {
			if d.ctx&ctxMain == 0 {
				return errorf("%s not allowed in <VirtualHost> context", d.name)
			}
			return errorf("%s cannot occur within <VirtualHost> section", name)
		}
	default:
		if d.ctx&ctxMain == 0 {
			if d.ctx&ctxVhost != 0 {
				return errorf("%s only used in <VirtualHost>", d.name)
			}
			return errorf("%s not allowed here", d.name)
		}
	}
	return nil
}

// parseArgs splits raw into words and checks their number as invoke_cmd
// does, with Apache's messages ("X takes one argument, <help>").
func (d *directive) parseArgs(raw string) ([]string, error) {
	if d.args == rawArgs {
		return nil, nil
	}
	words := splitWords(raw)
	n := len(words)
	empty := n > 0 && words[0] == ""
	bad := func(what string) error {
		return errorf("%s %s, %s", d.name, what, d.help)
	}
	switch d.args {
	case noArgs:
		if n != 0 {
			return nil, errorf("%s takes no arguments", d.name)
		}
	case take1:
		if n != 1 || empty {
			return nil, bad("takes one argument")
		}
	case take2:
		if n != 2 || empty || words[1] == "" {
			return nil, bad("takes two arguments")
		}
	case take12:
		if n < 1 || n > 2 || empty {
			return nil, bad("takes 1-2 arguments")
		}
	case take23:
		if n < 2 || n > 3 || empty || words[1] == "" {
			return nil, bad("takes two or three arguments")
		}
	case take123:
		if n < 1 || n > 3 || empty {
			return nil, bad("takes one, two or three arguments")
		}
	case iterate1:
		if n < 1 || empty {
			return nil, bad("requires at least one argument")
		}
	case iterate2:
		if n < 2 || empty {
			return nil, bad("requires at least two arguments")
		}
	case flagArg:
		if n != 1 || (!strings.EqualFold(words[0], "on") && !strings.EqualFold(words[0], "off")) {
			return nil, errorf("%s must be On or Off", d.name)
		}
	}
	return words, nil
}

// isOn reports whether a FLAG argument (already checked) is On.
func isOn(arg string) bool { return !strings.EqualFold(arg, "off") }

// sectionArg cuts a section opener's argument text at its last '>', as
// Apache's container handlers do, with their two messages.
func sectionArg(d *directive, raw string) (string, error) {
	end := strings.LastIndexByte(raw, '>')
	if end < 0 {
		return "", errorf("%s> directive missing closing '>'", d.name)
	}
	arg := strings.TrimSpace(raw[:end])
	if arg == "" {
		return "", errorf("%s> directive requires additional arguments", d.name)
	}
	return arg, nil
}
