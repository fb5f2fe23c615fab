package passwd

import (
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"strconv"
	"strings"
)

// SHA-crypt's rounds: the default, and the bounds of a "rounds=N$"
// setting.
const (
	shaRoundsDefault = 5000
	shaRoundsMin     = 1000
	shaRoundsMax     = 999999999
)

// SHACrypt is Ulrich Drepper's SHA-crypt, the crypt(3) methods "$5$"
// (SHA-256, htpasswd -2) and "$6$" (SHA-512, htpasswd -5), chosen by
// magic. setting is what follows the prefix in a stored hash: an optional
// "rounds=N$" and up to 16 characters of salt, up to the next '$'. It
// returns the whole hash string, naming the rounds only when the setting
// did, or "*0" for rounds outside 1000..999999999 (as libxcrypt, the
// crypt(3) of Debian and Fedora, refuses them).
func SHACrypt(magic, password, setting string) string {
	newHash, groups, last := sha256.New, sha256Groups, func(out, d []byte) []byte {
		return appendBase64(out, uint32(d[31])<<8|uint32(d[30]), 3)
	}
	if magic == sha512Magic {
		newHash, groups, last = sha512.New, sha512Groups, func(out, d []byte) []byte {
			return appendBase64(out, uint32(d[63]), 2)
		}
	}
	rounds, custom := shaRoundsDefault, false
	if r, ok := strings.CutPrefix(setting, "rounds="); ok {
		digits, rest, _ := strings.Cut(r, "$")
		n, err := strconv.ParseUint(digits, 10, 64)
		if err != nil || n < shaRoundsMin || n > shaRoundsMax {
			return failed
		}
		rounds, custom, setting = int(n), true, rest
	}
	salt := saltOf(setting, 16)
	d := shaDigest(newHash, []byte(password), []byte(salt), rounds)
	out := []byte(magic)
	if custom {
		out = append(strconv.AppendInt(append(out, "rounds="...), int64(rounds), 10), '$')
	}
	out = append(append(out, salt...), '$')
	return string(last(appendGroups(out, d, groups), d))
}

// shaDigest is SHA-crypt's digest of password and salt after rounds
// rounds (the specification's steps 1 to 21).
func shaDigest(newHash func() hash.Hash, p, s []byte, rounds int) []byte {
	h := newHash()
	size := h.Size()
	h.Write(p)
	h.Write(s)
	h.Write(p)
	b := h.Sum(nil)

	h.Reset()
	h.Write(p)
	h.Write(s)
	i := len(p)
	for ; i > size; i -= size {
		h.Write(b)
	}
	h.Write(b[:i])
	for i := len(p); i > 0; i >>= 1 {
		if i&1 != 0 {
			h.Write(b)
		} else {
			h.Write(p)
		}
	}
	a := h.Sum(nil)

	h.Reset()
	for range len(p) {
		h.Write(p)
	}
	pSeq := repeatTo(h.Sum(nil), len(p))

	h.Reset()
	for range 16 + int(a[0]) {
		h.Write(s)
	}
	sSeq := repeatTo(h.Sum(nil), len(s))

	return stretch(h, a, pSeq, sSeq, rounds)
}

// repeatTo is d repeated and cut to n bytes.
func repeatTo(d []byte, n int) []byte {
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, d[:min(len(d), n-len(out))]...)
	}
	return out
}

// The order of the digest's bytes in SHA-crypt's output, but for the last
// one or two.
var (
	sha256Groups = [][3]int{{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
		{15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29}}
	sha512Groups = [][3]int{{0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4},
		{47, 5, 26}, {6, 27, 48}, {28, 49, 7}, {50, 8, 29}, {9, 30, 51}, {31, 52, 10},
		{53, 11, 32}, {12, 33, 54}, {34, 55, 13}, {56, 14, 35}, {15, 36, 57}, {37, 58, 16},
		{59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41}}
)
