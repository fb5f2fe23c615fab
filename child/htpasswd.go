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
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// This file is mod_authn_file: an htpasswd file's users and their password
// hashes, read when a request needs them and again when the file changes
// (Apache reads the file on every request; eventmpm stats it at most once
// a second), and the hash formats htpasswd writes: bcrypt ($2y$), APR1-MD5
// ($apr1$) and SHA-1 ({SHA}).

// pwStatInterval is how long a password file's contents are trusted
// without a stat.
const pwStatInterval = time.Second

// pwFiles holds a child's password files by path.
type pwFiles struct {
	m sync.Map // path -> *pwFile
}

// pwFile is one password file: the table last read and when the file was
// last looked at.
type pwFile struct {
	path    string
	mu      sync.Mutex // held while the file is stat'ed or read
	table   atomic.Pointer[pwTable]
	checked atomic.Int64 // Unix ns of the last stat
}

// pwTable is a password file's contents and the identity of the file they
// came from.
type pwTable struct {
	users map[string]string // user -> hash
	fi    os.FileInfo       // the file read, for os.SameFile and its time and size
}

// errNoUser says the file has no such user (AH01618).
var errNoUser = errors.New("user not found")

// hash returns the password hash of user in the file at path.
func (p *pwFiles) hash(path, user string) (string, error) {
	v, ok := p.m.Load(path)
	if !ok {
		v, _ = p.m.LoadOrStore(path, &pwFile{path: path})
	}
	t, err := v.(*pwFile).current()
	if err != nil {
		return "", err
	}
	h, ok := t.users[user]
	if !ok {
		return "", errNoUser
	}
	return h, nil
}

// current returns the file's table, reading it again when it changed.
func (f *pwFile) current() (*pwTable, error) {
	now := time.Now().UnixNano()
	if t := f.table.Load(); t != nil && now-f.checked.Load() < int64(pwStatInterval) {
		return t, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fi, err := os.Stat(f.path)
	if err != nil {
		f.table.Store(nil)
		return nil, fmt.Errorf("could not open password file %s: %w", f.path, err)
	}
	t := f.table.Load()
	if t == nil || !os.SameFile(t.fi, fi) || !t.fi.ModTime().Equal(fi.ModTime()) || t.fi.Size() != fi.Size() {
		nt, err := readPasswordFile(f.path)
		if err != nil {
			f.table.Store(nil)
			return nil, err
		}
		nt.fi = fi
		f.table.Store(nt)
		t = nt
	}
	f.checked.Store(now)
	return t, nil
}

// readPasswordFile reads "user:hash" lines; '#' comments and blank lines
// are skipped, as mod_authn_file skips them. A later line for a user does
// not replace the first, as Apache stops at the first match.
func readPasswordFile(path string) (*pwTable, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("could not open password file %s: %w", path, err)
	}
	t := &pwTable{users: map[string]string{}}
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
		if _, dup := t.users[user]; !dup {
			t.users[user] = hash
		}
	}
	return t, sc.Err()
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
