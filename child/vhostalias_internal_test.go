package child

import (
	"testing"

	"eventmpm/config"
)

// TestAppendVhostRoot: vhost_alias_interpolate's forms, for the name
// www.domain.example.com as the mod_vhost_alias manual lists them, and
// what a missing part, a port, %% and a trailing '/' give.
func TestAppendVhostRoot(t *testing.T) {
	const name = "www.Domain.example.com"
	for _, tc := range []struct{ format, want string }{
		{"/srv/%0", "/srv/www.domain.example.com"},
		{"/srv/%1/%2/%3/%4", "/srv/www/domain/example/com"},
		{"/srv/%-1/%-2/%-3/%-4", "/srv/com/example/domain/www"},
		{"/srv/%2+", "/srv/domain.example.com"},
		{"/srv/%-2+", "/srv/www.domain.example"},
		{"/srv/%2.1/%2.2/%2.3+", "/srv/d/o/main"},
		{"/srv/%2.-1/%2.-2/%2.-2+", "/srv/n/i/domai"},
		{"/srv/%5/%1.4/%-1.9", "/srv/_/_/_"},
		{"/srv/%p/100%%/", "/srv/8080/100%"},
		{"/srv/%-2.1/%-2/", "/srv/e/example"},
	} {
		if got := string(appendVhostRoot([]byte("x"), tc.format, []byte(name), 8080)); got != "x"+tc.want {
			t.Errorf("%s: got %q, want %q", tc.format, got, "x"+tc.want)
		}
	}
	if got := string(appendVhostRoot(nil, "/ip/%1/%4", []byte("127.0.0.1"), 80)); got != "/ip/127/1" {
		t.Errorf("an address: got %q", got)
	}
}

// TestHasDotSegment: the roots VirtualDocumentRoot refuses.
func TestHasDotSegment(t *testing.T) {
	for p, want := range map[string]bool{"/srv/..": true, "/srv/./x": true, "/srv/.../x": false, "/srv/a..b": false, "/srv/.x": false} {
		if got := hasDotSegment([]byte(p)); got != want {
			t.Errorf("hasDotSegment(%q) = %v, want %v", p, got, want)
		}
	}
}

// FuzzAppendVhostRoot: every format the configuration accepts
// interpolates any name without a panic, into a path no longer than its
// parts allow.
func FuzzAppendVhostRoot(f *testing.F) {
	f.Add("/srv/%0", "www.example.com", 80)
	f.Add("/srv/%-2.1/%-2+/%p/%%", "a.b.c", 8080)
	f.Add("/srv/%9.9+/%-9.-9+", "..", 1)
	f.Fuzz(func(t *testing.T, format, name string, port int) {
		if config.CheckVhostFormat(format) != nil {
			return
		}
		out := appendVhostRoot(nil, format, []byte(name), port)
		if limit := len(format) * (len(name) + 21); len(out) > limit {
			t.Fatalf("%q with %q: %d bytes, more than %d", format, name, len(out), limit)
		}
	})
}
