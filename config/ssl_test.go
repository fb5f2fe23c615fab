package config

import (
	"crypto/tls"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"eventmpm/internal/itest"
)

// TestParseSSLProtocol: mod_ssl's left-to-right reading of SSLProtocol,
// into the one range crypto/tls takes.
func TestParseSSLProtocol(t *testing.T) {
	for _, tc := range []struct {
		words      string
		minV, maxV uint16
		err        string
	}{
		{"all", tls.VersionTLS10, tls.VersionTLS13, ""},
		{"all -SSLv3", tls.VersionTLS10, tls.VersionTLS13, ""},
		{"all -SSLv3 -TLSv1 -TLSv1.1", tls.VersionTLS12, tls.VersionTLS13, ""},
		{"-all +TLSv1.2 +TLSv1.3", tls.VersionTLS12, tls.VersionTLS13, ""},
		{"TLSv1.2", tls.VersionTLS12, tls.VersionTLS12, ""},
		{"+TLSv1.3", tls.VersionTLS13, tls.VersionTLS13, ""}, // a first word with + adds to nothing
		{"all -TLSv1.3", tls.VersionTLS10, tls.VersionTLS12, ""},
		{"TLSv1.3 TLSv1.2", tls.VersionTLS12, tls.VersionTLS12, ""}, // a word without a sign starts over
		{"all -TLSv1.2", 0, 0, "must be a range"},
		{"-all", 0, 0, "no protocol is left enabled"},
		{"SSLv3", 0, 0, "SSLv3 is not supported"},
		{"all TLSv9", 0, 0, "Illegal protocol 'TLSv9'"},
	} {
		minV, maxV, err := ParseSSLProtocol(strings.Fields(tc.words))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.words, err, tc.err)
			}
			continue
		}
		if err != nil || minV != tc.minV || maxV != tc.maxV {
			t.Errorf("%q: %x-%x, %v; want %x-%x", tc.words, minV, maxV, err, tc.minV, tc.maxV)
		}
	}
}

// TestParseCipherSuite: OpenSSL names map to crypto/tls's suites; keyword
// expressions are not evaluated (ok false).
func TestParseCipherSuite(t *testing.T) {
	ids, unknown, ok := ParseCipherSuite("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:" +
		"DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:AES256-GCM-SHA384:TLS_AES_128_GCM_SHA256")
	want := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}
	// Go has no DHE suites, and its plain-RSA ones are insecure (no
	// forward secrecy): both are left out.
	if wantUnknown := []string{"DHE-RSA-AES128-GCM-SHA256", "AES256-GCM-SHA384"}; !ok || !slices.Equal(ids, want) || !slices.Equal(unknown, wantUnknown) {
		t.Errorf("names: %x %q %v; want %x %q true", ids, unknown, ok, want, wantUnknown)
	}
	for _, spec := range []string{"HIGH:!aNULL", "EECDH+AESGCM:EDH+AESGCM", "DEFAULT", "!MD5:ECDHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES128-GCM-SHA256"} {
		if _, _, ok := ParseCipherSuite(spec); ok {
			t.Errorf("%q taken as a list of suites", spec)
		}
	}
}

// sslRoot is a ServerRoot with a certificate pair under conf/.
func sslRoot(t *testing.T) (root, crt, key string) {
	root = t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	crt, key, _ = itest.SelfSigned(t, filepath.Join(root, "conf"), "site", "www.example.test")
	return root, crt, key
}

func loadSSL(t *testing.T, root, conf string) (*Config, error) {
	t.Helper()
	writeTestFile(t, root, "conf/eventmpm.conf", conf)
	writeTestFile(t, root, "htdocs/", "")
	return Load(Options{ServerRoot: root, LookupEnv: func(string) (string, bool) { return "", false },
		Hostname: func() (string, error) { return "test.example", nil }, LookupHost: fakeHosts})
}

// TestSSLConfig: certificates are read at load time (a child running as
// User could not read a root-only key), virtual hosts inherit the main
// server's settings, and every mistake names its line.
func TestSSLConfig(t *testing.T) {
	root, crt, key := sslRoot(t)
	other, otherKey, _ := itest.SelfSigned(t, filepath.Join(root, "conf"), "other", "other.example.test")
	const head = "LoadModule ssl_module m.so\nListen 8443\nListen 8080\nServerName main.test\n"
	cfg, err := loadSSL(t, root, head+`SSLProtocol -all +TLSv1.2 +TLSv1.3
SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384
SSLCertificateFile conf/site.crt
SSLCertificateKeyFile conf/site.key
<VirtualHost *:8443>
ServerName www.example.test
SSLEngine on
</VirtualHost>
<VirtualHost *:8443>
ServerName other.example.test
SSLEngine on
SSLCertificateFile `+other+`
SSLCertificateKeyFile `+otherKey+`
SSLSessionTickets off
<Directory />
SSLOptions +StdEnvVars
</Directory>
</VirtualHost>
<VirtualHost *:8080>
ServerName plain.test
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.SSL != nil {
		t.Errorf("main server without SSLEngine on kept SSL settings")
	}
	v0, v1, v2 := cfg.VirtualHosts[0].Server, cfg.VirtualHosts[1].Server, cfg.VirtualHosts[2].Server
	if v0.SSL == nil || len(v0.SSL.Certs) != 1 || v0.SSL.Certs[0].CertFile != crt || v0.Scheme != "https" {
		t.Fatalf("first host: %+v scheme %q", v0.SSL, v0.Scheme)
	}
	if v0.SSL.MinVersion != tls.VersionTLS12 || v0.SSL.MaxVersion != tls.VersionTLS13 || len(v0.SSL.CipherSuites) != 2 || v0.SSL.NoTickets {
		t.Errorf("first host did not inherit the main server's settings: %+v", v0.SSL)
	}
	if v1.SSL == nil || v1.SSL.Certs[0].CertFile != other || !v1.SSL.NoTickets {
		t.Errorf("second host: %+v", v1.SSL)
	}
	if i := slices.IndexFunc(v1.Sections, func(s Section) bool { return s.SSLOptions != nil }); i < 0 || v1.Sections[i].SSLOptions.Merge(0) != SSLStdEnvVars {
		t.Errorf("SSLOptions +StdEnvVars not in the second host's <Directory>")
	}
	if v2.SSL != nil || v2.Scheme != "" {
		t.Errorf("plain host: %+v scheme %q", v2.SSL, v2.Scheme)
	}
	b, err := cfg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal(b)
	if err != nil || string(back.VirtualHosts[1].Server.SSL.Certs[0].KeyPEM) != string(v1.SSL.Certs[0].KeyPEM) {
		t.Errorf("the key did not survive the snapshot: %v", err)
	}

	for _, tc := range []struct{ conf, want string }{
		{"SSLEngine on\n", "Invalid command 'SSLEngine'"}, // no LoadModule
		{head + "SSLEngine on\n", "line 5 of|AH02572: Failed to configure at least one certificate and key for main.test"},
		{head + "SSLCertificateFile conf/none.crt\n", "line 5 of|SSLCertificateFile: file '" + filepath.Join(root, "conf/none.crt") + "' does not exist or is empty"},
		{head + "SSLEngine on\nSSLCertificateFile conf/site.crt\nSSLCertificateKeyFile " + otherKey + "\n", "line 7 of|AH02565: Certificate and private key from"},
		{head + "SSLEngine on\nSSLCertificateFile conf/site.key\n", "line 6 of|" + key + " holds no PEM or DER certificate"},
		{head + "SSLEngine optional\n", "line 5 of|SSLEngine optional (an RFC 2817 upgrade to TLS) is not supported"},
		{head + "SSLProtocol all -TLSv1.2\n", "must be a range"},
		{head + "SSLEngine on\nSSLCertificateFile conf/site.crt\nSSLCertificateKeyFile conf/site.key\nSSLVerifyClient require\n",
			"line 5 of|SSLVerifyClient require for main.test (the main server) needs SSLCACertificateFile"},
		{head + "<Directory />\nSSLVerifyClient require\n</Directory>\n", "SSLVerifyClient require in a directory section is not supported by eventmpm (it needs a renegotiation)"},
		{head + "SSLVerifyClient sometimes\n", "SSLVerifyClient: Invalid argument 'sometimes'"},
		{head + "SSLCACertificateFile /x\n", "SSLCACertificateFile: file '/x' does not exist or is empty"},
		{head + "SSLCARevocationFile /x\n", "SSLCARevocationFile is not supported by eventmpm: it checks no certificate revocation lists"},
		{head + "SSLUserName REMOTE_ADDR\n", "SSLUserName REMOTE_ADDR: eventmpm takes one of mod_ssl's SSL_ variables"},
		{head + "SSLOptions +StdEnvVars ExportCertData\n", "Either all Options must start with + or -, or no Option may."},
		{head + "SSLOptions +FakeBasicAuth\n", "SSLOptions FakeBasicAuth is not supported"},
		{head + "SSLOptions +Bogus\n", "SSLOptions: Illegal option 'Bogus'"},
		{head + "SSLCompression on\n", "SSLCompression on is not supported"},
		{head + "SSLProxyVerify optional\n", "SSLProxyVerify optional is not supported by eventmpm: use none or require"},
		{head + "SSLProxyCACertificateFile conf/none.pem\n", "SSLProxyCACertificateFile: file '"},
		{head + "SSLProxyCACertificateFile conf/site.key\n", "holds no PEM or DER certificate"},
		{head + "SSLProxyMachineCertificateFile conf/site.crt\n", "SSLProxyMachineCertificateFile is not supported by eventmpm"},
		{head + "<Directory />\nSSLRequireSSL\n</Directory>\n", "SSLRequireSSL is not supported by eventmpm: use Require expr %{HTTPS} == 'on'"},
	} {
		_, err := loadSSL(t, root, tc.conf)
		for _, want := range strings.Split(tc.want, "|") {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%q: err %v, want %q", tc.conf, err, want)
			}
		}
	}
}

// TestSSLWarnings: directives that mean nothing to Go's TLS are taken
// with a warning that says what eventmpm does instead.
func TestSSLWarnings(t *testing.T) {
	root, _, _ := sslRoot(t)
	cfg, err := loadSSL(t, root, `LoadModule ssl_module m.so
Listen 8443
SSLEngine on
SSLCertificateFile conf/site.crt
SSLCertificateKeyFile conf/site.key
SSLCipherSuite HIGH:!aNULL
SSLHonorCipherOrder on
SSLSessionCache shmcb:/var/run/ssl_scache(512000)
SSLRandomSeed startup builtin
SSLUseStapling on
`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range cfg.Warnings {
		got = append(got, w.Located())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"eventmpm.conf:6: SSLCipherSuite HIGH:!aNULL: eventmpm does not evaluate OpenSSL's cipher expressions",
		"eventmpm.conf:7: SSLHonorCipherOrder", "eventmpm.conf:8: SSLSessionCache", "eventmpm.conf:9: SSLRandomSeed",
		"eventmpm.conf:10: SSLUseStapling on has no effect"} {
		if !strings.Contains(all, want) {
			t.Errorf("no warning %q in\n%s", want, all)
		}
	}
}

// FuzzParseSSL: SSLProtocol's and SSLCipherSuite's parsers never panic,
// a protocol range they accept is a valid one, and every suite taken is
// one crypto/tls offers.
func FuzzParseSSL(f *testing.F) {
	for _, s := range []string{"all -SSLv3", "-all +TLSv1.2 +TLSv1.3", "TLSv1.3 TLSv1.2", "+TLSv1.1 -TLSv1.1",
		"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305", "HIGH:!aNULL", "TLS_AES_128_GCM_SHA256", ""} {
		f.Add(s)
	}
	secure := map[uint16]bool{}
	for _, cs := range tls.CipherSuites() {
		secure[cs.ID] = true
	}
	f.Fuzz(func(t *testing.T, s string) {
		minV, maxV, err := ParseSSLProtocol(strings.Fields(s))
		if err == nil && (minV < tls.VersionTLS10 || maxV > tls.VersionTLS13 || minV > maxV) {
			t.Errorf("SSLProtocol %q: range %x-%x", s, minV, maxV)
		}
		ids, _, ok := ParseCipherSuite(s)
		if ok && len(ids) == 0 {
			t.Errorf("SSLCipherSuite %q: ok without a suite", s)
		}
		for _, id := range ids {
			if !secure[id] {
				t.Errorf("SSLCipherSuite %q: suite %x is not one of crypto/tls's secure suites", s, id)
			}
		}
	})
}

// TestSSLProxyConfig: https:// and wss:// backends with SSLProxyEngine
// on, whose settings a virtual host inherits, and the CA file read at
// load time.
func TestSSLProxyConfig(t *testing.T) {
	root, crt, _ := sslRoot(t)
	cfg, err := loadSSL(t, root, `LoadModule ssl_module m.so
LoadModule proxy_module m.so
LoadModule proxy_http_module m.so
Listen 8080
ServerName main.test
SSLProxyEngine on
SSLProxyVerify require
SSLProxyCACertificateFile `+crt+`
SSLProxyCheckPeerName off
ProxyPass /api/ https://backend.test:8443/v1/
ProxyPass /ws/ wss://backend.test/ws/
<VirtualHost *:8080>
ServerName v.test
SSLProxyProtocol -all +TLSv1.3
ProxyPass /x/ https://other.test/
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Server.Proxy.Passes
	if !p[0].TLS || p[0].Host != "backend.test:8443" || p[0].HostName != "backend.test:8443" || !p[1].TLS || !p[1].WebSocket || p[1].Host != "backend.test:443" || p[1].HostName != "backend.test" {
		t.Errorf("passes: %+v", p)
	}
	sp := cfg.Server.SSLProxy
	if !sp.Engine || !sp.Verify || !sp.NoCheckName || sp.NoCheckExpire || !containsPEM(sp.CAs) {
		t.Errorf("main server's SSLProxy: %+v", sp)
	}
	vp := cfg.VirtualHosts[0].Server.SSLProxy
	if vp == nil || !vp.Engine || !vp.Verify || !vp.NoCheckName || vp.MinVersion != tls.VersionTLS13 {
		t.Errorf("virtual host's SSLProxy (inherited, and its own protocol): %+v", vp)
	}
}

func containsPEM(b []byte) bool { return strings.Contains(string(b), "-----BEGIN CERTIFICATE-----") }

// TestSSLDER: certificate and key files in DER, which mod_ssl takes as
// well as PEM, are read and matched like PEM ones.
func TestSSLDER(t *testing.T) {
	root, crt, key := sslRoot(t)
	for _, f := range []struct{ from, to string }{{crt, "conf/site.der"}, {key, "conf/site-key.der"}} {
		b, err := os.ReadFile(f.from)
		if err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode(b)
		writeTestFile(t, root, f.to, string(blk.Bytes))
	}
	cfg, err := loadSSL(t, root, "LoadModule ssl_module m.so\nListen 8443\nServerName main.test\nSSLEngine on\n"+
		"SSLCertificateFile conf/site.der\nSSLCertificateKeyFile conf/site-key.der\n")
	if err != nil {
		t.Fatal(err)
	}
	ck := cfg.Server.SSL.Certs[0]
	if _, err := tls.X509KeyPair(ck.CertPEM, ck.KeyPEM); err != nil {
		t.Errorf("the DER pair as PEM: %v", err)
	}
}
