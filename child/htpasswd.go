package child

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// This file is mod_authn_file: an htpasswd file's users and their password
// hashes (read through fileCache), and the hash formats htpasswd writes:
// bcrypt ($2y$), APR1-MD5 ($apr1$) and SHA-1 ({SHA}).

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

// errHashFormat says the hash is in a format eventmpm cannot check
// (crypt(3)'s DES or SHA-crypt, or plain text).
var errHashFormat = errors.New("unsupported password hash format (use htpasswd -B, -m or -s)")

// checkPassword reports whether password matches hash, as
// apr_password_validate does for the formats htpasswd writes.
func checkPassword(hash, password string) (bool, error) {
	switch {
	case strings.HasPrefix(hash, "$2y$"), strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"):
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, nil
		}
		return err == nil, err
	case strings.HasPrefix(hash, "$apr1$"):
		rest := hash[len("$apr1$"):]
		salt, _, _ := strings.Cut(rest, "$")
		want := apr1(password, salt)
		return subtle.ConstantTimeCompare([]byte(want), []byte(hash)) == 1, nil
	case strings.HasPrefix(hash, "{SHA}"):
		sum := sha1.Sum([]byte(password))
		want := "{SHA}" + base64.StdEncoding.EncodeToString(sum[:])
		return subtle.ConstantTimeCompare([]byte(want), []byte(hash)) == 1, nil
	}
	return false, errHashFormat
}

// apr1 is APR's MD5-based crypt ("$apr1$salt$hash"), the md5crypt
// algorithm with APR's magic string.
func apr1(password, salt string) string {
	const magic = "$apr1$"
	if len(salt) > 8 {
		salt = salt[:8]
	}
	pw := []byte(password)
	alt := md5.Sum([]byte(password + salt + password))
	ctx := md5.New()
	ctx.Write(pw)
	ctx.Write([]byte(magic + salt))
	for i := len(pw); i > 0; i -= 16 {
		ctx.Write(alt[:min(16, i)])
	}
	for i := len(pw); i > 0; i >>= 1 {
		if i&1 != 0 {
			ctx.Write([]byte{0})
		} else {
			ctx.Write(pw[:1])
		}
	}
	final := ctx.Sum(nil)
	for i := 0; i < 1000; i++ {
		c := md5.New()
		if i&1 != 0 {
			c.Write(pw)
		} else {
			c.Write(final)
		}
		if i%3 != 0 {
			c.Write([]byte(salt))
		}
		if i%7 != 0 {
			c.Write(pw)
		}
		if i&1 != 0 {
			c.Write(final)
		} else {
			c.Write(pw)
		}
		final = c.Sum(nil)
	}
	const itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	out := []byte(magic + salt + "$")
	put := func(v uint32, n int) {
		for ; n > 0; n-- {
			out = append(out, itoa64[v&0x3f])
			v >>= 6
		}
	}
	for _, g := range [][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}} {
		put(uint32(final[g[0]])<<16|uint32(final[g[1]])<<8|uint32(final[g[2]]), 4)
	}
	put(uint32(final[11]), 2)
	return string(out)
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
