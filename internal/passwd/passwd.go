// Package passwd checks a password against a hash in the formats an
// Apache password file (AuthUserFile) holds, as APR's
// apr_password_validate does on Linux: what htpasswd writes — bcrypt (-B),
// APR1-MD5 (-m, the default), SHA-256-crypt (-2), SHA-512-crypt (-5),
// SHA-1 (-s) and DES crypt (-d) — and glibc's MD5-crypt ("$1$"), which
// APR hands to crypt(3) too.
//
// Plain-text passwords (htpasswd -p) never match, as on Apache for Unix.
// Every check recomputes the whole hash string from the password and the
// stored salt and compares the two in constant time.
package passwd

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// ErrFormat says the hash is in no format this package knows (plain text,
// or a crypt(3) method htpasswd does not write, as yescrypt).
var ErrFormat = errors.New("unsupported password hash format (use htpasswd -B, -5, -2 or -m)")

// Check reports whether password matches hash. The error is ErrFormat for
// a hash it cannot check, or bcrypt's for a malformed bcrypt hash; a
// password that does not match is false with no error.
func Check(hash, password string) (bool, error) {
	var want string
	switch {
	case strings.HasPrefix(hash, "$2y$"), strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"):
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, nil
		}
		return err == nil, err
	case strings.HasPrefix(hash, apr1Magic):
		want = MD5Crypt(apr1Magic, password, hash[len(apr1Magic):])
	case strings.HasPrefix(hash, md5Magic):
		want = MD5Crypt(md5Magic, password, hash[len(md5Magic):])
	case strings.HasPrefix(hash, sha256Magic):
		want = SHACrypt(sha256Magic, password, hash[len(sha256Magic):])
	case strings.HasPrefix(hash, sha512Magic):
		want = SHACrypt(sha512Magic, password, hash[len(sha512Magic):])
	case strings.HasPrefix(hash, "{SHA}"):
		sum := sha1.Sum([]byte(password))
		want = "{SHA}" + base64.StdEncoding.EncodeToString(sum[:])
	case isDESHash(hash):
		want = DESCrypt(password, hash[:2])
	default:
		return false, ErrFormat
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(hash)) == 1, nil
}

// The crypt(3) method prefixes.
const (
	apr1Magic   = "$apr1$"
	md5Magic    = "$1$"
	sha256Magic = "$5$"
	sha512Magic = "$6$"
)

// failed is what crypt(3) returns for a setting it refuses: no hash
// equals it.
const failed = "*0"

// itoa64 is crypt(3)'s alphabet: 6 bits a character.
const itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// appendBase64 appends n characters for the low bits of v, least
// significant first (crypt(3)'s b64_from_24bit).
func appendBase64(out []byte, v uint32, n int) []byte {
	for ; n > 0; n-- {
		out = append(out, itoa64[v&0x3f])
		v >>= 6
	}
	return out
}

// appendGroups appends the digest d as crypt(3) orders it: each triple of
// byte indexes as one 24-bit value, 4 characters.
func appendGroups(out, d []byte, groups [][3]int) []byte {
	for _, g := range groups {
		out = appendBase64(out, uint32(d[g[0]])<<16|uint32(d[g[1]])<<8|uint32(d[g[2]]), 4)
	}
	return out
}

// saltOf is the salt of a crypt setting: up to max characters, up to the
// next '$'.
func saltOf(setting string, max int) string {
	if i := strings.IndexByte(setting, '$'); i >= 0 {
		setting = setting[:i]
	}
	if len(setting) > max {
		setting = setting[:max]
	}
	return setting
}
