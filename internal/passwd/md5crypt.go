package passwd

import "crypto/md5"

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
	final := ctx.Sum(nil)
	for i := 0; i < 1000; i++ {
		ctx.Reset()
		if i&1 != 0 {
			ctx.Write(pw)
		} else {
			ctx.Write(final)
		}
		if i%3 != 0 {
			ctx.Write([]byte(salt))
		}
		if i%7 != 0 {
			ctx.Write(pw)
		}
		if i&1 != 0 {
			ctx.Write(final)
		} else {
			ctx.Write(pw)
		}
		final = ctx.Sum(final[:0])
	}
	out := []byte(magic + salt + "$")
	out = appendGroups(out, final, md5Groups)
	return string(appendBase64(out, uint32(final[11]), 2))
}

// md5Groups is MD5-crypt's order of the digest's bytes.
var md5Groups = [][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}}
