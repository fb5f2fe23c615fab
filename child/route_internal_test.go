package child

import (
	"testing"

	"eventmpm/config"
)

// TestSiteDirDepth: the depth below which a site's <Directory> answers
// stop changing is the component count of its deepest literal or wildcard
// section, and there is none once a regex section exists.
func TestSiteDirDepth(t *testing.T) {
	dir := func(pattern string, regex bool) config.Section {
		return config.Section{Kind: config.SectionDirectory, Pattern: pattern, Regex: regex}
	}
	tests := []struct {
		name string
		secs []config.Section
		want int
	}{
		{name: "none", want: 0},
		{name: "root only", secs: []config.Section{dir("/", false)}, want: 0},
		{name: "literal", secs: []config.Section{dir("/", false), dir("/srv/www/htdocs", false)}, want: 3},
		{name: "trailing slash", secs: []config.Section{dir("/srv/www/", false)}, want: 2},
		{name: "wildcard", secs: []config.Section{dir("/home/*/public_html", false), dir("/srv", false)}, want: 3},
		{name: "regex", secs: []config.Section{dir("/srv", false), dir(`^/srv/.*/cgi`, true)}, want: -1},
		{name: "files and locations do not count", secs: []config.Section{
			{Kind: config.SectionFiles, Pattern: "a/b/c/d"}, {Kind: config.SectionLocation, Pattern: "/a/b/c/d/e"}}, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s site
			if err := s.compileSections(tt.secs); err != nil {
				t.Fatal(err)
			}
			if got := s.DirDepth(); got != tt.want {
				t.Errorf("DirDepth() = %d, want %d", got, tt.want)
			}
		})
	}
}
