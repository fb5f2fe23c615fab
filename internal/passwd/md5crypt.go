package passwd

import (
	"crypto/md5"
	"hash"
)

// MD5Crypt is the MD5-based crypt(3) of Poul-Henning Kamp with the method
// prefix magic: "$1$" (glibc) or "$apr1$" (APR, what htpasswd -m writes).
// setting is what follows the prefix in a stored hash: up to 8 characters
// of salt, up to the next '$'. It returns the whole hash string.
func MD5Crypt(magic, password, setting string) string {
	salt := saltOf(setting, 8)
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
	final := stretch(ctx, ctx.Sum(nil), pw, []byte(salt), 1000)
	out := []byte(magic + salt + "$")
	out = appendGroups(out, final, md5Groups)
	return string(appendBase64(out, uint32(final[11]), 2))
}

// stretch is the loop MD5-crypt and SHA-crypt share: rounds digests, each
// of the previous one (a) and the password and salt material p and s in
// an order that depends on the round's number. It returns the last.
func stretch(h hash.Hash, a, p, s []byte, rounds int) []byte {
	for r := 0; r < rounds; r++ {
		h.Reset()
		if r&1 != 0 {
			h.Write(p)
		} else {
			h.Write(a)
		}
		if r%3 != 0 {
			h.Write(s)
		}
		if r%7 != 0 {
			h.Write(p)
		}
		if r&1 != 0 {
			h.Write(a)
		} else {
			h.Write(p)
		}
		a = h.Sum(a[:0])
	}
	return a
}

// md5Groups is MD5-crypt's order of the digest's bytes.
var md5Groups = [][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}}
