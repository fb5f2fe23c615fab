package config

import (
	"slices"
	"strings"
)

// UserDir is mod_userdir's configuration of a server: which directory of a
// user's serves "/~user/" and for whom. A server without a UserDir entry
// maps nothing, Apache's default since 2.1.
type UserDir struct {
	// Entries are the directories tried in order, each as written: a path
	// relative to the user's home directory ("public_html"), an absolute
	// one the user's name is appended to ("/home"), one with '*' standing
	// for the name ("/home/*/www"), or a URL with '*' that the request is
	// redirected to ("http://example.com/~*"). Nil when none was given.
	Entries []string `json:",omitempty"`
	// Global is "UserDir disabled" (UserDirDisabled) or "UserDir enabled"
	// (UserDirEnabled) without names; UserDirDefault when neither.
	Global UserDirState `json:",omitempty"`
	// Enabled are the users "UserDir enabled NAME..." lets through a
	// global "disabled"; Disabled are those "UserDir disabled NAME..."
	// turns away. Compared without regard to case, as Apache's tables.
	Enabled  []string `json:",omitempty"`
	Disabled []string `json:",omitempty"`
}

// UserDirState is UserDir's global switch.
type UserDirState uint8

const (
	// UserDirDefault: every user not disabled by name.
	UserDirDefault UserDirState = iota
	// UserDirEnabled: "UserDir enabled" with no names, the same as the
	// default but overriding a main server's "disabled".
	UserDirEnabled
	// UserDirDisabled: only the users "UserDir enabled NAME" names.
	UserDirDisabled
)

// Serves reports whether user's directory may be served: a name, not "."
// nor "..", that is not disabled by name, and that a global "disabled"
// names as enabled.
func (u *UserDir) Serves(user string) bool {
	if u == nil || len(u.Entries) == 0 || user == "" || user == "." || user == ".." {
		return false
	}
	if containsFold(u.Disabled, user) {
		return false
	}
	return u.Global != UserDirDisabled || containsFold(u.Enabled, user)
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(e string) bool { return strings.EqualFold(e, s) })
}

// setUserDir is UserDir: "disabled"/"enabled" with or without names, or
// the directories (mod_userdir's set_user_dir). A later list of
// directories replaces an earlier one; names add up.
func setUserDir(w *walker, c *call) error {
	words := splitWords(c.raw)
	if len(words) == 0 || words[0] == "" {
		return errorf("UserDir requires an argument.")
	}
	srv := w.srv.srv
	if srv.UserDir == nil {
		srv.UserDir = &UserDir{}
	}
	u := srv.UserDir
	switch kw := strings.ToLower(words[0]); kw {
	case "disable", "disabled", "enable", "enabled":
		names := words[1:]
		if kw[:6] == "enable" {
			if len(names) == 0 {
				u.Global = UserDirEnabled
			}
			u.Enabled = append(u.Enabled, names...)
		} else {
			if len(names) == 0 {
				u.Global = UserDirDisabled
			}
			u.Disabled = append(u.Disabled, names...)
		}
		w.srv.userDirNames = w.srv.userDirNames || len(names) > 0
	default:
		u.Entries = words
	}
	return nil
}

// mergeUserDir is a virtual host's UserDir over the main server's, as
// merge_userdir_config: the host's own directories and global switch
// where it set them. Apache does not merge the lists of names: a virtual
// host with a UserDir line of its own ("UserDir public_html") forgets the
// main server's "UserDir disabled root" (Debian's userdir.conf) and serves
// "/~root/"; here a host that names no users keeps the main server's
// lists. A host without any UserDir line takes the main server's whole,
// as in Apache.
func mergeUserDir(main, host *UserDir, hostNames bool) *UserDir {
	if host == nil {
		return main
	}
	if main == nil {
		return host
	}
	merged := *host
	if merged.Entries == nil {
		merged.Entries = main.Entries
	}
	if merged.Global == UserDirDefault {
		merged.Global = main.Global
	}
	if !hostNames {
		merged.Enabled, merged.Disabled = main.Enabled, main.Disabled
	}
	return &merged
}
