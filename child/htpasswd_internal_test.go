package child

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"eventmpm/config"
	"eventmpm/internal/passwd"
)

// Hashes made by Apache's htpasswd (-B -C 5, -s, -m) and openssl passwd
// -apr1.
const (
	hashBcrypt = "$2y$05$ThRu8ZI3FW1m5lW1G02eEuA76KlWBSVgfrdu2RFQpvCiga2q0b0m2" // secret
	hashSHA    = "{SHA}/vNB+F2HQ559kaLUZbmHHvZrXpg="                            // s3cret
	hashAPR1   = "$apr1$.IQR.azR$JAKaQrHMZ5XZFCxePh.Wr."                        // pa:ss wörd
)

func TestParseBasic(t *testing.T) {
	for in, want := range map[string][3]string{
		"Basic YWxpY2U6c2VjcmV0":  {"alice", "secret", "ok"},
		"basic YWxpY2U6c2VjcmV0 ": {"alice", "secret", "ok"},
		"BASIC   YTpiOmM=":        {"a", "b:c", "ok"}, // the password may hold ':'
		"Basic YWxpY2U=":          {"", "", ""},       // no ':'
		"Basic !!!":               {"", "", ""},
		"Bearer YWxpY2U6c2VjcmV0": {"", "", ""},
		"":                        {"", "", ""},
		"Basic":                   {"", "", ""},
	} {
		u, p, ok := parseBasic([]byte(in))
		if u != want[0] || p != want[1] || ok != (want[2] == "ok") {
			t.Errorf("parseBasic(%q) = %q, %q, %v; want %q", in, u, p, ok, want)
		}
	}
}

// TestPasswordFileReload: a changed file is read again within
// fileStatInterval; the first of two lines for a user wins.
func TestPasswordFileReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "htpasswd")
	if err := os.WriteFile(path, []byte("# users\nalice:"+hashSHA+"\nalice:other\n\nbob:x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var p pwFiles
	if h, err := hashOf(&p, path, "alice"); err != nil || h != hashSHA {
		t.Fatalf("alice: %q, %v", h, err)
	}
	if _, err := hashOf(&p, path, "carol"); err != errNoUser {
		t.Fatalf("carol: %v, want errNoUser", err)
	}
	if err := os.WriteFile(path, []byte("carol:"+hashAPR1+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(fileStatInterval + 100*time.Millisecond)
	if h, err := hashOf(&p, path, "carol"); err != nil || h != hashAPR1 {
		t.Fatalf("carol after the change: %q, %v", h, err)
	}
	if _, err := hashOf(&p, path, "alice"); err != errNoUser {
		t.Fatalf("alice after the change: %v, want errNoUser", err)
	}
	if _, err := hashOf(&p, filepath.Join(t.TempDir(), "missing"), "alice"); err == nil || err == errNoUser {
		t.Fatalf("a missing file: %v, want an open error", err)
	}
}

// TestEvalRequire: mod_authz_core's combination of rules that grant, deny
// or need a user.
func TestEvalRequire(t *testing.T) {
	local := netip.MustParseAddr("127.0.0.1")
	other := netip.MustParseAddr("192.0.2.1")
	ip := config.RequireRule{Kind: config.RequireIP, Nets: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	valid := config.RequireRule{Kind: config.RequireValidUser}
	bob := config.RequireRule{Kind: config.RequireUser, Names: []string{"bob", "carol"}}
	notBob := bob
	notBob.Not = true
	for _, tt := range []struct {
		name   string
		r      config.Require
		client netip.Addr
		user   string
		want   authzResult
	}{
		{"any: ip grants", config.Require{Rules: []config.RequireRule{ip, valid}}, local, "", authzGranted},
		{"any: no ip, needs a user", config.Require{Rules: []config.RequireRule{ip, valid}}, other, "", authzNeedUser},
		{"any: a user", config.Require{Rules: []config.RequireRule{ip, valid}}, other, "alice", authzGranted},
		{"user: named", config.Require{Rules: []config.RequireRule{bob}}, other, "carol", authzGranted},
		{"user: not named", config.Require{Rules: []config.RequireRule{bob}}, other, "alice", authzDenied},
		{"all: ip denies first", config.Require{All: true, Rules: []config.RequireRule{ip, valid}}, other, "", authzDenied},
		{"all: ip, then user", config.Require{All: true, Rules: []config.RequireRule{ip, valid}}, local, "", authzNeedUser},
		{"all: not bob", config.Require{All: true, Rules: []config.RequireRule{valid, notBob}}, local, "bob", authzDenied},
		{"all: not bob, alice", config.Require{All: true, Rules: []config.RequireRule{valid, notBob}}, local, "alice", authzGranted},
	} {
		ctx := authzCtx{client: tt.client, local: local, user: tt.user, authed: tt.user != ""}
		if got := evalRequire(&tt.r, &ctx); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// FuzzBasicAuth: any Authorization value and any password-file line parse
// without panicking; a hash in a format htpasswd writes is checked, a
// password that is not the hashed one never matches, and parseBasic only
// succeeds on the Basic scheme.
func FuzzBasicAuth(f *testing.F) {
	f.Add("Basic YWxpY2U6c2VjcmV0", "alice:"+hashAPR1, "pa:ss wörd")
	f.Add("basic !!", "bob:"+hashSHA, "s3cret")
	f.Add("Bearer x", "$apr1$$", "")
	f.Fuzz(func(t *testing.T, header, line, password string) {
		if u, p, ok := parseBasic([]byte(header)); ok {
			if len(header) < 6 || !strings.EqualFold(strings.TrimLeft(header, " \t")[:6], "basic ") || strings.Contains(u, ":") {
				t.Fatalf("parseBasic(%q) = %q, %q: accepted", header, u, p)
			}
		}
		_, hash, _ := strings.Cut(line, ":")
		if strings.HasPrefix(hash, "$2") && len(hash) > 80 {
			return // bcrypt's cost may be huge: not what this fuzzes
		}
		if _, r, ok := strings.Cut(hash, "rounds="); ok && len(r) > 4 && strings.Trim(r[:5], "0123456789") == "" {
			return // so may SHA-crypt's rounds
		}
		match, err := passwd.Check(hash, password)
		if match && err != nil {
			t.Fatalf("passwd.Check(%q, %q) matched with error %v", hash, password, err)
		}
		if strings.HasPrefix(hash, "$apr1$") && match {
			if passwd.MD5Crypt("$apr1$", password, hash[len("$apr1$"):]) != hash {
				t.Fatalf("apr1 matched %q for %q without producing it", hash, password)
			}
		}
	})
}
