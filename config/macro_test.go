package config

import (
	"fmt"
	"strings"
	"testing"
)

// TestMacro: a macro making virtual hosts, with ${VAR} expanded where it
// is used, an '@' argument put in quotes, a comment left out, a macro
// used inside another, one whose section closes after it (as mod_macro
// splices a macro into the stream being read), and UndefMacro.
func TestMacro(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
Define BASE /srv
<Macro VHost $name $dir @title>
<VirtualHost *:80>
    ServerName $name.example
    # a comment
    DocumentRoot ${BASE}/$dir
    Header set X-Title @title
    Use Admin $name
</VirtualHost>
</Macro>
<Macro Admin $who>
    ServerAdmin $who@example.com
</Macro>
<Macro Open $path>
<Directory $path>
</Macro>
Use VHost one www1 "The \"One\""
Use vhost two www2 plain
Use Open /srv/data
    Options -Indexes
</Directory>
UndefMacro Open
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.VirtualHosts) != 2 {
		t.Fatalf("%d virtual hosts", len(cfg.VirtualHosts))
	}
	one := cfg.VirtualHosts[0].Server
	got := fmt.Sprint(one.ServerName, " ", one.DocumentRoot, " ", one.ServerAdmin, " ", one.Headers[0].Value)
	if want := `one.example /srv/www1 one@example.com The "One"`; got != want {
		t.Errorf("Use VHost one: %q, want %q", got, want)
	}
	if two := cfg.VirtualHosts[1].Server; two.ServerName != "two.example" || two.Headers[0].Value != "plain" {
		t.Errorf("Use vhost two: %q %q", two.ServerName, two.Headers[0].Value)
	}
	if s := cfg.Server.Sections; len(s) != 1 || s[0].Pattern != "/srv/data/" || s[0].Options == nil {
		t.Errorf("the section Open opened: %+v", s)
	}
}

// TestMacroErrors: mod_macro's messages, each compared with Apache
// 2.4.71's; an error inside a macro is at its line of the macro, named by
// where it was defined and used.
func TestMacroErrors(t *testing.T) {
	const def = "<Macro x $a>\nServerAdmin $a\n</Macro>\n"
	for _, tc := range []struct{ conf, want string }{
		{"Use foo", "line 2 of $CONF: no macro defined before Use"},
		{"<Macro>\n</Macro>", "line 2 of $CONF: <Macro macro definition: empty name"},
		{"<Macro x $a $a>\nServerAdmin $a\n</Macro>", `line 2 of $CONF: argument name conflict in macro 'x' (defined on line 2 of "$CONF"): argument '$a': #1 and #2, change argument names!`},
		{"<Macro x $a>\nServerAdmin $a", `line 2 of $CONF: macro 'x' (defined on line 2 of "$CONF")\n\tcontents error: expected token not found: </Macro>`},
		{def + "Use y 1", "line 5 of $CONF: macro 'y' undefined"},
		{def + "Use x", `line 5 of $CONF: macro 'x' (defined on line 2 of "$CONF") used with 0 arguments instead of 1`},
		{def + "Use x 1 2", `line 5 of $CONF: macro 'x' (defined on line 2 of "$CONF") used with 2 arguments instead of 1`},
		{"<Macro x $a>\nUse x $a\n</Macro>\nUse x 1", `line 1 of macro 'x' (defined on line 2 of "$CONF") used on line 5 of "$CONF": recursive use of macro 'x' is invalid`},
		{"<Macro x $a>\nBogus $a\n</Macro>\nUse x 1", `line 1 of macro 'x' (defined on line 2 of "$CONF") used on line 5 of "$CONF":
Invalid command 'Bogus'`},
		{def + `Use x ""`, `line 1 of macro 'x' (defined on line 2 of "$CONF") used on line 5 of "$CONF":
ServerAdmin takes one argument`},
		{"UndefMacro", "UndefMacro takes one argument, Remove a macro definition."},
		{def + "UndefMacro y", "line 5 of $CONF: cannot remove undefined macro 'y'"},
	} {
		_, err := loadFile(t, "Listen 80\n"+tc.conf+"\n")
		if err == nil {
			t.Errorf("%q loaded", tc.conf)
			continue
		}
		want := tc.want
		if i := strings.Index(err.Error(), "conf/eventmpm.conf"); i >= 0 {
			j := strings.LastIndex(err.Error()[:i], " ")
			conf := err.Error()[j+1 : i+len("conf/eventmpm.conf")]
			conf = strings.TrimPrefix(conf, `"`)
			want = strings.ReplaceAll(want, "$CONF", conf)
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q:\n got %v\nwant %s", tc.conf, err, want)
		}
	}
}

// TestMacroWarnings: what mod_macro warns of and goes on.
func TestMacroWarnings(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
ServerName www.example
<Macro x $a $b>
ServerAdmin $a
</Macro>
<Macro y a>
ServerAdmin a
</Macro>
<Macro z $a $ab>
ServerAdmin $a$ab
</Macro>
<Macro e $a>
</Macro>
<Macro X $a>
ServerAdmin $a
</Macro>
<Macro n $a>
<Directory /srv>
</Macro>
`)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, w := range cfg.Warnings {
		codes = append(codes, w.Code)
	}
	if got, want := strings.Join(codes, " "), "AH02800 AH02796 AH02797 AH02799 AH02802 AH02795 AH02800"; got != want {
		t.Errorf("warnings %s, want %s:\n%v", got, want, cfg.Warnings)
	}
}

// TestMacroBomb: macros using others twice over at each level are
// stopped before they make a configuration of millions of lines.
func TestMacroBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("Listen 80\n<Macro m0 $a>\nServerAdmin $a\n</Macro>\n")
	for i := 1; i <= 24; i++ {
		fmt.Fprintf(&b, "<Macro m%d $a>\nUse m%d $a\nUse m%d $a\n</Macro>\n", i, i-1, i-1)
	}
	b.WriteString("Use m24 x\n")
	_, err := loadFile(t, b.String())
	if err == nil || !strings.Contains(err.Error(), "macros make the configuration longer than") {
		t.Errorf("a doubling chain of macros: %v", err)
	}
}

// TestSubstituteMacroArgs: the longest name at a position wins, '@'
// arguments are quoted with escapes, and the scan goes on after the value.
func TestSubstituteMacroArgs(t *testing.T) {
	for _, tc := range []struct {
		text          string
		names, values []string
		want          string
	}{
		{"ServerName $name.$domain", []string{"$name", "$domain"}, []string{"www", "example.com"}, "ServerName www.example.com"},
		{"X $ab $a", []string{"$a", "$ab"}, []string{"1", "2"}, "X 2 1"},
		{"Header set X @t", []string{"@t"}, []string{`say "hi" \o/`}, `Header set X "say \"hi\" \\o/"`},
		{"$a$a", []string{"$a"}, []string{"$a"}, "$a$a"},
		{"$a", []string{"$a"}, []string{"x$a"}, "x$a"},
		{"@a", []string{"@a"}, []string{"\"@a"}, "?"}, // grows without end: stopped at maxMacroLine
	} {
		got := substituteMacroArgs(tc.text, tc.names, tc.values, nil)
		if tc.want == "?" {
			if len(got) < maxMacroLine {
				t.Errorf("substitute(%q) stopped at %d bytes", tc.text, len(got))
			}
			continue
		}
		if got != tc.want {
			t.Errorf("substitute(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
