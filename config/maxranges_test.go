package config

import (
	"math"
	"strings"
	"testing"
)

// TestMaxRanges: MaxRanges takes Apache's values for the server and a
// virtual host (which inherits the server's unless it sets its own), and
// refuses a value Apache refuses and any directory section, naming them.
func TestMaxRanges(t *testing.T) {
	checkServerSetting(t, func(s *Server) int { return s.MaxRanges }, []settingCase[int]{
		{conf: "", main: 0, vhost: 0},
		{conf: "MaxRanges default\n", main: 0, vhost: 0},
		{conf: "MaxRanges none\n", main: MaxRangesNone, vhost: MaxRangesNone},
		{conf: "MaxRanges UNLIMITED\n", main: math.MaxInt, vhost: math.MaxInt},
		{conf: "MaxRanges 1\n", main: 1, vhost: 1},
		{conf: "MaxRanges 5\n<VirtualHost *:80>\nServerName v.example\nMaxRanges none\n</VirtualHost>\n", main: 5, vhost: MaxRangesNone},
		{conf: "MaxRanges 0\n", err: "MaxRanges requires 'none', 'default', 'unlimited' or a positive integer"},
		{conf: "MaxRanges -3\n", err: "MaxRanges requires 'none', 'default', 'unlimited' or a positive integer"},
		{conf: "MaxRanges lots\n", err: "MaxRanges requires 'none', 'default', 'unlimited' or a positive integer"},
		{conf: "<Directory /srv>\nMaxRanges none\n</Directory>\n", err: "MaxRanges in <Directory> is not supported by eventmpm: it applies to a whole server or virtual host"},
		{conf: "<Location /x>\nMaxRanges 1\n</Location>\n", err: "MaxRanges in <Location> is not supported by eventmpm"},
	})
}

// settingCase is a configuration fragment and the value one setting
// should then have in the main server and in a virtual host, or the error
// (with the file's name) the fragment should give.
type settingCase[T comparable] struct {
	conf        string
	main, vhost T
	err         string // "" for none
}

// checkServerSetting loads each case's fragment, with a virtual host of
// no settings of its own appended unless the fragment has one, and
// compares get of the main server and of the first virtual host.
func checkServerSetting[T comparable](t *testing.T, get func(*Server) T, cases []settingCase[T]) {
	t.Helper()
	for _, tt := range cases {
		if !strings.Contains(tt.conf, "<VirtualHost") {
			tt.conf += "<VirtualHost *:80>\nServerName v.example\n</VirtualHost>\n"
		}
		cfg, err := loadFile(t, "Listen 80\nServerName x.example\n"+tt.conf)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "eventmpm.conf") {
				t.Errorf("%q: error %v, want %q with the file's name", tt.conf, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.conf, err)
			continue
		}
		if got, vh := get(&cfg.Server), get(&cfg.VirtualHosts[0].Server); got != tt.main || vh != tt.vhost {
			t.Errorf("%q: %v, virtual host %v; want %v, %v", tt.conf, got, vh, tt.main, tt.vhost)
		}
	}
}
