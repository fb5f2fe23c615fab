package config

import (
	"net/netip"
	"reflect"
	"strings"
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
		Orders: []OrderLine{{Order: OrderAllowDeny}},
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
		Satisfies: []SatisfyLine{{Satisfy: SatisfyAny}},
	}
	if got := secs[0].Compat; !reflect.DeepEqual(got, want) {
		t.Errorf("<Directory>: %+v\nwant %+v", got, want)
	}
	if got, want := secs[1].Compat, (&AccessCompat{Allow: []HostMatch{{Kind: HostAll}}}); !reflect.DeepEqual(got, want) {
		t.Errorf("<Location>: %+v, want %+v (order deny,allow by default)", got, want)
	}
	if got, want := secs[2].Compat, (&AccessCompat{Satisfies: []SatisfyLine{{Satisfy: SatisfyAll}}}); !reflect.DeepEqual(got, want) {
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

// TestLimitSections: the access lines inside <Limit> and <LimitExcept>
// carry their methods, nested sections narrow them, other directives
// inside apply to every method, and the errors are Apache's.
func TestLimitSections(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
<Directory /srv>
  <Limit GET POST>
    Require all granted
    Order allow,deny
    Allow from 10.0.0.0/8
    <LimitExcept POST>
      Require all denied
    </LimitExcept>
    DirectoryIndex start.html
  </Limit>
  <LimitExcept GET>
    <LimitExcept PUT>
      Satisfy any
    </LimitExcept>
  </LimitExcept>
  Deny from all
</Directory>
`)
	if err != nil {
		t.Fatal(err)
	}
	sec := cfg.Server.Sections[0]
	getPost := &MethodSet{Names: []string{"GET", "POST"}}
	rules := sec.Require.Rules
	if len(rules) != 2 || !reflect.DeepEqual(rules[0].Methods, getPost) || !reflect.DeepEqual(rules[1].Methods, &MethodSet{Names: []string{"GET"}}) {
		t.Errorf("Require rules: %+v %+v", rules[0].Methods, rules[1].Methods)
	}
	ac := sec.Compat
	if !reflect.DeepEqual(ac.Orders, []OrderLine{{Order: OrderAllowDeny, Methods: getPost}}) ||
		!reflect.DeepEqual(ac.Allow[0].Methods, getPost) || ac.Deny[0].Methods != nil ||
		!reflect.DeepEqual(ac.Satisfies[0].Methods, &MethodSet{Names: []string{"GET", "PUT"}, Except: true}) {
		t.Errorf("compat: %+v", ac)
	}
	if !reflect.DeepEqual(sec.DirectoryIndex, []string{"start.html"}) {
		t.Errorf("DirectoryIndex inside <Limit>: %v, want it for every method", sec.DirectoryIndex)
	}
	for _, tt := range []struct {
		set    *MethodSet
		method string
		want   bool
	}{
		{nil, "DELETE", true},
		{getPost, "GET", true},
		{getPost, "HEAD", true}, // HEAD is GET to <Limit>
		{&MethodSet{Names: []string{"HEAD"}}, "HEAD", false},
		{getPost, "PUT", false},
		{&MethodSet{Names: []string{"GET"}, Except: true}, "HEAD", false},
		{&MethodSet{Names: []string{"GET"}, Except: true}, "OPTIONS", true},
		{&MethodSet{Names: []string{"get"}}, "GET", false},
	} {
		if got := tt.set.Includes([]byte(tt.method)); got != tt.want {
			t.Errorf("%v includes %s: %v, want %v", tt.set, tt.method, got, tt.want)
		}
	}
}

// TestLimitErrors: Apache's messages, compared with Debian's apache2 -t.
func TestLimitErrors(t *testing.T) {
	expectLoadErrors(t, []loadErrorCase{
		{"<VirtualHost *:80>\n<Limit GET>\n</Limit>\n</VirtualHost>", "<Limit not allowed in <VirtualHost> context"},
		{"<Directory /x>\n<Limit>\n</Limit>\n</Directory>", "<Limit> directive requires additional arguments"},
		{"<Directory /x>\n<LimitExcept>\n</LimitExcept>\n</Directory>", "<LimitExcept> directive requires additional arguments"},
		{"<Directory /x>\n<Limit TRACE>\n</Limit>\n</Directory>", "TRACE cannot be controlled by <Limit>, see TraceEnable"},
		{"<Directory /x>\n<Limit GET\n</Limit>\n</Directory>", "<Limit> directive missing closing '>'"},
	})
	for _, tt := range []struct{ conf, want string }{
		{"<Limit GET>\nRequire all granted\n</Limit>", "<Limit not allowed here"},
		{"<Directory /x>\n<Limit GET>\n<Limit POST>\n</Limit>\n</Limit>\n</Directory>", "<Limit> directive excludes all methods"},
		{"<Directory /x>\n<Limit GET>\n<Limit GET POST>\n</Limit>\n</Limit>\n</Directory>", "<Limit> directive specifies methods already excluded"},
		{"<Directory /x>\n<Limit GET>\nListen 81\n</Limit>\n</Directory>", "Listen not allowed in <Limit> context"},
	} {
		if _, err := loadFile(t, "Listen 80\n"+tt.conf+"\n"); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.conf, err, tt.want)
		}
	}
}
