package child

import (
	"bytes"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	"eventmpm/child/http1"
	"eventmpm/config"
)

// ripWorker is a worker with just what applyRemoteIP uses: the request's
// fields, its client and a server whose error log discards.
func ripWorker(fields ...string) *worker {
	w := &worker{srv: &site{log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	w.remote = netip.MustParseAddrPort("127.0.0.1:40000")
	for _, f := range fields {
		name, value, _ := strings.Cut(f, ": ")
		w.req.Headers = append(w.req.Headers, http1.Header{Name: []byte(name), Value: []byte(value)})
	}
	return w
}

var ripTestConf = compileRemoteIP(&config.RemoteIP{
	Header: "X-Forwarded-For", ProxiesHeader: "X-Forwarded-By",
	Proxies: []config.RemoteIPProxy{
		{Net: netip.MustParsePrefix("127.0.0.1/32"), Internal: true},
		{Net: netip.MustParsePrefix("10.0.0.0/8"), Internal: true},
		{Net: netip.MustParsePrefix("198.51.100.0/24")},
	},
})

// fields renders the request's fields, one "Name: value" a line.
func (w *worker) fieldsText() string {
	var b strings.Builder
	for _, f := range w.req.Headers {
		b.WriteString(string(f.Name) + ": " + string(f.Value) + "\n")
	}
	return b.String()
}

// TestApplyRemoteIP checks the walk against what Apache 2.4.71 did with
// the same configuration (TestRemoteIP runs most of these end to end),
// and the field edits: the first line keeps its place and takes the rest,
// the other lines go, the proxies field replaces a client's own.
func TestApplyRemoteIP(t *testing.T) {
	for _, tt := range []struct {
		name   string
		fields []string
		remote string
		after  string // the fields after, one a line
	}{
		{"absent", []string{"Accept: */*"}, "127.0.0.1:40000", "Accept: */*\n"},
		{"all taken", []string{"A: 1", "X-Forwarded-For: 203.0.113.5, 198.51.100.7, 10.1.1.1", "B: 2"}, "203.0.113.5:0",
			"A: 1\nB: 2\nX-Forwarded-By: 198.51.100.7\n"},
		{"rest kept in place", []string{"X-Forwarded-For: 10.2.2.2, 198.51.100.7", "B: 2"}, "198.51.100.7:0",
			"X-Forwarded-For: 10.2.2.2\nB: 2\n"},
		{"lines joined", []string{"x-forwarded-for: 203.0.113.5", "B: 2", "X-Forwarded-For: 192.0.2.1"}, "192.0.2.1:0",
			"x-forwarded-for: 203.0.113.5\nB: 2\n"},
		{"client's proxies field replaced", []string{"X-Forwarded-By: forged", "X-Forwarded-For: 203.0.113.5, 198.51.100.7"},
			"203.0.113.5:0", "X-Forwarded-By: 198.51.100.7\n"},
		{"nothing taken leaves the fields", []string{"X-Forwarded-By: mine", "X-Forwarded-For: junk"}, "127.0.0.1:40000",
			"X-Forwarded-By: mine\nX-Forwarded-For: junk\n"},
		{"leading blanks dropped with no comma left", []string{"X-Forwarded-For:   junk"}, "127.0.0.1:40000",
			"X-Forwarded-For:   junk\n"},
		{"empty element", []string{"X-Forwarded-For: 203.0.113.5, ,10.0.0.2"}, "10.0.0.2:0", "X-Forwarded-For: 203.0.113.5, \n"},
		{"leading zero", []string{"X-Forwarded-For: 010.0.0.1"}, "127.0.0.1:40000", "X-Forwarded-For: 010.0.0.1\n"},
		{"zone", []string{"X-Forwarded-For: fe80::1%eth0"}, "127.0.0.1:40000", "X-Forwarded-For: fe80::1%eth0\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := ripWorker(tt.fields...)
			w.applyRemoteIP(nil, ripTestConf)
			if got := w.remote.String(); got != tt.remote {
				t.Errorf("client %s, want %s", got, tt.remote)
			}
			if got := w.fieldsText(); got != tt.after {
				t.Errorf("fields:\n%s\nwant:\n%s", got, tt.after)
			}
		})
	}
}

// TestParseIPv4 compares the allocation-free IPv4 reader with
// netip.ParseAddr.
func TestParseIPv4(t *testing.T) {
	for _, s := range []string{"1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.", ".1.2.3.4",
		"01.2.3.4", "1.2.3.04", "1..2.3", "", "1.2.3.4a", "1234.1.1.1", "0.0.0.00"} {
		checkIPv4(t, s)
	}
}

// FuzzParseIPv4 is TestParseIPv4 on any input.
func FuzzParseIPv4(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "01.2.3.4", "255.255.255.256"} {
		f.Add(s)
	}
	f.Fuzz(checkIPv4)
}

func checkIPv4(t *testing.T, s string) {
	if strings.Contains(s, ":") {
		return
	}
	got, ok := parseIPv4([]byte(s))
	want, err := netip.ParseAddr(s)
	if ok != (err == nil) || ok && got != want {
		t.Errorf("parseIPv4(%q) = %v %v, netip.ParseAddr %v %v", s, got, ok, want, err)
	}
}

// FuzzApplyRemoteIP walks any X-Forwarded-For lines: no panic; a client
// taken is a valid address with port 0; what is left of the field is a
// part of its lines joined; the proxies field lists only trusted proxies.
func FuzzApplyRemoteIP(f *testing.F) {
	f.Add("203.0.113.5, 198.51.100.7, 10.1.1.1", "")
	f.Add("1.2.3.4 , junk  , 198.51.100.7", "192.0.2.1")
	f.Add(" , ,", "::ffff:10.0.0.1, 2001:db8::1")
	f.Fuzz(func(t *testing.T, a, b string) {
		fields := []string{"X-Forwarded-For: " + a}
		joined := a
		if b != "" {
			fields = append(fields, "X-Forwarded-For: "+b)
			joined += ", " + b
		}
		w := ripWorker(fields...)
		w.applyRemoteIP(nil, ripTestConf)
		if w.remote.Port() != 40000 {
			if w.remote.Port() != 0 || !w.remote.Addr().IsValid() || w.remote.Addr().Is4In6() {
				t.Fatalf("client %v", w.remote)
			}
		}
		n := 0
		for _, h := range w.req.Headers {
			switch {
			case bytes.EqualFold(h.Name, []byte("X-Forwarded-For")):
				n++
				if w.remote.Port() == 0 && !strings.Contains(joined, string(h.Value)) {
					t.Fatalf("field left %q, not part of %q", h.Value, joined)
				}
			case bytes.EqualFold(h.Name, []byte("X-Forwarded-By")):
				for _, p := range strings.Split(string(h.Value), ", ") {
					if ok, _ := ripTestConf.trusts(netip.MustParseAddr(p)); !ok {
						t.Fatalf("proxies field names %s", p)
					}
				}
			}
		}
		if w.remote.Port() == 0 && n > 1 {
			t.Fatalf("%d X-Forwarded-For lines left", n)
		}
	})
}

// BenchmarkApplyRemoteIP is a request through two proxies.
func BenchmarkApplyRemoteIP(b *testing.B) {
	w := ripWorker("Host: x", "X-Forwarded-For: 203.0.113.5, 198.51.100.7, 10.1.1.1", "Accept: */*")
	saved := append([]http1.Header(nil), w.req.Headers...)
	b.ReportAllocs()
	for b.Loop() {
		w.req.Headers = append(w.req.Headers[:0], saved...)
		w.remote = netip.MustParseAddrPort("127.0.0.1:40000")
		w.applyRemoteIP(nil, ripTestConf)
	}
}
