package static_test

import (
	"strings"
	"sync/atomic"
	"testing"

	"eventmpm/child/static"
)

// countingResolver wraps testResolver, counts DirConfig calls and, when
// depth >= 0, declares itself depth-bounded.
type countingResolver struct {
	testResolver
	calls *atomic.Int64
	depth int
}

func (r countingResolver) DirConfig(dir string) static.DirConfig {
	r.calls.Add(1)
	return r.testResolver.DirConfig(dir)
}

type boundedResolver struct{ countingResolver }

func (r boundedResolver) DirDepth() int { return r.depth }

// deepTarget is a request path of n segments under dir ("/sub/a/a/.../x").
func deepTarget(dir string, n int) string {
	return dir + strings.Repeat("/a", n-1) + "/x"
}

// TestDeepPathBoundedLookups: a request for a path of thousands of
// segments, below a tree whose <Directory> sections are all shallow, asks
// the resolver about the first few directories only, and answers as a
// shallow miss does (404). Without the bound the handler asked once per
// segment, with a string the length of the path each time: quadratic.
func TestDeepPathBoundedLookups(t *testing.T) {
	s := buildSite(t)
	const segs = 2000
	for _, tt := range []struct {
		name     string
		bounded  bool
		maxCalls int64
	}{
		{name: "bounded", bounded: true, maxCalls: 4},
		{name: "unbounded", bounded: false, maxCalls: segs + 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int64
			cr := countingResolver{testResolver: siteResolver(s.root), calls: &calls, depth: strings.Count(s.root, "/") + 1}
			var res static.Resolver = cr
			if tt.bounded {
				res = boundedResolver{cr}
			}
			h, err := static.New(static.Options{DocumentRoot: s.root, Resolver: res, CacheMaxEntries: 16})
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			if got := serve(t, h, "GET", deepTarget("/sub", segs)); got.Status != 404 {
				t.Fatalf("status %d, want 404", got.Status)
			}
			if n := calls.Load(); n > tt.maxCalls || (tt.bounded && n == 0) {
				t.Errorf("%d DirConfig calls for a %d-segment path, want 1..%d", n, segs, tt.maxCalls)
			}
			// The bound must not change answers: the shallow part still
			// resolves through the resolver.
			if got := serve(t, h, "GET", "/sub/"); got.Status == 404 {
				t.Errorf("/sub/: status %d", got.Status)
			}
		})
	}
}

// BenchmarkServeDeepPath is the cost of a miss on a 2,000-segment path
// (about 4 KB, within LimitRequestLine) with a depth-bounded resolver.
func BenchmarkServeDeepPath(b *testing.B) {
	s := buildSite(b)
	var calls atomic.Int64
	res := boundedResolver{countingResolver{testResolver: siteResolver(s.root), calls: &calls, depth: strings.Count(s.root, "/") + 1}}
	h, err := static.New(static.Options{DocumentRoot: s.root, Resolver: res, CacheMaxEntries: 16})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	target := deepTarget("/sub", 2000)
	b.ReportAllocs()
	for b.Loop() {
		serve(b, h, "GET", target)
	}
}
