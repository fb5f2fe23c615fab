package static_test

import (
	"strings"
	"testing"

	"eventmpm/child/static"
)

// requestResolver is siteResolver plus answers by URL path for the
// directory a request names, as the child's <Location> sections give.
type requestResolver struct {
	testResolver
	byURL map[string]static.DirConfig
}

func (r requestResolver) RequestConfig(urlPath, dir string) static.DirConfig {
	if c, ok := r.byURL[urlPath]; ok {
		return c
	}
	return r.DirConfig(dir)
}

// TestRequestResolver: a Resolver that is a RequestResolver decides
// Indexes and DirectoryIndex of the directory a path names by URL path,
// while the directories on the way (and files in them) keep DirConfig's
// answers.
func TestRequestResolver(t *testing.T) {
	s := buildSite(t)
	idx := []string{"index.html"}
	res := requestResolver{testResolver: siteResolver(s.root), byURL: map[string]static.DirConfig{
		"/noindex/": {FollowSymLinks: true, Indexes: true, DirectoryIndex: idx},
		"/listed/":  {FollowSymLinks: true, DirectoryIndex: idx},
		"/sub/":     {FollowSymLinks: true, DirectoryIndex: []string{"page.html"}},
	}}
	h := newHandler(t, s, func(o *static.Options) { o.Resolver = res })
	tests := []struct {
		target string
		status int
		body   string // a substring of the body
	}{
		{target: "/noindex/", status: 200, body: "Index of /noindex"},
		{target: "/listed/", status: 403},
		{target: "/listed/z/", status: 200, body: "Index of /listed/z"},
		{target: "/sub/", status: 200, body: "<p>page</p>"},
		{target: "/sub/index.html", status: 200, body: "<h1>sub</h1>"},
		{target: "/", status: 200, body: "<h1>home</h1>"},
	}
	for pass := range 2 { // the second pass may answer from the cache
		for _, tt := range tests {
			res := serve(t, h, "GET", tt.target)
			if res.Status != tt.status || !strings.Contains(res.Body, tt.body) {
				t.Errorf("pass %d: GET %s: got %d %q, want %d with %q", pass, tt.target, res.Status, res.Body, tt.status, tt.body)
			}
		}
	}
}
