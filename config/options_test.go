package config

import (
	"errors"
	"strings"
	"testing"
)

// TestMergeOptions loads Options at server level and in <Directory>
// sections and merges the sections in order over the server's value, as
// the child does for a directory they all match; the result must be what
// Apache's merge_core_dir_configs gives.
func TestMergeOptions(t *testing.T) {
	fsl := OptionFlags{FollowSymLinks: true}
	tests := []struct {
		name   string
		server string   // server-level Options line, or ""
		dirs   []string // one <Directory /> section per entry, its Options line ("" for none)
		want   OptionFlags
	}{
		{name: "default", want: fsl},
		{name: "server-none", server: "Options None", want: OptionFlags{}},
		{name: "server-relative", server: "Options +Indexes", want: OptionFlags{FollowSymLinks: true, Indexes: true}},
		{name: "section-without-options-keeps-server", server: "Options None", dirs: []string{""}, want: OptionFlags{}},
		{name: "absolute-replaces", server: "Options Indexes", dirs: []string{"Options SymLinksIfOwnerMatch"},
			want: OptionFlags{SymLinksIfOwnerMatch: true}},
		{name: "relative-over-server", server: "Options None", dirs: []string{"Options +Indexes"},
			want: OptionFlags{Indexes: true}},
		{name: "relative-over-enclosing", dirs: []string{"Options Indexes FollowSymLinks", "Options -FollowSymLinks"},
			want: OptionFlags{Indexes: true}},
		{name: "relative-over-enclosing-none", dirs: []string{"Options None", "Options +Indexes"},
			want: OptionFlags{Indexes: true}},
		{name: "relative-chain", dirs: []string{"Options None", "Options +Indexes +FollowSymLinks", "Options -Indexes"},
			want: fsl},
		{name: "later-word-wins", dirs: []string{"Options +Indexes -Indexes"}, want: fsl},
		{name: "absolute-after-relative", dirs: []string{"Options +Indexes", "Options None"}, want: OptionFlags{}},
		{name: "unimplemented-off-is-noop", dirs: []string{"Options -MultiViews -ExecCGI"}, want: fsl},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conf := "Listen 80\n" + tt.server + "\n"
			for _, d := range tt.dirs {
				conf += "<Directory />\n" + d + "\n</Directory>\n"
			}
			cfg, err := loadFile(t, conf)
			if err != nil {
				t.Fatal(err)
			}
			got := cfg.Server.Options
			for i := range cfg.Server.Sections {
				got = cfg.Server.Sections[i].MergeOptions(got)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestVirtualHostRelativeOptions: a virtual host's server-level +/-
// Options merge with the main server's final Options, wherever those
// stand in the file, as Apache merges the servers after reading it all;
// an absolute Options in the virtual host stands on its own.
func TestVirtualHostRelativeOptions(t *testing.T) {
	for _, tt := range []struct {
		name, conf string
		want       OptionFlags
	}{
		{name: "main-before", conf: "Options None\n<VirtualHost *:80>\nServerName v\nOptions +Indexes\n</VirtualHost>\n",
			want: OptionFlags{Indexes: true}},
		{name: "main-after", conf: "<VirtualHost *:80>\nServerName v\nOptions +Indexes\n</VirtualHost>\nOptions None\n",
			want: OptionFlags{Indexes: true}},
		{name: "two-relative-lines", conf: "<VirtualHost *:80>\nServerName v\nOptions +Indexes\nOptions -FollowSymLinks +SymLinksIfOwnerMatch\n</VirtualHost>\nOptions FollowSymLinks\n",
			want: OptionFlags{Indexes: true, SymLinksIfOwnerMatch: true}},
		{name: "absolute-then-relative", conf: "<VirtualHost *:80>\nServerName v\nOptions None\nOptions +Indexes\n</VirtualHost>\nOptions FollowSymLinks\n",
			want: OptionFlags{Indexes: true}},
		{name: "none-in-vhost", conf: "<VirtualHost *:80>\nServerName v\n</VirtualHost>\nOptions Indexes\n",
			want: OptionFlags{Indexes: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadFile(t, "Listen 80\n"+tt.conf)
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.VirtualHosts[0].Server.Options; got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestOptionsErrors checks that mixing absolute and relative Options, and
// switching on an Option eventmpm does not implement, are errors at the
// directive's line.
func TestOptionsErrors(t *testing.T) {
	tests := []struct {
		line, want string
	}{
		{line: "Options Indexes +FollowSymLinks", want: "Either all Options must start with + or -, or no Option may."},
		{line: "Options +Indexes FollowSymLinks", want: "Either all Options must start with + or -, or no Option may."},
		{line: "Options +RunScripts", want: "does not implement RunScripts"},
		{line: "Options ExecCGI", want: "does not implement ExecCGI"},
		{line: "Options +Bogus", want: "Illegal option +Bogus"},
		{line: `Options ""0`, want: "Illegal option "}, // an empty word: it crashed the reader (found by FuzzParse)
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			_, err := loadFile(t, "Listen 80\n<Directory />\n    "+tt.line+"\n</Directory>\n")
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if ce.Pos.Line != 3 || !strings.HasSuffix(ce.Pos.File, "eventmpm.conf") || !strings.Contains(ce.Msg, tt.want) {
				t.Errorf("got %s:%d %q, want line 3 and %q", ce.Pos.File, ce.Pos.Line, ce.Msg, tt.want)
			}
		})
	}
}

// TestOptionsSymlinkWarning checks that symlink Options outside
// <Directory> are accepted with a warning naming file and line (Apache
// ignores them there), and Indexes alone draws none.
func TestOptionsSymlinkWarning(t *testing.T) {
	tests := []struct {
		section, line string
		warn          bool
	}{
		{section: "Location /x", line: "Options +Indexes -FollowSymLinks", warn: true},
		{section: "LocationMatch ^/x", line: "Options SymLinksIfOwnerMatch", warn: true},
		{section: "Files x", line: "Options FollowSymLinks", warn: true},
		{section: "Location /x", line: "Options +Indexes", warn: false},
		{section: "Directory /", line: "Options -FollowSymLinks", warn: false},
	}
	for _, tt := range tests {
		t.Run(tt.section+" "+tt.line, func(t *testing.T) {
			name, _, _ := strings.Cut(tt.section, " ")
			cfg, err := loadFile(t, "Listen 80\n<"+tt.section+">\n    "+tt.line+"\n</"+name+">\n")
			if err != nil {
				t.Fatal(err)
			}
			var found *Warning
			for i, w := range cfg.Warnings {
				if strings.Contains(w.Text, "work only in <Directory> sections") {
					found = &cfg.Warnings[i]
				}
			}
			switch {
			case !tt.warn && found != nil:
				t.Errorf("unexpected warning %q", found.Text)
			case tt.warn && found == nil:
				t.Errorf("no warning; got %+v", cfg.Warnings)
			case tt.warn && (found.Pos.Line != 3 || !strings.Contains(found.Text, "<"+name+">")):
				t.Errorf("got warning at line %d %q, want line 3 naming <%s>", found.Pos.Line, found.Text, name)
			}
		})
	}
}

// TestOptionsIncludesWarning: Options Includes and IncludesNOEXEC are taken
// with a warning at their line (they do nothing without mod_include, in
// Apache too; Debian's userdir.conf names IncludesNoExec), and switching
// them off draws none.
func TestOptionsIncludesWarning(t *testing.T) {
	for _, tt := range []struct {
		line string
		warn bool
	}{
		{"Options MultiViews Indexes SymLinksIfOwnerMatch IncludesNoExec", true},
		{"Options +Includes", true},
		{"Options -Includes -IncludesNOEXEC", false},
	} {
		cfg, err := loadFile(t, "Listen 80\n<Directory /home/*/public_html>\n    "+tt.line+"\n</Directory>\n")
		if err != nil {
			t.Fatalf("%s: %v", tt.line, err)
		}
		got := 0
		for _, w := range cfg.Warnings {
			if strings.Contains(w.Text, "has no effect: eventmpm provides no server-side includes") && w.Pos.Line == 3 {
				got++
			}
		}
		if want := map[bool]int{true: 1, false: 0}[tt.warn]; got != want {
			t.Errorf("%s: %d warnings, want %d: %+v", tt.line, got, want, cfg.Warnings)
		}
	}
}
