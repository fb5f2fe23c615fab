package child

import (
	"strconv"
	"strings"
	"testing"
)

// TestDirConfigCacheBounded: the static handler asks the site about every
// directory prefix of every path it misses on, so the answers a site keeps
// must be bounded, while the answers stay right past the bound.
func TestDirConfigCacheBounded(t *testing.T) {
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\n<Directory htdocs/list>\n    Options Indexes\n</Directory>\n", nil)
	s := tc.ch.main
	root := tc.ch.cfg.Server.DocumentRoot
	long := strings.Repeat("x", 4000)
	for i := 0; i < 1000; i++ {
		dir := root + "/" + long + strconv.Itoa(i)
		if dc := s.DirConfig(dir); dc.Indexes || !dc.FollowSymLinks {
			t.Fatalf("%d: got %+v, want the defaults", i, dc)
		}
	}
	var n, bytes int
	s.dirCache.Range(func(k, _ any) bool {
		n++
		bytes += len(k.(string))
		return true
	})
	if bytes > dirCacheMaxBytes || s.dirCacheBytes.Load() != int64(bytes) {
		t.Errorf("got %d entries of %d bytes (counted %d), want at most %d bytes", n, bytes, s.dirCacheBytes.Load(), dirCacheMaxBytes)
	}
	for _, tc := range []struct {
		dir     string
		indexes bool
	}{
		{dir: root + "/list", indexes: true},
		{dir: root + "/list/sub", indexes: true},
		{dir: root + "/other", indexes: false},
	} {
		if got := s.DirConfig(tc.dir).Indexes; got != tc.indexes {
			t.Errorf("%s: got Indexes %v, want %v", tc.dir, got, tc.indexes)
		}
	}
}
