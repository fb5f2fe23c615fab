// Package version holds eventmpm's version and build description, shared by
// the CLI (`eventmpm -v`), the Server header, the error log and the status
// page (`ServerVersion:` must read Product/MAJOR.MINOR.PATCH for
// apache_exporter, SPEC.md 5.4).
//
// It is a leaf: it imports only the standard library.
package version

import (
	"os"
	"time"
)

// Version is eventmpm's semantic version, MAJOR.MINOR.PATCH.
const Version = "0.1.0"

// Product is the product token used in the Server header and status pages.
const Product = "eventmpm"

// Description is the full server description, as Apache's
// ap_get_server_description: "eventmpm/0.1.0 (Unix)".
const Description = Product + "/" + Version + " (Unix)"

// buildTime is set by the Makefile with -ldflags "-X ...buildTime=RFC3339".
var buildTime string

// BuiltLayout is Apache's "Server Built" layout (C's __DATE__ __TIME__).
const BuiltLayout = "Jan _2 2006 15:04:05"

// Built returns when this binary was built, in Apache's "Server Built"
// layout. It uses the time stamped in by the Makefile and falls back to the
// executable's modification time.
func Built() string {
	if t, err := time.Parse(time.RFC3339, buildTime); err == nil {
		return t.UTC().Format(BuiltLayout)
	}
	if exe, err := os.Executable(); err == nil {
		if st, err := os.Stat(exe); err == nil {
			return st.ModTime().UTC().Format(BuiltLayout)
		}
	}
	return ""
}
