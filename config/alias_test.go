package config

import "testing"

// TestAliasMatch pins Apache's alias_matches: a literal prefix at a segment
// boundary, runs of '/' on either side counting as one, and the count of
// request bytes covered.
func TestAliasMatch(t *testing.T) {
	tests := []struct {
		alias, uri string
		want       int
	}{
		// A trailing slash on the URL-path: only below it.
		{alias: "/icons/", uri: "/icons/a.png", want: 7},
		{alias: "/icons/", uri: "/icons/", want: 7},
		{alias: "/icons/", uri: "/icons", want: 0}, // the known Apache gotcha, kept
		{alias: "/icons/", uri: "/iconsx/a.png", want: 0},
		// Without: the path itself, and below it at a '/'.
		{alias: "/docs", uri: "/docs", want: 5},
		{alias: "/docs", uri: "/docs/", want: 5},
		{alias: "/docs", uri: "/docs/x/y", want: 5},
		{alias: "/docs", uri: "/docsx", want: 0},
		{alias: "/docs", uri: "/doc", want: 0},
		{alias: "/docs", uri: "/Docs", want: 0}, // case matters
		{alias: "/docs", uri: "/other/docs", want: 0},
		// Runs of '/' count as one, and the count covers the request's.
		{alias: "//docs//", uri: "/docs/x", want: 6},
		{alias: "/docs/", uri: "//docs///x", want: 9},
		{alias: "/a//b", uri: "/a/b/c", want: 4},
		{alias: "/a/b", uri: "/a//b", want: 5},
		{alias: "/a/b", uri: "/ab", want: 0},
		// "/" covers every path.
		{alias: "/", uri: "/", want: 1},
		{alias: "/", uri: "/x/y", want: 1},
		{alias: "/", uri: "", want: 0},
		{alias: "/x", uri: "", want: 0},
		{alias: "", uri: "/x", want: 0},
	}
	for _, tt := range tests {
		a := Alias{URL: tt.alias}
		if got := a.Match(tt.uri); got != tt.want {
			t.Errorf("Alias %q Match(%q): got %d, want %d", tt.alias, tt.uri, got, tt.want)
		}
		if got := a.MatchBytes([]byte(tt.uri)); got != tt.want {
			t.Errorf("Alias %q MatchBytes(%q): got %d, want %d", tt.alias, tt.uri, got, tt.want)
		}
	}
}
