package config

import "strings"

// VhostAlias is mod_vhost_alias's VirtualDocumentRoot (or
// VirtualDocumentRootIP): the DocumentRoot made for each request from
// its server name (or the address it arrived on) by a format with %N.M
// parts. A server without one (or with "none") uses DocumentRoot.
type VhostAlias struct {
	// Format is the absolute path with its % specifiers, "" for none.
	Format string `json:",omitempty"`
	// ByIP takes the connection's local address instead of the name.
	ByIP bool `json:",omitempty"`
}

// setVirtualDocumentRoot is VirtualDocumentRoot and VirtualDocumentRootIP,
// with vhost_alias_set's checks and messages.
func setVirtualDocumentRoot(w *walker, c *call) error {
	format := c.args[0]
	va := &VhostAlias{ByIP: strings.EqualFold(c.d.name, "VirtualDocumentRootIP")}
	switch {
	case strings.EqualFold(format, "none"):
		va.ByIP = false
	default:
		if err := CheckVhostFormat(format); err != nil {
			return err
		}
		va.Format = format
	}
	w.srv.srv.VirtualDocumentRoot = va
	return nil
}

// CheckVhostFormat is vhost_alias_set's check of a VirtualDocumentRoot
// format (not "none"), with its messages.
func CheckVhostFormat(format string) error {
	if !strings.HasPrefix(format, "/") {
		return errorf("format string must be an absolute path, or 'none'")
	}
	if !validVhostFormat(format) {
		return errorf("syntax error in format string")
	}
	return nil
}

// validVhostFormat is vhost_alias_set's sanity check: each '%' is
// followed by '%', 'p', or [-]N[+][.[-]M[+]] with N and M single digits.
func validVhostFormat(f string) bool {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if i < len(f) && (f[i] == 'p' || f[i] == '%') {
			continue
		}
		if !vhostSpecPart(f, &i) {
			return false
		}
		if i < len(f) && f[i] == '.' {
			i++
			if !vhostSpecPart(f, &i) {
				return false
			}
		}
		i-- // the loop's i++ moves past the last byte read
	}
	return true
}

// vhostSpecPart reads [-]DIGIT[+] at f[*i], leaving *i after it.
func vhostSpecPart(f string, i *int) bool {
	if *i < len(f) && f[*i] == '-' {
		*i++
	}
	if *i >= len(f) || f[*i] < '0' || f[*i] > '9' {
		return false
	}
	*i++
	if *i < len(f) && f[*i] == '+' {
		*i++
	}
	return true
}

// setVirtualScriptAlias refuses VirtualScriptAlias and
// VirtualScriptAliasIP: mass-hosted CGI directories are not implemented
// (ScriptAlias is).
func setVirtualScriptAlias(w *walker, c *call) error {
	return errorf("%s is not supported by eventmpm: use ScriptAlias, or a <Directory> with Options ExecCGI and SetHandler cgi-script", c.d.name)
}
