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
	for _, tt := range []struct {
		conf        string
		main, vhost int
		err         string // "" for none
	}{
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
	} {
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
		if got, vh := cfg.Server.MaxRanges, cfg.VirtualHosts[0].Server.MaxRanges; got != tt.main || vh != tt.vhost {
			t.Errorf("%q: MaxRanges %d, virtual host %d; want %d, %d", tt.conf, got, vh, tt.main, tt.vhost)
		}
	}
}
