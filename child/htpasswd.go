package child

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
)

// This file is mod_authn_file: an htpasswd file's users and their password
// hashes (read through fileCache; internal/passwd checks the hashes).

// pwFiles holds a child's password files by path: user -> hash.
type pwFiles = fileCache[map[string]string]

// errNoUser says the file has no such user (AH01618).
var errNoUser = errors.New("user not found")

// hashOf returns the password hash of user in the file at path.
func hashOf(p *pwFiles, path, user string) (string, error) {
	users, err := p.get(path, "password file", readPasswordFile)
	if err != nil {
		return "", err
	}
	h, ok := users[user]
	if !ok {
		return "", errNoUser
	}
	return h, nil
}

// readPasswordFile reads "user:hash" lines; '#' comments and blank lines
// are skipped, as mod_authn_file skips them. A later line for a user does
// not replace the first, as Apache stops at the first match.
func readPasswordFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("could not open password file %s: %w", path, err)
	}
	users := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		user, hash, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		if _, dup := users[user]; !dup {
			users[user] = hash
		}
	}
	return users, sc.Err()
}

// parseBasic reads "Basic base64(user:password)" (the scheme without
// regard to case), as mod_auth_basic's get_basic_auth.
func parseBasic(v []byte) (user, password string, ok bool) {
	v = bytes.TrimLeft(v, " \t")
	const scheme = "basic "
	if len(v) < len(scheme) || !strings.EqualFold(string(v[:len(scheme)]), scheme) {
		return "", "", false
	}
	dec, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(v[len(scheme):])))
	if err != nil {
		return "", "", false
	}
	user, password, ok = strings.Cut(string(dec), ":")
	if !ok {
		return "", "", false
	}
	return user, password, true
}
