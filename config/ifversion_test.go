package config

import (
	"errors"
	"testing"
)

// TestIfVersion: each opener's verdict, as Debian's apache2 2.4.71 gives
// it, shown by whether the Define inside it was read.
func TestIfVersion(t *testing.T) {
	for _, tt := range []struct {
		opener string
		holds  bool
	}{
		{"<IfVersion >= 2.4>", true},
		{"<IfVersion < 2.4>", false},
		{"<IfVersion 2.4>", false}, // 2.4 is 2.4.0
		{"<IfVersion = 2.4.71>", true},
		{"<IfVersion == 2.4.71>", true},
		{"<IfVersion !< 2.4>", true},
		{"<IfVersion != 2.4.71>", false},
		{"<IfVersion > 2>", true},
		{"<IfVersion <= 2.4.71>", true},
		{"<IfVersion >= 2.4 >", true},
		{"<IfVersion ~ ^2\\.4\\.>", true},
		{"<IfVersion /^2\\.2/>", false},
		{"<IfVersion = /^2\\.4/>", true},
		{"<IfVersion !~ ^2\\.2>", true},
		{"<IfVersion 2.4.>", false},
	} {
		cfg, err := loadFile(t, "Listen 80\n"+tt.opener+"\nDefine hit\n</IfVersion>\n")
		if err != nil {
			t.Errorf("%s: %v", tt.opener, err)
			continue
		}
		if _, hit := cfg.Defines["hit"]; hit != tt.holds {
			t.Errorf("%s: read %v, want %v", tt.opener, hit, tt.holds)
		}
	}
}

// TestIfVersionErrors: mod_version's messages, as apache2 -t gives them.
func TestIfVersionErrors(t *testing.T) {
	bad := "Version appears to be invalid. It must have the format major[.minor[.patch]] where major, minor and patch are numbers."
	for _, tt := range []loadErrorCase{
		{"<IfVersion>\n</IfVersion>", bad},
		{"<IfVersion foo>\n</IfVersion>", bad},
		{"<IfVersion >=2.4>\n</IfVersion>", bad},
		{"<IfVersion 2.4.71.1>\n</IfVersion>", bad},
		{"<IfVersion !/^2/>\n</IfVersion>", bad},
		{"<IfVersion >= 2.4 x>\n</IfVersion>", "<IfVersion> directive missing closing '>'"},
		{"<IfVersion >= 2.4\n</IfVersion>", "<IfVersion> directive missing closing '>'"},
		{"<IfVersion ~ ^2[.4>\n</IfVersion>", "Unable to compile regular expression"},
		{"<IfVersion ! 2.4>\n</IfVersion>", "unrecognized operator '!'"},
		{"<IfVersion => 2.4>\n</IfVersion>", "unrecognized operator '=>'"},
		{"<IfVersion = /^2>\n</IfVersion>", "Missing delimiting / of regular expression."},
	} {
		_, err := loadFile(t, "Listen 80\n"+tt.line+"\n")
		var ce *Error
		if !errors.As(err, &ce) || ce.Pos.Line != 2 || ce.Msg != tt.want || !ce.Read {
			t.Errorf("%q: error %v, want %q at line 2", tt.line, err, tt.want)
		}
	}
}
