package config

import (
	"net/netip"
	"reflect"
	"testing"
)

// TestAccessCompatParse: Order, Allow, Deny and Satisfy fill the section's
// settings word by word, any case, as mod_access_compat reads them.
func TestAccessCompatParse(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
SetEnvIf User-Agent good good_bot
<Directory /srv>
  Order Allow,Deny
  ALLOW FROM 10.1 192.168.0.0/255.255.0.0 2001:db8::/32 env=good_bot
  deny from env=!good_bot 10.1.2.3
  Satisfy Any
</Directory>
<Location /open>
  Allow from all
</Location>
<Files secret>
  Satisfy all
</Files>
`)
	if err != nil {
		t.Fatal(err)
	}
	secs := cfg.Server.Sections
	if len(secs) != 3 {
		t.Fatalf("%d sections, want 3", len(secs))
	}
	want := &AccessCompat{
		Order: OrderAllowDeny,
		Allow: []HostMatch{
			{Kind: HostIP, Net: netip.MustParsePrefix("10.1.0.0/16")},
			{Kind: HostIP, Net: netip.MustParsePrefix("192.168.0.0/16")},
			{Kind: HostIP, Net: netip.MustParsePrefix("2001:db8::/32")},
			{Kind: HostEnv, Env: "good_bot"},
		},
		Deny: []HostMatch{
			{Kind: HostNotEnv, Env: "good_bot"},
			{Kind: HostIP, Net: netip.MustParsePrefix("10.1.2.3/32")},
		},
		Satisfy: SatisfyAny,
	}
	if got := secs[0].Compat; !reflect.DeepEqual(got, want) {
		t.Errorf("<Directory>: %+v\nwant %+v", got, want)
	}
	if got, want := secs[1].Compat, (&AccessCompat{Allow: []HostMatch{{Kind: HostAll}}}); !reflect.DeepEqual(got, want) {
		t.Errorf("<Location>: %+v, want %+v (order deny,allow by default)", got, want)
	}
	if got, want := secs[2].Compat, (&AccessCompat{Satisfy: SatisfyAll}); !reflect.DeepEqual(got, want) {
		t.Errorf("<Files>: %+v, want %+v", got, want)
	}
	if cfg.Server.Sections[0].Require != nil {
		t.Errorf("Require set by host rules")
	}
}

// TestAccessCompatErrors: each message is the one Debian's apache2 -t gives
// for the same line (compared side by side), except for host names, which
// eventmpm cannot match without DNS.
func TestAccessCompatErrors(t *testing.T) {
	expectLoadErrors(t, []loadErrorCase{
		{"Order deny,allow", "order not allowed here"},
		{"Allow from all", "allow not allowed here"},
		{"<VirtualHost *:80>\nDeny from all\n</VirtualHost>", "deny not allowed in <VirtualHost> context"},
		{"<Directory /x>\nAllow 127.0.0.1 x\n</Directory>", "allow and deny must be followed by 'from'"},
		{"<Directory /x>\nAllow from\n</Directory>", "allow requires at least two arguments, 'from' followed by hostnames or IP-address wildcards"},
		{"<Directory /x>\nOrder allow, deny\n</Directory>", "order takes one argument, 'allow,deny', 'deny,allow', or 'mutual-failure'"},
		{"<Directory /x>\nOrder foo\n</Directory>", "unknown order"},
		{"<Directory /x>\nSatisfy foo\n</Directory>", "Satisfy either 'any' or 'all'."},
		{"<Directory /x>\nSatisfy\n</Directory>", "Satisfy takes one argument, access policy if both allow and require used ('all' or 'any')"},
		{"<Directory /x>\nAllow from 10.1.2.300\n</Directory>", "The specified IP address is invalid."},
		{"<Directory /x>\nAllow from 1.2.3.4.5\n</Directory>", "The specified IP address is invalid."},
		{"<Directory /x>\nAllow from ::ffff:1.2.3.4\n</Directory>", "The specified IP address is invalid."},
		{"<Directory /x>\nAllow from 10.0.0.0/33\n</Directory>", "The specified network mask is invalid."},
		{"<Directory /x>\nAllow from 0.0.0.0/0\n</Directory>", "The specified network mask is invalid."},
		{"<Directory /x>\nAllow from 10.0.0.0/foo\n</Directory>", "The specified network mask is invalid."},
		{"<Directory /x>\nAllow from example.com/24\n</Directory>", "An IP address was expected"},
		{"<Directory /x>\nDeny from 1.2.3.4 .example.com\n</Directory>", "deny from .example.com: eventmpm does no DNS lookups and cannot match a host name"},
		{"<Directory /x>\nAllow from 10.0.0.0/255.0.255.0\n</Directory>", "eventmpm does not support a network mask with holes"},
	})
}
