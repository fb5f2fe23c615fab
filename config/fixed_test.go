package config

import (
	"strings"
	"testing"
)

// TestFixedDirectives: core directives whose setting eventmpm does not
// vary take the value that names what eventmpm does silently, a value
// without effect on what a client gets with a warning, and refuse the rest
// with what eventmpm does instead; a keyword Apache does not know gets
// Apache's message.
func TestFixedDirectives(t *testing.T) {
	for _, tt := range []struct {
		line string
		warn string // "" for none
		err  string // "" for none
	}{
		{line: "UseCanonicalName Off"},
		{line: "UseCanonicalName On", err: "UseCanonicalName On: eventmpm builds self-referential URLs from the request's Host header"},
		{line: "UseCanonicalName x", err: "parameter must be 'on', 'off', or 'dns'"},
		{line: "UseCanonicalPhysicalPort On"},
		{line: "AllowEncodedSlashes Off"},
		{line: "AllowEncodedSlashes NoDecode", err: "answers a path with an encoded slash (%2F) with 404"},
		{line: "MergeSlashes On"},
		{line: "MergeSlashes maybe", err: "MergeSlashes must be On or Off"},
		{line: "AcceptPathInfo Default"},
		{line: "<Directory /srv>\nAcceptPathInfo Off\n</Directory>"},
		{line: "AcceptPathInfo On", err: "take no trailing path information"},
		{line: "ContentDigest Off"},
		{line: "EnableMMAP Off"},
		{line: "EnableMMAP On"},
		{line: "EnableSendfile On"},
		{line: "BufferedLogs On"},
		{line: "BufferedLogs Off", warn: "BufferedLogs Off has no effect: each worker buffers its access-log lines"},
		{line: "HttpProtocolOptions Strict LenientMethods Require1.0"},
		{line: "HttpProtocolOptions Strict LenientMethods Allow0.9", warn: "HttpProtocolOptions Allow0.9 has no effect"},
		{line: "HttpProtocolOptions Lenient", err: "HttpProtocolOptions accepts 'Unsafe' or 'Strict' (default)"},
		{line: "Protocols http/1.1"},
		{line: "Protocols h2 http/1.1", warn: "Protocols h2 has no effect: eventmpm speaks HTTP/1.1 only"},
		{line: "ProtocolsHonorOrder On"},
		{line: "DirectorySlash On"},
		{line: "DirectorySlash Off", err: "DirectorySlash Off: eventmpm redirects"},
		{line: "LimitXMLRequestBody 1000", warn: "LimitXMLRequestBody has no effect"},
		{line: "DefaultType None"},
		{line: "DefaultType text/plain", warn: "AH00117: Ignoring deprecated use of DefaultType in line 3 of "},
	} {
		cfg, err := loadFile(t, "Listen 80\nServerName x.example\n"+tt.line+"\n")
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.line, err, tt.err)
			}
			continue
		case err != nil:
			t.Errorf("%q: %v", tt.line, err)
			continue
		}
		var warnings []string
		for _, w := range cfg.Warnings {
			warnings = append(warnings, w.String())
		}
		got := strings.Join(warnings, "\n")
		if tt.warn == "" && got != "" || tt.warn != "" && !strings.Contains(got, tt.warn) {
			t.Errorf("%q: warnings %q, want %q", tt.line, got, tt.warn)
		}
	}
}

// TestDirectiveNamesUnique: a name in two tables would hide one entry.
func TestDirectiveNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, table := range [][]directive{directives, fixedDirectives, noEffectDirectives} {
		for _, d := range table {
			n := strings.ToLower(d.name)
			if seen[n] {
				t.Errorf("directive %s is defined twice", d.name)
			}
			seen[n] = true
		}
	}
}

// TestForceType: ForceType is lowercased (as Apache keeps it), None takes
// an enclosing one back, and <Location> is refused.
func TestForceType(t *testing.T) {
	cfg, err := loadFile(t, "Listen 80\nServerName x.example\nForceType Text/Plain\n<Files a.html>\nForceType None\n</Files>\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.ForceType != "text/plain" || len(cfg.Server.Sections) != 1 || *cfg.Server.Sections[0].ForceType != "" {
		t.Errorf("ForceType %q, section %+v; want text/plain and a None", cfg.Server.ForceType, cfg.Server.Sections)
	}
	expectLoadErrors(t, []loadErrorCase{
		{"<Location /x>\nForceType text/plain\n</Location>", "ForceType in <Location> is not supported by eventmpm"},
		{"ForceType", "ForceType takes one argument"},
	})
}
