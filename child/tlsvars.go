package child

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"runtime"
	"strconv"
	"strings"
	"time"

	"eventmpm/config"
	"eventmpm/config/expr"
	"eventmpm/internal/version"
)

// mod_ssl's variables (HTTPS, SSL_*): for expressions, Header, the access
// log and the environment of CGI and FastCGI programs.

// tlsVersionName is mod_ssl's SSL_PROTOCOL.
func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLSv1"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	}
	return "unknown"
}

// cipherKeyBits is a suite's key size in bits.
func cipherKeyBits(id uint16) int {
	name := tls.CipherSuiteName(id)
	switch {
	case strings.Contains(name, "AES_256"), strings.Contains(name, "CHACHA20"):
		return 256
	case strings.Contains(name, "AES_128"):
		return 128
	}
	return 0
}

// tlsVar is one of mod_ssl's variables (HTTPS, SSL_*) for a request on c;
// ok is false for a name it does not know. A plain connection has
// HTTPS "off" and no SSL_* values.
func (w *worker) tlsVar(c *conn, name string) (value string, ok bool) {
	t := c.tls
	if name == "HTTPS" {
		if t != nil {
			return "on", true
		}
		return "off", true
	}
	if !strings.HasPrefix(name, "SSL_") {
		return "", false
	}
	if t == nil || !t.done {
		return "", true
	}
	st := &t.state
	leaf := t.site.tls.leaf
	switch name {
	case "SSL_PROTOCOL":
		return tlsVersionName(st.Version), true
	case "SSL_CIPHER":
		return config.OpenSSLCipherName(st.CipherSuite), true
	case "SSL_CIPHER_USEKEYSIZE", "SSL_CIPHER_ALGKEYSIZE":
		return strconv.Itoa(cipherKeyBits(st.CipherSuite)), true
	case "SSL_CIPHER_EXPORT":
		return "false", true
	case "SSL_COMPRESS_METHOD":
		return "NULL", true
	case "SSL_SESSION_RESUMED":
		if st.DidResume {
			return "Resumed", true
		}
		return "Initial", true
	case "SSL_TLS_SNI":
		return t.sni, true
	case "SSL_VERSION_INTERFACE":
		return "eventmpm/" + version.Version, true
	case "SSL_VERSION_LIBRARY":
		return "Go-crypto/tls/" + runtime.Version(), true
	case "SSL_CLIENT_VERIFY":
		switch {
		case len(st.PeerCertificates) == 0:
			return "NONE", true
		case len(st.VerifiedChains) > 0:
			return "SUCCESS", true
		}
		return "GENEROUS", true // optional_no_ca: taken unverified
	case "SSL_SECURE_RENEG":
		return "true", true // crypto/tls answers RFC 5746's renegotiation_info
	}
	if rest, ok := strings.CutPrefix(name, "SSL_SERVER_"); ok && leaf != nil {
		return certVar(leaf, rest), true
	}
	if rest, ok := strings.CutPrefix(name, "SSL_CLIENT_"); ok && len(st.PeerCertificates) > 0 {
		return certVar(st.PeerCertificates[0], rest), true
	}
	return "", true
}

// clientEnvVars are the client certificate's variables StdEnvVars gives
// programs when the client sent one (DN parts are added by certEnv).
var clientEnvVars = []string{"SSL_CLIENT_M_VERSION", "SSL_CLIENT_M_SERIAL", "SSL_CLIENT_V_START", "SSL_CLIENT_V_END",

	"SSL_CLIENT_V_REMAIN", "SSL_CLIENT_S_DN", "SSL_CLIENT_I_DN", "SSL_CLIENT_A_KEY", "SSL_CLIENT_A_SIG"}

// tlsEnv adds mod_ssl's variables to a CGI or FastCGI program's
// environment: HTTPS=on on every TLS request (mod_ssl's fixup), the
// SSL_* ones where the request's SSLOptions have StdEnvVars, and
// SSL_SERVER_CERT with ExportCertData.
func (w *worker) tlsEnv(c *conn, set func(name, value string)) {
	if c.tls == nil {
		return
	}
	set("HTTPS", "on")
	var opts uint8
	if w.srv.tls != nil {
		opts = w.srv.tls.options
	}
	w.srv.eachSection(w.path, w.fspath, true, func(cs *section) {
		if o := cs.sec.SSLOptions; o != nil {
			opts = o.Merge(opts)
		}
	})
	if opts&config.SSLStdEnvVars != 0 {
		for _, name := range expr.SSLEnvVars {
			if v, _ := w.tlsVar(c, name); v != "" {
				set(name, v)
			}
		}
		if leaf := c.tls.site.tls.leaf; leaf != nil {
			certEnv(leaf, "SSL_SERVER_", set)
		}
		if peers := c.tls.state.PeerCertificates; len(peers) > 0 {
			for _, name := range clientEnvVars {
				if v, _ := w.tlsVar(c, name); v != "" {
					set(name, v)
				}
			}
			certEnv(peers[0], "SSL_CLIENT_", set)
		}
	}
	if opts&config.SSLExportCertData != 0 {
		for _, name := range [...]string{"SSL_SERVER_CERT", "SSL_CLIENT_CERT"} {
			if v, _ := w.tlsVar(c, name); v != "" {
				set(name, v)
			}
		}
	}
}

// publicKeyAlgorithmName is OpenSSL's name of a key algorithm.
func publicKeyAlgorithmName(a x509.PublicKeyAlgorithm) string {
	switch a {
	case x509.RSA:
		return "rsaEncryption"
	case x509.ECDSA:
		return "id-ecPublicKey"
	case x509.Ed25519:
		return "ED25519"
	}
	return a.String()
}

// signatureAlgorithmName is OpenSSL's name of a signature algorithm.
func signatureAlgorithmName(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.SHA256WithRSA:
		return "sha256WithRSAEncryption"
	case x509.SHA384WithRSA:
		return "sha384WithRSAEncryption"
	case x509.SHA512WithRSA:
		return "sha512WithRSAEncryption"
	case x509.ECDSAWithSHA256:
		return "ecdsa-with-SHA256"
	case x509.ECDSAWithSHA384:
		return "ecdsa-with-SHA384"
	case x509.ECDSAWithSHA512:
		return "ecdsa-with-SHA512"
	case x509.PureEd25519:
		return "ED25519"
	}
	return a.String()
}

// TLSVar is mod_ssl's variable name for the request the worker serves
// (accesslog.TLSVars: the access log's %{Name}x).
func (w *worker) TLSVar(name string) string {
	if w.cur == nil {
		return ""
	}
	v, _ := w.tlsVar(w.cur, name)
	return v
}

// certEnv adds what mod_ssl's StdEnvVars exports of a certificate beyond
// the fixed variables, prefix being SSL_SERVER_ or SSL_CLIENT_: each
// distinguished-name part of subject and issuer (SSL_SERVER_S_DN_CN...)
// and the DNS and e-mail subject alternative names (SSL_SERVER_SAN_DNS_0...).
func certEnv(leaf *x509.Certificate, prefix string, set func(name, value string)) {
	for _, dn := range []struct {
		prefix string
		name   pkix.Name
	}{{prefix + "S_DN_", leaf.Subject}, {prefix + "I_DN_", leaf.Issuer}} {
		for _, part := range []struct {
			key    string
			values []string
		}{{"C", dn.name.Country}, {"ST", dn.name.Province}, {"L", dn.name.Locality}, {"O", dn.name.Organization},
			{"OU", dn.name.OrganizationalUnit}, {"CN", []string{dn.name.CommonName}}} {
			for i, v := range part.values {
				if v == "" {
					continue
				}
				name := dn.prefix + part.key
				if i > 0 {
					name += "_" + strconv.Itoa(i)
				}
				set(name, v)
			}
		}
	}
	for i, n := range leaf.DNSNames {
		set(prefix+"SAN_DNS_"+strconv.Itoa(i), n)
	}
	for i, n := range leaf.EmailAddresses {
		set(prefix+"SAN_Email_"+strconv.Itoa(i), n)
	}
}

// dnPart is one attribute of a distinguished name as mod_ssl names it
// (C, ST, L, O, OU, CN, Email), its first value; ok is false for a key
// mod_ssl does not have.
func dnPart(n pkix.Name, key string) (string, bool) {
	first := func(v []string) string {
		if len(v) > 0 {
			return v[0]
		}
		return ""
	}
	switch key {
	case "C":
		return first(n.Country), true
	case "ST", "SP":
		return first(n.Province), true
	case "L":
		return first(n.Locality), true
	case "O":
		return first(n.Organization), true
	case "OU":
		return first(n.OrganizationalUnit), true
	case "CN":
		return n.CommonName, true
	case "EMAIL":
		for _, a := range n.Names {
			if a.Type.Equal(oidEmailAddress) {
				if s, ok := a.Value.(string); ok {
					return s, true
				}
			}
		}
		return "", true
	}
	return "", false
}

// oidEmailAddress is PKCS #9's emailAddress attribute, mod_ssl's _Email.
var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// certVar is one of mod_ssl's variables about a certificate, by the part
// of its name after SSL_CLIENT_ or SSL_SERVER_ (M_SERIAL, S_DN_CN...).
func certVar(cert *x509.Certificate, rest string) string {
	switch rest {
	case "M_VERSION":
		return strconv.Itoa(cert.Version)
	case "M_SERIAL":
		return strings.ToUpper(cert.SerialNumber.Text(16))
	case "V_START":
		return cert.NotBefore.UTC().Format("Jan _2 15:04:05 2006 GMT")
	case "V_END":
		return cert.NotAfter.UTC().Format("Jan _2 15:04:05 2006 GMT")
	case "V_REMAIN":
		return strconv.Itoa(max(int(time.Until(cert.NotAfter).Hours()/24), 0))
	case "S_DN":
		return cert.Subject.String()
	case "I_DN":
		return cert.Issuer.String()
	case "A_KEY":
		return publicKeyAlgorithmName(cert.PublicKeyAlgorithm)
	case "A_SIG":
		return signatureAlgorithmName(cert.SignatureAlgorithm)
	case "CERT":
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	}
	if dn, key, ok := strings.Cut(rest, "_DN_"); ok && (dn == "S" || dn == "I") {
		name := cert.Subject
		if dn == "I" {
			name = cert.Issuer
		}
		v, _ := dnPart(name, strings.ToUpper(key))
		return v
	}
	return ""
}
