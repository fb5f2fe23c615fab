package config

import (
	"net/netip"
	"slices"
	"testing"
)

func TestHostPatternMatch(t *testing.T) {
	tests := []struct {
		name  string // ServerName, or the ServerAlias when alias is set
		alias bool
		host  string
		want  bool
	}{
		{name: "www.example.com", host: "www.example.com", want: true},
		{name: "www.example.com", host: "WWW.Example.COM", want: true},
		{name: "WWW.example.com", host: "www.example.com", want: true},
		{name: "www.example.com", host: "www.example.co", want: false},
		{name: "www.example.com", host: "", want: false},
		{name: "[::1]", host: "::1", want: true},
		{name: "*.example.com", host: "*.example.com", want: true}, // a ServerName is literal
		{name: "*.example.com", host: "a.example.com", want: false},
		{name: "*.example.com", alias: true, host: "a.example.com", want: true},
		{name: "*.example.com", alias: true, host: "A.B.Example.com", want: true},
		{name: "*.example.com", alias: true, host: "example.com", want: false},
		{name: "*.example.com", alias: true, host: ".example.com", want: true},
		{name: "*", alias: true, host: "anything.at.all", want: true},
		{name: "*", alias: true, host: "", want: false},
		{name: "w?.example.com", alias: true, host: "w1.example.com", want: true},
		{name: "w?.example.com", alias: true, host: "w.example.com", want: false},
		{name: "w?.example.com", alias: true, host: "w12.example.com", want: false},
		{name: "*a*b", alias: true, host: "xaxxbxb", want: true},
		{name: "*a*b", alias: true, host: "xaxxbx", want: false},
		{name: "a**", alias: true, host: "a", want: true},
		{name: "[ab].example", alias: true, host: "a.example", want: false}, // only * and ? are wildcards
		{name: "[ab].example", alias: true, host: "[ab].example", want: true},
		{name: "example.com", alias: true, host: "EXAMPLE.com", want: true},
	}
	for _, tt := range tests {
		s := Server{ServerName: tt.name}
		if tt.alias {
			s = Server{ServerAlias: []string{tt.name}}
		}
		p := s.HostPatterns()
		if len(p) != 1 {
			t.Fatalf("%+v: got %d patterns, want 1", s, len(p))
		}
		if got := p[0].Match(tt.host); got != tt.want {
			t.Errorf("%q (alias %v).Match(%q): got %v, want %v", tt.name, tt.alias, tt.host, got, tt.want)
		}
		if got := p[0].MatchBytes([]byte(tt.host)); got != tt.want {
			t.Errorf("%q (alias %v).MatchBytes(%q): got %v, want %v", tt.name, tt.alias, tt.host, got, tt.want)
		}
	}
}

func TestTrimHost(t *testing.T) {
	tests := []struct{ in, want string }{
		{"example.com", "example.com"},
		{"Example.COM", "Example.COM"},
		{"example.com:8080", "example.com"},
		{"example.com:", "example.com"},
		{"example.com.", "example.com"},
		{"example.com.:80", "example.com"},
		{"[::1]:8080", "::1"},
		{"[::1]", "::1"},
		{"[::1", "[::1"},
		{"127.0.0.1:80", "127.0.0.1"},
		{"a:b", "a:b"},
		{"", ""},
		{".", ""},
	}
	for _, tt := range tests {
		if got := TrimHost(tt.in); got != tt.want {
			t.Errorf("TrimHost(%q): got %q, want %q", tt.in, got, tt.want)
		}
		if got := string(TrimHost([]byte(tt.in))); got != tt.want {
			t.Errorf("TrimHost([]byte(%q)): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestVirtualHostsOn(t *testing.T) {
	cfg := &Config{VirtualHosts: []VirtualHost{
		{Addrs: []string{"*:80"}},                     // 0
		{Addrs: []string{"127.0.0.1:80"}},             // 1
		{Addrs: []string{"_default_:80", "10.0.0.1"}}, // 2: any port on 10.0.0.1
		{Addrs: []string{"127.0.0.1:8080", "*:8080"}}, // 3
		{Addrs: []string{"[::1]:80", "127.0.0.1:*"}},  // 4
		{Addrs: []string{"www.example.com:80"}},       // 5: a name matches nothing
	}}
	tests := []struct {
		port  int
		local string
		want  []int
	}{
		{port: 80, local: "127.0.0.1", want: []int{1, 4}},
		{port: 80, local: "::ffff:127.0.0.1", want: []int{1, 4}},
		{port: 80, local: "::1", want: []int{4}},
		{port: 80, local: "10.0.0.1", want: []int{2}},
		{port: 80, local: "192.0.2.1", want: []int{0, 2}},
		{port: 8080, local: "127.0.0.1", want: []int{3, 4}},
		{port: 8080, local: "192.0.2.1", want: []int{3}},
		{port: 9090, local: "10.0.0.1", want: []int{2}},
		{port: 9090, local: "192.0.2.1", want: nil},
	}
	for _, tt := range tests {
		got := cfg.VirtualHostsOn(tt.port).For(netip.MustParseAddr(tt.local))
		if !slices.Equal(got, tt.want) {
			t.Errorf("VirtualHostsOn(%d).For(%s): got %v, want %v", tt.port, tt.local, got, tt.want)
		}
	}
}
