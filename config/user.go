package config

import (
	"os/user"
	"strconv"
	"strings"
)

// This file is mod_unixd's User and Group: names are resolved while the
// configuration is read (ap_uname2id, ap_gname2id), so a typo stops the
// server before it binds anything.

// rootUserText is mod_unixd's refusal of User root, word for word.
const rootUserText = "Error:\tApache has not been designed to serve pages while\n" +
	"\trunning as root.  There are known race conditions that\n" +
	"\twill allow any local user to read any file on the system.\n" +
	"\tIf you still desire to serve pages as root then\n" +
	"\tadd -DBIG_SECURITY_HOLE to the CFLAGS env variable\n" +
	"\tand then rebuild the server.\n" +
	"\tIt is strongly suggested that you instead modify the User\n" +
	"\tdirective in your httpd.conf file to list a non-root\n" +
	"\tuser."

// systemUserID and systemGroupID are the default Options.LookupUser and
// Options.LookupGroup.
func systemUserID(name string) (int, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(u.Uid)
}

func systemGroupID(name string) (int, error) {
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(g.Gid)
}

// resolveID is "#number" (atoi, as Apache) or a name looked up.
func resolveID(name string, lookup, system func(string) (int, error)) (int, bool) {
	if num, ok := strings.CutPrefix(name, "#"); ok {
		return atoi(num), true
	}
	if lookup == nil {
		lookup = system
	}
	id, err := lookup(name)
	return id, err == nil
}

// setUser is User name|#uid; uid 0 is refused with Apache's text.
func setUser(w *walker, c *call) error {
	uid, ok := resolveID(c.args[0], w.l.opts.LookupUser, systemUserID)
	if !ok {
		return errorf("AH00543: eventmpm: bad user name %s", c.args[0])
	}
	if uid == 0 {
		return errorf("%s", rootUserText)
	}
	w.cfg.User, w.cfg.UID = c.args[0], uid
	return nil
}

// setGroup is Group name|#gid.
func setGroup(w *walker, c *call) error {
	gid, ok := resolveID(c.args[0], w.l.opts.LookupGroup, systemGroupID)
	if !ok {
		return errorf("AH00544: eventmpm: bad group name %s", c.args[0])
	}
	w.cfg.Group, w.cfg.GID = c.args[0], gid
	return nil
}
