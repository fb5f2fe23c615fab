package config

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// SSL is a server's mod_ssl configuration: TLS on the connections whose
// base server (the first <VirtualHost> of their address) has Engine on,
// with the certificates of the server the client names (SNI).
type SSL struct {
	// Engine is SSLEngine on.
	Engine bool `json:",omitempty"`
	// Certs are the server's certificates with their keys, read by the
	// supervisor (as root, before children drop to User): SSLCertificateFile
	// and the SSLCertificateKeyFile of the same rank (the certificate file
	// itself when there is none), SSLCertificateChainFile appended.
	Certs []CertKey `json:",omitempty"`
	// MinVersion and MaxVersion are SSLProtocol's range, as
	// tls.VersionTLS1x values; 0 for Go's defaults.
	MinVersion uint16 `json:",omitempty"`
	MaxVersion uint16 `json:",omitempty"`
	// CipherSuites is an SSLCipherSuite list of OpenSSL names of TLS 1.2
	// suites, as crypto/tls IDs; nil for Go's default suites.
	CipherSuites []uint16 `json:",omitempty"`
	// NoTickets is SSLSessionTickets off.
	NoTickets bool `json:",omitempty"`
	// StrictSNI is SSLStrictSNIVHostCheck on: a client that names no
	// server (no SNI) is refused by this virtual host.
	StrictSNI bool `json:",omitempty"`
	// Options is the server's SSLOptions, the base the sections' merge
	// over.
	Options SSLOptions `json:",omitzero"`
	// VerifyClient is SSLVerifyClient: "" (none), "optional", "require"
	// or "optional_no_ca"; ClientCAs the SSLCACertificateFile's
	// certificates (PEM) a client's must lead to, within VerifyDepth CA
	// certificates above it (SSLVerifyDepth; nil for mod_ssl's default, 1).
	VerifyClient string `json:",omitempty"`
	ClientCAs    []byte `json:",omitempty"`
	VerifyDepth  *int   `json:",omitempty"`
	// UserName is SSLUserName: the variable whose value is the request's
	// user.
	UserName string `json:",omitempty"`

	certFiles, keyFiles []sslFile
	chainFile           sslFile
	enginePos           Pos
	set                 map[string]bool
}

// CertKey is one certificate chain and its private key, PEM.
type CertKey struct {
	CertPEM, KeyPEM []byte
	// CertFile names where the certificate came from, for messages.
	CertFile string
}

// sslFile is a file named by an SSL directive, and where.
type sslFile struct {
	path string
	pos  Pos
}

// SSLOptions are the SSLOptions eventmpm acts on, as flags; a section's
// line either replaces the options (Abs) or adds and removes some.
type SSLOptions struct {
	Abs      bool  `json:",omitempty"`
	Add, Del uint8 `json:",omitempty"`
}

// SSLOptions flags.
const (
	// SSLStdEnvVars gives CGI and FastCGI programs the SSL_* variables.
	SSLStdEnvVars uint8 = 1 << iota
	// SSLExportCertData adds SSL_SERVER_CERT, the server's certificate.
	SSLExportCertData
)

// Merge applies o over the options in effect, base.
func (o SSLOptions) Merge(base uint8) uint8 {
	if o.Abs {
		return o.Add
	}
	return base | o.Add&^o.Del
}

// IsZero reports whether o sets nothing.
func (o SSLOptions) IsZero() bool { return !o.Abs && o.Add == 0 && o.Del == 0 }

// sslConfig is the server's SSL settings being built.
func (w *walker) sslConfig() *SSL {
	if w.srv.srv.SSL == nil {
		w.srv.srv.SSL = &SSL{set: map[string]bool{}}
	}
	return w.srv.srv.SSL
}

// setSSLEngine is SSLEngine on|off. "optional" (RFC 2817's upgrade of a
// plain connection) and addr:port lists are refused.
func setSSLEngine(w *walker, c *call) error {
	s := w.sslConfig()
	switch strings.ToLower(c.args[0]) {
	case "on":
		s.Engine, s.enginePos = true, c.pos
	case "off":
		s.Engine = false
	case "optional":
		return errorf("SSLEngine optional (an RFC 2817 upgrade to TLS) is not supported by eventmpm: use SSLEngine on, on a port of its own")
	default:
		return errorf("SSLEngine: argument must be On, Off, or Optional (eventmpm: On or Off)")
	}
	s.set["Engine"] = true
	return nil
}

// setSSLFile is SSLCertificateFile, SSLCertificateKeyFile and
// SSLCertificateChainFile: the file must exist and not be empty, as
// mod_ssl checks when it reads the line; the supervisor reads it once the
// whole configuration is known (finishSSL).
func setSSLFile(w *walker, c *call) error {
	f, err := sslFileArg(w, c)
	if err != nil {
		return err
	}
	s := w.sslConfig()
	switch strings.ToLower(c.d.name) {
	case "sslcertificatefile":
		s.certFiles = append(s.certFiles, f)
		s.set["Certs"] = true
	case "sslcertificatekeyfile":
		s.keyFiles = append(s.keyFiles, f)
		s.set["Certs"] = true
	default:
		s.chainFile = f
		s.set["Chain"] = true
	}
	return nil
}

// sslFileArg is the file an SSL directive names, relative to ServerRoot:
// it must exist and not be empty, as mod_ssl checks when it reads the line.
func sslFileArg(w *walker, c *call) (sslFile, error) {
	f := sslFile{path: w.l.rootRelative(c.args[0]), pos: c.pos}
	if st, err := os.Stat(f.path); err != nil || st.Size() == 0 || !st.Mode().IsRegular() {
		return f, errorf("%s: file '%s' does not exist or is empty", c.d.name, f.path)
	}
	return f, nil
}

// readCAFile reads the certificates of a CA file an SSL directive names
// (SSLCACertificateFile, SSLProxyCACertificateFile).
func readCAFile(w *walker, c *call) ([]byte, error) {
	f, err := sslFileArg(w, c)
	if err != nil {
		return nil, err
	}
	return readPEM(f, "CERTIFICATE")
}

// tlsVersions are SSLProtocol's protocol names eventmpm can speak.
var tlsVersions = []struct {
	name string
	v    uint16
}{
	{"tlsv1", tls.VersionTLS10},
	{"tlsv1.1", tls.VersionTLS11},
	{"tlsv1.2", tls.VersionTLS12},
	{"tlsv1.3", tls.VersionTLS13},
}

// ParseSSLProtocol reads SSLProtocol's words as mod_ssl does: "all" or a
// protocol, each with an optional + or -, from left to right (a word
// without a sign starts over). SSLv3 is accepted only as "-SSLv3" (Go never
// speaks it). The protocols left must be a contiguous range: crypto/tls
// takes a minimum and a maximum, not a set.
func ParseSSLProtocol(words []string) (minV, maxV uint16, err error) {
	var on [4]bool
	for _, word := range words {
		sign := byte(0)
		if word != "" && (word[0] == '+' || word[0] == '-') {
			sign, word = word[0], word[1:]
		}
		var set [4]bool
		switch lw := strings.ToLower(word); lw {
		case "all":
			set = [4]bool{true, true, true, true}
		case "sslv3", "sslv2":
			if sign != '-' {
				return 0, 0, errorf("SSLProtocol: %s is not supported: it is insecure and Go never speaks it", word)
			}
			continue
		default:
			i := slices.IndexFunc(tlsVersions, func(t struct {
				name string
				v    uint16
			}) bool {
				return t.name == lw
			})
			if i < 0 {
				return 0, 0, errorf("SSLProtocol: Illegal protocol '%s'", word)
			}
			set[i] = true
		}
		if sign == 0 {
			on = [4]bool{}
		}
		for i, b := range set {
			if b {
				on[i] = sign != '-'
			}
		}
	}
	first, last := -1, -1
	for i, b := range on {
		if b {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return 0, 0, errorf("SSLProtocol: no protocol is left enabled")
	}
	for i := first; i <= last; i++ {
		if !on[i] {
			return 0, 0, errorf("SSLProtocol: the protocols enabled must be a range (crypto/tls takes a minimum and a maximum): %s is off between %s and %s",
				tlsVersions[i].name, tlsVersions[first].name, tlsVersions[last].name)
		}
	}
	return tlsVersions[first].v, tlsVersions[last].v, nil
}

func setSSLProtocol(w *walker, c *call) error {
	if len(c.args) == 0 {
		return errorf("SSLProtocol takes one or more arguments, enable or disable these SSL protocols")
	}
	minV, maxV, err := ParseSSLProtocol(c.args)
	if err != nil {
		return err
	}
	s := w.sslConfig()
	s.MinVersion, s.MaxVersion = minV, maxV
	s.set["Protocol"] = true
	return nil
}

// ParseCipherSuite reads an SSLCipherSuite list of OpenSSL suite names
// ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:...") into
// crypto/tls IDs of TLS 1.2 suites, in order. Names of suites Go does not
// offer (DHE, CBC with SHA-384...) are returned in unknown; TLS 1.3 names
// (TLS_AES_128_GCM_SHA256) are skipped, as Go always enables those. ok is
// false when the list uses OpenSSL's keywords and operators (HIGH,
// !aNULL, EECDH+AESGCM, @STRENGTH...), which eventmpm does not evaluate,
// or names no suite Go has: the caller then keeps Go's defaults.
func ParseCipherSuite(spec string) (ids []uint16, unknown []string, ok bool) {
	byName := tls12Suites()
	for _, word := range strings.FieldsFunc(spec, func(r rune) bool { return r == ':' || r == ' ' || r == ',' }) {
		upper := strings.ToUpper(word)
		switch id, found := byName[upper]; {
		case found:
			ids = append(ids, id)
		case strings.HasPrefix(upper, "TLS_"):
		case strings.ContainsAny(word[:1], "!+-@") || strings.Contains(word, "+") || !strings.Contains(word, "-"):
			return nil, nil, false // a keyword or an operator
		default:
			unknown = append(unknown, word)
		}
	}
	return ids, unknown, len(ids) > 0
}

// tls12Suites maps the OpenSSL names of crypto/tls's secure TLS 1.2
// suites to their IDs (made once; never changed after).
var tls12Suites = sync.OnceValue(func() map[string]uint16 {
	byName := map[string]uint16{}
	for _, cs := range tls.CipherSuites() {
		if !slices.Contains(cs.SupportedVersions, tls.VersionTLS13) {
			byName[openSSLName(cs.Name)] = cs.ID
		}
	}
	return byName
})

// openSSLName is the OpenSSL name of a crypto/tls TLS 1.2 suite name:
// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 is ECDHE-ECDSA-AES128-GCM-SHA256,
// TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA is ECDHE-RSA-AES128-SHA and
// TLS_RSA_WITH_AES_128_GCM_SHA256 is AES128-GCM-SHA256.
func openSSLName(goName string) string {
	n := strings.TrimPrefix(goName, "TLS_")
	n = strings.Replace(n, "_WITH_", "_", 1)
	for _, r := range [][2]string{{"AES_128_CBC", "AES128"}, {"AES_256_CBC", "AES256"}, {"AES_128", "AES128"}, {"AES_256", "AES256"},
		{"CHACHA20_POLY1305_SHA256", "CHACHA20_POLY1305"}} {
		n = strings.ReplaceAll(n, r[0], r[1])
	}
	n = strings.ReplaceAll(n, "_", "-")
	if rest, ok := strings.CutPrefix(n, "RSA-"); ok {
		n = rest // OpenSSL's plain-RSA suites have no key-exchange prefix
	}
	return n
}

// setSSLCipherSuite is SSLCipherSuite [protocol] spec. A list of suite
// names is applied to TLS 1.2 and below; TLS 1.3's suites are not
// configurable in Go (all three are secure), and OpenSSL's keyword
// expressions are not evaluated: both keep Go's secure defaults, with a
// warning.
func setSSLCipherSuite(w *walker, c *call) error {
	spec := c.args[len(c.args)-1]
	if len(c.args) == 2 {
		switch strings.ToLower(c.args[0]) {
		case "tlsv1.3":
			w.warn(c.pos, "", "SSLCipherSuite TLSv1.3 %s has no effect: Go's TLS 1.3 suites are not configurable (all of them are secure)", spec)
			return nil
		case "ssl", "sslv3", "tlsv1", "tlsv1.1", "tlsv1.2":
		default:
			return errorf("SSLCipherSuite: protocol '%s' not supported", c.args[0])
		}
	}
	ids, unknown, ok := ParseCipherSuite(spec)
	if !ok {
		w.warn(c.pos, "", "SSLCipherSuite %s: eventmpm does not evaluate OpenSSL's cipher expressions; Go's default suites apply (ECDHE with AES-GCM or ChaCha20-Poly1305 first, no RC4, no 3DES)", spec)
		return nil
	}
	if len(unknown) > 0 {
		w.warn(c.pos, "", "SSLCipherSuite: Go does not have %s; the other suites of the list apply", strings.Join(unknown, ", "))
	}
	s := w.sslConfig()
	s.CipherSuites = ids
	s.set["CipherSuites"] = true
	return nil
}

func setSSLSessionTickets(w *walker, c *call) error {
	s := w.sslConfig()
	s.NoTickets = !isOn(c.args[0])
	s.set["NoTickets"] = true
	return nil
}

func setSSLStrictSNI(w *walker, c *call) error {
	s := w.sslConfig()
	s.StrictSNI = isOn(c.args[0])
	s.set["StrictSNI"] = true
	return nil
}

// setSSLCompression: off is what Go does; on is refused (CRIME).
func setSSLCompression(w *walker, c *call) error {
	if isOn(c.args[0]) {
		return errorf("SSLCompression on is not supported by eventmpm: TLS compression is insecure (CRIME) and Go has none")
	}
	return nil
}

// setSSLVerifyClient is SSLVerifyClient none|optional|require|
// optional_no_ca in the server or a <VirtualHost>: the handshake asks
// for a client certificate. In a directory section only none is taken:
// asking there needs a renegotiation (TLS 1.2) or post-handshake
// authentication (TLS 1.3), which Go's server does not do.
func setSSLVerifyClient(w *walker, c *call) error {
	mode := strings.ToLower(c.args[0])
	switch mode {
	case "none", "optional", "require", "optional_no_ca":
	default:
		return errorf("SSLVerifyClient: Invalid argument '%s'", c.args[0])
	}
	if w.sec != nil {
		if mode == "none" {
			return nil
		}
		return errorf("SSLVerifyClient %s in a directory section is not supported by eventmpm (it needs a renegotiation): set it in the server config or <VirtualHost>", c.args[0])
	}
	s := w.sslConfig()
	s.VerifyClient = mode
	if mode == "none" {
		s.VerifyClient = ""
	}
	s.set["VerifyClient"] = true
	return nil
}

// setSSLVerifyDepth is SSLVerifyDepth N: how many CA certificates a
// client's chain may have above its own (mod_ssl's default, 1, allows one).
func setSSLVerifyDepth(w *walker, c *call) error {
	n, err := strconv.Atoi(c.args[0])
	if err != nil || n < 0 {
		return errorf("SSLVerifyDepth: Invalid argument '%s'", c.args[0])
	}
	if w.sec != nil {
		w.warn(c.pos, "", "SSLVerifyDepth in a directory section has no effect: set it in the server config or <VirtualHost>")
		return nil
	}
	s := w.sslConfig()
	s.VerifyDepth = &n
	s.set["VerifyDepth"] = true
	return nil
}

// setSSLCAFile is SSLCACertificateFile: the CAs that sign the client
// certificates SSLVerifyClient accepts, read when the configuration is.
func setSSLCAFile(w *walker, c *call) error {
	b, err := readCAFile(w, c)
	if err != nil {
		return err
	}
	s := w.sslConfig()
	s.ClientCAs = b
	s.set["ClientCAs"] = true
	return nil
}

// setSSLUserName is SSLUserName variable: the request's user (REMOTE_USER,
// the access log's %u) is that mod_ssl variable's value, typically
// SSL_CLIENT_S_DN_CN.
func setSSLUserName(w *walker, c *call) error {
	if w.sec != nil {
		return errorf("SSLUserName in a directory section is not supported by eventmpm: set it in the server config or <VirtualHost>")
	}
	name := strings.ToUpper(c.args[0])
	if !strings.HasPrefix(name, "SSL_") {
		return errorf("SSLUserName %s: eventmpm takes one of mod_ssl's SSL_ variables (SSL_CLIENT_S_DN_CN...)", c.args[0])
	}
	s := w.sslConfig()
	s.UserName = name
	s.set["UserName"] = true
	return nil
}

// setSSLUseStapling: off is what eventmpm does.
func setSSLUseStapling(w *walker, c *call) error {
	if isOn(c.args[0]) {
		w.warn(c.pos, "", "SSLUseStapling on has no effect: eventmpm does not staple OCSP responses")
	}
	return nil
}

// sslOptionNames are SSLOptions' options: those eventmpm acts on, and
// those that mean nothing without client certificates or renegotiation.
var sslOptionNames = map[string]uint8{
	"stdenvvars":     SSLStdEnvVars,
	"exportcertdata": SSLExportCertData,
	// No renegotiation, no SSLRequire: nothing to act on.
	"strictrequire":        0,
	"optrenegotiate":       0,
	"legacydnstringformat": 0,
	"compatenvvars":        0,
}

// setSSLOptions is SSLOptions [+|-]option ..., in the server (the base of
// its sections) or a section. FakeBasicAuth needs client certificates,
// which eventmpm does not ask for: refused.
func setSSLOptions(w *walker, c *call) error {
	if len(c.args) == 0 {
		return errorf("SSLOptions takes one or more arguments, Set one or more options to configure the SSL engine")
	}
	var o SSLOptions
	for i, word := range c.args {
		sign := byte(0)
		if word[0] == '+' || word[0] == '-' {
			sign, word = word[0], word[1:]
		}
		lw := strings.ToLower(word)
		flag, known := sslOptionNames[lw]
		if lw == "fakebasicauth" {
			return errorf("SSLOptions FakeBasicAuth is not supported by eventmpm: name the user with SSLUserName SSL_CLIENT_S_DN_CN and grant access with Require expr")
		}
		if !known {
			return errorf("SSLOptions: Illegal option '%s'", word)
		}
		if flag == 0 {
			w.warn(c.pos, "", "SSLOptions %s has no effect: eventmpm never renegotiates and has no SSLRequire", word)
		}
		if sign == 0 {
			if i > 0 && !o.Abs {
				return errorf("SSLOptions: Either all Options must start with + or -, or no Option may.")
			}
			o.Abs = true
			o.Add |= flag
			continue
		}
		if o.Abs {
			return errorf("SSLOptions: Either all Options must start with + or -, or no Option may.")
		}
		if sign == '+' {
			o.Add |= flag
			o.Del &^= flag
		} else {
			o.Del |= flag
			o.Add &^= flag
		}
	}
	if w.sec != nil {
		w.sec.s.SSLOptions = &o
		return nil
	}
	s := w.sslConfig()
	s.Options = o
	s.set["Options"] = true
	return nil
}

// inheritSSL gives a virtual host the main server's SSL settings it does
// not set itself, as mod_ssl merges server configurations.
func inheritSSL(v, m *Server) {
	if m.SSL == nil {
		return
	}
	if v.SSL == nil {
		v.SSL = &SSL{set: map[string]bool{}}
	}
	vs, ms := v.SSL, m.SSL
	if !vs.set["Engine"] {
		vs.Engine, vs.enginePos = ms.Engine, ms.enginePos
	}
	if !vs.set["Certs"] {
		vs.certFiles, vs.keyFiles = ms.certFiles, ms.keyFiles
	}
	if !vs.set["Chain"] {
		vs.chainFile = ms.chainFile
	}
	if !vs.set["Protocol"] {
		vs.MinVersion, vs.MaxVersion = ms.MinVersion, ms.MaxVersion
	}
	if !vs.set["CipherSuites"] {
		vs.CipherSuites = ms.CipherSuites
	}
	if !vs.set["NoTickets"] {
		vs.NoTickets = ms.NoTickets
	}
	if !vs.set["StrictSNI"] {
		vs.StrictSNI = ms.StrictSNI
	}
	if !vs.set["Options"] {
		vs.Options = ms.Options
	}
	if !vs.set["VerifyClient"] {
		vs.VerifyClient = ms.VerifyClient
	}
	if !vs.set["ClientCAs"] {
		vs.ClientCAs = ms.ClientCAs
	}
	if !vs.set["VerifyDepth"] {
		vs.VerifyDepth = ms.VerifyDepth
	}
	if !vs.set["UserName"] {
		vs.UserName = ms.UserName
	}
}

// finishSSL reads the certificates and keys of a server with SSLEngine on
// and checks that each key matches its certificate, with mod_ssl's
// messages; a server with SSLEngine off keeps none. where names the
// server for the message about a missing certificate, given at its
// SSLEngine line.
func finishSSL(s *Server, where string) error {
	ssl := s.SSL
	if ssl == nil {
		return nil
	}
	if !ssl.Engine {
		s.SSL = nil
		return nil
	}
	if s.Scheme == "" {
		s.Scheme = "https"
	}
	if (ssl.VerifyClient == "require" || ssl.VerifyClient == "optional") && len(ssl.ClientCAs) == 0 {
		return atPos(ssl.enginePos, errorf("SSLVerifyClient %s for %s needs SSLCACertificateFile: the CAs whose client certificates are accepted", ssl.VerifyClient, where))
	}
	if len(ssl.certFiles) == 0 {
		return atPos(ssl.enginePos, errorf("AH02572: Failed to configure at least one certificate and key for %s: SSLEngine on needs an SSLCertificateFile", where))
	}
	var chain []byte
	if ssl.chainFile.path != "" {
		b, err := readPEM(ssl.chainFile, "CERTIFICATE")
		if err != nil {
			return err
		}
		chain = b
	}
	ssl.Certs = nil
	for i, cf := range ssl.certFiles {
		certPEM, err := readPEM(cf, "CERTIFICATE")
		if err != nil {
			return err
		}
		kf := cf
		if i < len(ssl.keyFiles) {
			kf = ssl.keyFiles[i]
		}
		keyPEM, err := readPEM(kf, "PRIVATE KEY")
		if err != nil {
			return err
		}
		full := append(slices.Clone(certPEM), chain...)
		if _, err := tls.X509KeyPair(full, keyPEM); err != nil {
			return atPos(kf.pos, errorf("AH02565: Certificate and private key from %s and %s do not match or cannot be read: %v", cf.path, kf.path, err))
		}
		ssl.Certs = append(ssl.Certs, CertKey{CertPEM: full, KeyPEM: keyPEM, CertFile: cf.path})
	}
	if len(ssl.keyFiles) > len(ssl.certFiles) {
		return atPos(ssl.keyFiles[len(ssl.certFiles)].pos, errorf("SSLCertificateKeyFile %s has no SSLCertificateFile before it", ssl.keyFiles[len(ssl.certFiles)].path))
	}
	return nil
}

// readPEM reads a file an SSL directive names and checks that it holds a
// PEM block of the kind wanted ("CERTIFICATE", "PRIVATE KEY": any type
// ending so), unencrypted.
func readPEM(f sslFile, kind string) ([]byte, error) {
	b, err := os.ReadFile(f.path)
	if err != nil {
		return nil, atPos(f.pos, errorf("cannot read %s: %v", f.path, err))
	}
	if !bytes.Contains(b, []byte("-----BEGIN")) {
		if p, ok := derToPEM(b, kind); ok {
			return p, nil // mod_ssl takes DER too ("PEM or DER encoded")
		}
	}
	for rest := b; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return nil, atPos(f.pos, errorf("%s holds no PEM or DER %s", f.path, strings.ToLower(kind)))
		}
		if !strings.HasSuffix(blk.Type, kind) {
			continue
		}
		if blk.Type == "ENCRYPTED PRIVATE KEY" || blk.Headers["Proc-Type"] != "" && strings.Contains(blk.Headers["Proc-Type"], "ENCRYPTED") {
			return nil, atPos(f.pos, errorf("%s: encrypted private keys are not supported by eventmpm (no SSLPassPhraseDialog): decrypt it (openssl pkey -in key -out key.plain) and keep it readable by root only", f.path))
		}
		return b, nil
	}
}

// derToPEM reads a DER file: certificates (one or more, back to back), or
// a private key (PKCS #8, PKCS #1 RSA or SEC 1 EC), and returns it as PEM.
func derToPEM(b []byte, kind string) ([]byte, bool) {
	if kind == "CERTIFICATE" {
		certs, err := x509.ParseCertificates(b)
		if err != nil || len(certs) == 0 {
			return nil, false
		}
		var out []byte
		for _, c := range certs {
			out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		}
		return out, true
	}
	for _, parse := range []func([]byte) (any, error){
		x509.ParsePKCS8PrivateKey,
		func(d []byte) (any, error) { return x509.ParsePKCS1PrivateKey(d) },
		func(d []byte) (any, error) { return x509.ParseECPrivateKey(d) },
	} {
		if key, err := parse(b); err == nil {
			der, err := x509.MarshalPKCS8PrivateKey(key)
			if err != nil {
				return nil, false
			}
			return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), true
		}
	}
	return nil, false
}

// sslWhere names a server for finishSSL's messages.
func sslWhere(s *Server, vhostAddrs []string) string {
	if len(vhostAddrs) == 0 {
		return fmt.Sprintf("%s (the main server)", s.ServerName)
	}
	return fmt.Sprintf("%s (<VirtualHost %s>)", s.ServerName, strings.Join(vhostAddrs, " "))
}

// OpenSSLCipherName is mod_ssl's SSL_CIPHER for a crypto/tls suite:
// OpenSSL's name of a TLS 1.2 suite, the standard name of a TLS 1.3 one
// (which OpenSSL uses too).
func OpenSSLCipherName(id uint16) string {
	name := tls.CipherSuiteName(id)
	for _, cs := range tls.CipherSuites() {
		if cs.ID == id && slices.Contains(cs.SupportedVersions, tls.VersionTLS13) {
			return name
		}
	}
	return openSSLName(name)
}

// SSLProxy is a server's mod_ssl settings for https:// and wss://
// backends (SSLProxyEngine on).
type SSLProxy struct {
	// Engine is SSLProxyEngine on: without it a ProxyPass or RewriteRule
	// [P] to https:// is refused when the configuration is loaded.
	Engine bool `json:",omitempty"`
	// Verify is SSLProxyVerify require: the backend's chain must lead to
	// one of CAs (SSLProxyCACertificateFile, PEM), or to the system's
	// roots without one. With none (the default, as in Apache) the chain
	// is not checked.
	Verify bool   `json:",omitempty"`
	CAs    []byte `json:",omitempty"`
	// NoCheckName and NoCheckExpire are SSLProxyCheckPeerName off (or
	// SSLProxyCheckPeerCN off) and SSLProxyCheckPeerExpire off: by
	// default the backend's certificate must name its host and be
	// current, even without Verify, as mod_ssl checks both.
	NoCheckName   bool `json:",omitempty"`
	NoCheckExpire bool `json:",omitempty"`
	// SSLProxyProtocol's range and SSLProxyCipherSuite's suites, as for
	// the server side (0 and nil: Go's defaults).
	MinVersion   uint16   `json:",omitempty"`
	MaxVersion   uint16   `json:",omitempty"`
	CipherSuites []uint16 `json:",omitempty"`

	set map[string]bool
}

// sslProxyConfig is the server's SSLProxy settings being built.
func (w *walker) sslProxyConfig() *SSLProxy {
	if w.srv.srv.SSLProxy == nil {
		w.srv.srv.SSLProxy = &SSLProxy{set: map[string]bool{}}
	}
	return w.srv.srv.SSLProxy
}

// setSSLProxyFlag is SSLProxyEngine, SSLProxyCheckPeerName,
// SSLProxyCheckPeerCN and SSLProxyCheckPeerExpire.
func setSSLProxyFlag(w *walker, c *call) error {
	p, on := w.sslProxyConfig(), isOn(c.args[0])
	switch strings.ToLower(c.d.name) {
	case "sslproxyengine":
		p.Engine = on
		p.set["Engine"] = true
	case "sslproxycheckpeername", "sslproxycheckpeercn":
		p.NoCheckName = !on
		p.set["NoCheckName"] = true
	default:
		p.NoCheckExpire = !on
		p.set["NoCheckExpire"] = true
	}
	return nil
}

// setSSLProxyVerify is SSLProxyVerify none|require; optional and
// optional_no_ca are refused (Go's client verifies or does not).
func setSSLProxyVerify(w *walker, c *call) error {
	p := w.sslProxyConfig()
	switch strings.ToLower(c.args[0]) {
	case "none":
		p.Verify = false
	case "require":
		p.Verify = true
	case "optional", "optional_no_ca":
		return errorf("SSLProxyVerify %s is not supported by eventmpm: use none or require", c.args[0])
	default:
		return errorf("SSLProxyVerify: Invalid argument '%s'", c.args[0])
	}
	p.set["Verify"] = true
	return nil
}

// setSSLProxyCAFile is SSLProxyCACertificateFile: read now, as the
// server's certificates are (the children may not be able to).
func setSSLProxyCAFile(w *walker, c *call) error {
	b, err := readCAFile(w, c)
	if err != nil {
		return err
	}
	p := w.sslProxyConfig()
	p.CAs = b
	p.set["CAs"] = true
	return nil
}

func setSSLProxyProtocol(w *walker, c *call) error {
	if len(c.args) == 0 {
		return errorf("SSLProxyProtocol takes one or more arguments, SSL Proxy: enable or disable SSL protocol flavors")
	}
	minV, maxV, err := ParseSSLProtocol(c.args)
	if err != nil {
		return errorf("SSLProxyProtocol: %s", strings.TrimPrefix(err.Error(), "SSLProtocol: "))
	}
	p := w.sslProxyConfig()
	p.MinVersion, p.MaxVersion = minV, maxV
	p.set["Protocol"] = true
	return nil
}

func setSSLProxyCipherSuite(w *walker, c *call) error {
	spec := c.args[len(c.args)-1]
	if len(c.args) == 2 && strings.EqualFold(c.args[0], "tlsv1.3") {
		w.warn(c.pos, "", "SSLProxyCipherSuite TLSv1.3 %s has no effect: Go's TLS 1.3 suites are not configurable (all of them are secure)", spec)
		return nil
	}
	ids, _, ok := ParseCipherSuite(spec)
	if !ok {
		w.warn(c.pos, "", "SSLProxyCipherSuite %s: eventmpm does not evaluate OpenSSL's cipher expressions; Go's default suites apply", spec)
		return nil
	}
	p := w.sslProxyConfig()
	p.CipherSuites = ids
	p.set["CipherSuites"] = true
	return nil
}

// inheritSSLProxy gives a virtual host the main server's SSLProxy
// settings it does not set itself.
func inheritSSLProxy(v, m *Server) {
	if m.SSLProxy == nil {
		return
	}
	if v.SSLProxy == nil {
		v.SSLProxy = &SSLProxy{set: map[string]bool{}}
	}
	vp, mp := v.SSLProxy, m.SSLProxy
	for key, copyField := range map[string]func(){
		"Engine":        func() { vp.Engine = mp.Engine },
		"Verify":        func() { vp.Verify = mp.Verify },
		"CAs":           func() { vp.CAs = mp.CAs },
		"NoCheckName":   func() { vp.NoCheckName = mp.NoCheckName },
		"NoCheckExpire": func() { vp.NoCheckExpire = mp.NoCheckExpire },
		"Protocol":      func() { vp.MinVersion, vp.MaxVersion = mp.MinVersion, mp.MaxVersion },
		"CipherSuites":  func() { vp.CipherSuites = mp.CipherSuites },
	} {
		if !vp.set[key] {
			copyField()
		}
	}
}

// checkSSLProxy refuses a server's https:// and wss:// ProxyPass lines
// without SSLProxyEngine on: Apache would answer each of their requests
// with a 500 (AH00961); eventmpm says so before it starts.
func checkSSLProxy(s *Server) error {
	if s.Proxy == nil || s.SSLProxy != nil && s.SSLProxy.Engine {
		return nil
	}
	for _, pp := range s.Proxy.Passes {
		if pp.TLS {
			return atPos(pp.Pos, errorf("ProxyPass %s: an https:// or wss:// backend needs SSLProxyEngine on (LoadModule ssl_module ...) in this server", pp.URL))
		}
	}
	return nil
}
