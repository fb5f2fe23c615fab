package config

import "strings"

// This file is Basic authentication against a password file: mod_auth_basic's
// AuthType Basic and AuthBasicProvider, mod_authn_core's AuthName and
// mod_authn_file's AuthUserFile, in directory-level sections. Require
// valid-user and Require user (mod_authz_user) are in authz.go.

// setAuthType is AuthType Basic|None. Digest and Form are refused.
func setAuthType(w *walker, c *call) error {
	switch strings.ToLower(c.args[0]) {
	case "basic":
		w.sec.s.AuthType = "Basic"
	case "none":
		w.sec.s.AuthType = "None"
	default:
		return errorf("AuthType %s: eventmpm implements Basic authentication only", c.args[0])
	}
	return nil
}

// setAuthName is AuthName realm: the realm the browser shows.
func setAuthName(w *walker, c *call) error {
	if c.args[0] == "" {
		return errorf("AuthName: the realm must not be empty")
	}
	w.sec.s.AuthName = c.args[0]
	return nil
}

// setAuthUserFile is AuthUserFile path (relative to ServerRoot): an
// htpasswd file. It is read by the child when a request needs it, and
// again when it changes, as Apache reads it on every request.
func setAuthUserFile(w *walker, c *call) error {
	w.sec.s.AuthUserFile = w.l.rootRelative(c.args[0])
	return nil
}

// setAuthGroupFile is mod_authz_groupfile's AuthGroupFile path (relative
// to ServerRoot): the "group: user user..." file Require group reads.
func setAuthGroupFile(w *walker, c *call) error {
	w.sec.s.AuthGroupFile = w.l.rootRelative(c.args[0])
	return nil
}

// setAuthBasicProvider accepts the one provider eventmpm has: file.
func setAuthBasicProvider(w *walker, c *call) error {
	for _, p := range c.args {
		if !strings.EqualFold(p, "file") {
			return errorf("Unknown Authn provider: %s (eventmpm has the file provider only)", p)
		}
	}
	return nil
}
