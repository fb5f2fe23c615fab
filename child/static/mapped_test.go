package static_test

import (
	"strings"
	"testing"
	"time"

	"eventmpm/child/static"
)

// serveMapped serves target (a URL whose path begins with prefix, as an
// Alias maps it) with the rest of its path below the handler's root, as
// the child does for "Alias prefix root".
func serveMapped(t *testing.T, h *static.Handler, prefix, method, target string) result {
	t.Helper()
	rawPath, _, _ := strings.Cut(target, "?")
	url, st := static.CleanPath([]byte(rawPath), nil)
	if st != 0 {
		return result{Status: st}
	}
	rest, ok := strings.CutPrefix(string(url), prefix)
	if !ok || !strings.HasPrefix(rest, "/") {
		t.Fatalf("%s does not begin with %s/", url, prefix)
	}
	var r static.Reply
	h.ServeMapped(newRequest(method, target), []byte(rest), url, &r, time.Now().UnixNano())
	defer r.Release()
	return snapshot(t, &r, method, target)
}

// TestServeMapped: a handler serving a mapped URL-path shows the client
// the URL path, not the path below its root: the DirectorySlash redirect,
// a listing's title and links, and the RequestResolver's answer by URL
// path. Files are found below the root as with ServeAt.
func TestServeMapped(t *testing.T) {
	s := buildSite(t)
	idx := []string{"index.html"}
	res := requestResolver{testResolver: siteResolver(s.root), byURL: map[string]static.DirConfig{
		// A <Location /docs/noindex/> with Options Indexes: it must be
		// asked by the URL path, which ServeAt's "/noindex/" is not.
		"/docs/noindex/": {FollowSymLinks: true, Indexes: true, DirectoryIndex: idx},
	}}
	h := newHandler(t, s, func(o *static.Options) { o.Resolver = res })
	tests := []struct {
		target   string
		status   int
		location string
		bodyHas  []string
	}{
		{target: "/docs/hello.txt", status: 200, bodyHas: []string{"hello, world\n"}},
		{target: "/docs/", status: 200, bodyHas: []string{"<h1>home</h1>"}},
		{target: "/docs/sub/", status: 200, bodyHas: []string{"<h1>sub</h1>"}},
		{target: "/docs/sub", status: 301, location: "/docs/sub/"},
		{target: "/docs/sub?a=1", status: 301, location: "/docs/sub/?a=1"},
		{target: "/docs/a%20b.txt", status: 200, bodyHas: []string{"space"}},
		{target: "/docs/listed/", status: 200, bodyHas: []string{
			"<title>Index of /docs/listed</title>", "<h1>Index of /docs/listed</h1>",
			`<a href="/docs/">Parent Directory</a>`, `href="a.txt"`}},
		{target: "/docs/listed/z/", status: 200, bodyHas: []string{"<title>Index of /docs/listed/z</title>", `<a href="/docs/listed/">Parent Directory</a>`}},
		{target: "/docs/noindex/", status: 200, bodyHas: []string{"<title>Index of /docs/noindex</title>"}},
		{target: "/docs/missing.txt", status: 404},
		{target: "/docs/.htaccess", status: 403},
	}
	for pass := range 2 { // the second pass may answer from the cache
		for _, tt := range tests {
			got := serveMapped(t, h, "/docs", "GET", tt.target)
			if got.Status != tt.status || got.Location != tt.location {
				t.Errorf("pass %d: GET %s: got %d Location %q, want %d Location %q", pass, tt.target, got.Status, got.Location, tt.status, tt.location)
			}
			for _, want := range tt.bodyHas {
				if !strings.Contains(got.Body, want) {
					t.Errorf("pass %d: GET %s: body lacks %q:\n%s", pass, tt.target, want, got.Body)
				}
			}
		}
	}
	// The same handler's unmapped paths keep their own URL: the
	// <Location> of the mapped URL does not apply to "/noindex/".
	if got := serve(t, h, "GET", "/noindex/"); got.Status != 403 {
		t.Errorf("GET /noindex/ through ServeAt: got %d, want 403", got.Status)
	}
}
