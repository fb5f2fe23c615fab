package passwd

import (
	"crypto/des"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// testdata/crypt.json holds hashes made on Debian 12 by crypt(3)
// (libxcrypt, through Python's crypt module) for MD5-crypt, SHA-256-crypt,
// SHA-512-crypt (default and explicit rounds, salts of every length up to
// and past the limit) and DES crypt, over passwords of 0 to 100 bytes
// around the digest sizes, and by htpasswd 2.4 with -2, -5, -d, -m, -s and
// -B.
type vector struct {
	Hash, Password, By string
}

func vectors(t *testing.T) []vector {
	t.Helper()
	b, err := os.ReadFile("testdata/crypt.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestCheckVectors(t *testing.T) {
	for _, v := range vectors(t) {
		ok, err := Check(v.Hash, v.Password)
		if !ok || err != nil {
			t.Errorf("%s: Check(%q, %q) = %v, %v; want a match", v.By, v.Hash, v.Password, ok, err)
		}
		// Prepended, not appended: DES crypt reads 8 characters only.
		ok, err = Check(v.Hash, "x"+v.Password)
		if ok || err != nil {
			t.Errorf("%s: Check(%q, x+%q) = %v, %v; want no match and no error", v.By, v.Hash, v.Password, ok, err)
		}
	}
}

// TestCrypt checks the hash functions themselves against the vectors:
// each remakes the stored string from the password and the setting.
func TestCrypt(t *testing.T) {
	for _, v := range vectors(t) {
		var got string
		switch h := v.Hash; {
		case strings.HasPrefix(h, sha256Magic), strings.HasPrefix(h, sha512Magic):
			got = SHACrypt(h[:3], v.Password, h[3:])
		case strings.HasPrefix(h, md5Magic):
			got = MD5Crypt(md5Magic, v.Password, h[3:])
		case strings.HasPrefix(h, apr1Magic):
			got = MD5Crypt(apr1Magic, v.Password, h[len(apr1Magic):])
		case len(h) == 13:
			got = DESCrypt(v.Password, h[:2])
		default:
			continue
		}
		if got != v.Hash {
			t.Errorf("%s of %q: got %q, want %q", v.By, v.Password, got, v.Hash)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		hash, password string
		want           bool
		err            bool
	}{
		// Drepper's SHA-crypt specification's own examples.
		{"$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "Hello world!", true, false},
		{"$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1", "Hello world!", true, false},
		// libxcrypt refuses rounds outside 1000..999999999 (crypt gives
		// "*0"), so such a hash matches nothing.
		{"$5$rounds=10$salt$" + strings.Repeat("a", 43), "x", false, false},
		{"$5$rounds=abc$salt$" + strings.Repeat("a", 43), "x", false, false},
		{"$apr1$saltsalt$yAAkm4libquA.ZWLHbSBq/", "password", true, false},
		{"$2y$05$short", "x", false, true},
		{"plaintext", "plaintext", false, true},                                                         // Apache refuses plain text on Unix too
		{"$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7", "x", false, true}, // yescrypt
		{"", "", false, true},
		{"abcdefghijk!m", "x", false, true}, // 13 characters, not all crypt's
	} {
		got, err := Check(tt.hash, tt.password)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("Check(%q, %q) = %v, %v; want %v, error %v", tt.hash, tt.password, got, err, tt.want, tt.err)
		}
	}
}

// TestDESBlock checks DES itself, with crypt's salt zero (the standard
// expansion), against the standard library's.
func TestDESBlock(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		key, block := r.Uint64(), r.Uint64()
		var kb, in, want [8]byte
		binary.BigEndian.PutUint64(kb[:], key)
		binary.BigEndian.PutUint64(in[:], block)
		c, err := des.NewCipher(kb[:])
		if err != nil {
			t.Fatal(err)
		}
		c.Encrypt(want[:], in[:])
		ks := desKeySchedule(key)
		e := expansion
		if got := desEncrypt(&ks, block, &e); got != binary.BigEndian.Uint64(want[:]) {
			t.Fatalf("DES(%016x, %016x) = %016x, want %x", key, block, got, want)
		}
	}
}

// FuzzCheck: Check never panics, never matches with an error, and a match
// means the hash function remade the stored string.
func FuzzCheck(f *testing.F) {
	f.Add("$5$rounds=1000$salt$x", "pw")
	f.Add("$6$$", "")
	f.Add("$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/", "password")
	f.Add("abiQ6Ep3EYTHc", "x")
	f.Add("{SHA}x", "")
	f.Fuzz(func(t *testing.T, hash, password string) {
		if strings.HasPrefix(hash, "$2") && len(hash) > 60 {
			return // bcrypt's cost may be huge: not what this fuzzes
		}
		if _, r, ok := strings.Cut(hash, "rounds="); ok && len(r) > 4 && strings.Trim(r[:5], "0123456789") == "" {
			return // so may SHA-crypt's rounds
		}
		ok, err := Check(hash, password)
		if ok && err != nil {
			t.Fatalf("Check(%q, %q) matched with error %v", hash, password, err)
		}
	})
}
