package child

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"eventmpm/internal/errorlog"
)

// This file is mod_authz_groupfile: Require group grants a user that the
// AuthGroupFile lists in one of the named groups. The file has lines
// "group: user user..."; a group may take several lines.

// groupFiles holds a child's group files by path: user -> groups.
type groupFiles = fileCache[map[string][]string]

// readGroupFile reads a group file into each user's groups; '#' comments
// and blank lines are skipped.
func readGroupFile(path string) (map[string][]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("could not open group file %s: %w", path, err)
	}
	groups := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20) // long member lists
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		group, members, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		for _, user := range strings.Fields(members) {
			groups[user] = append(groups[user], strings.TrimSpace(group))
		}
	}
	return groups, sc.Err()
}

// groupResult is Require group's answer for the authenticated user, with
// mod_authz_groupfile's error-log lines: AH01664 without an
// AuthGroupFile, AH01667 when it cannot be read, AH01666 for a user it
// does not list at all.
func (w *worker) groupResult(rule []string, ctx *authzCtx) authzResult {
	if !ctx.authed {
		return authzNeedUser
	}
	if ctx.groupFile == "" {
		w.logError(w.cur, errorlog.LevelError, "authz_groupfile", "AH01664", "No group file was specified in the configuration", nil, "")
		return authzDenied
	}
	groups, err := w.ch.groupFiles.get(ctx.groupFile, "group file", readGroupFile)
	if err != nil {
		w.logError(w.cur, errorlog.LevelError, "authz_groupfile", "AH01667", "Could not open group file: "+ctx.groupFile, nil, "")
		return authzDenied
	}
	mine := groups[ctx.user]
	if len(mine) == 0 {
		w.logError(w.cur, errorlog.LevelError, "authz_groupfile", "AH01666", "Authorization of user "+ctx.user+" to access ", w.path,
			" failed, reason: user doesn't appear in group file ("+ctx.groupFile+").")
		return authzDenied
	}
	for _, g := range rule {
		for _, m := range mine {
			if g == m {
				return authzGranted
			}
		}
	}
	return authzDenied
}
