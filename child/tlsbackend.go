package child

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"eventmpm/config"
)

// The TLS client side of https:// and wss:// backends (SSLProxyEngine).

// backendTLS makes the TLS client side of a server's https:// and wss://
// backends, from its SSLProxy settings. The checks are mod_ssl's, made by
// VerifyConnection: with SSLProxyVerify require the chain must lead to
// SSLProxyCACertificateFile's certificates (the system's roots without
// one); and unless turned off, the certificate must name the backend's
// host (SSLProxyCheckPeerName) and be current (SSLProxyCheckPeerExpire),
// as mod_ssl checks even without Verify.
type backendTLS struct {
	p     *config.SSLProxy
	roots *x509.CertPool // nil: the system's
}

func newBackendTLS(p *config.SSLProxy) *backendTLS {
	bt := &backendTLS{p: p}
	if len(p.CAs) > 0 {
		bt.roots = x509.NewCertPool()
		bt.roots.AppendCertsFromPEM(p.CAs)
	}
	return bt
}

// dialer wraps a route's dial into net/http's DialTLSContext: the TLS
// handshake with the backend named host (its SNI, unless an IP address,
// and the name its certificate must have), bounded by timeout.
func (bt *backendTLS) dialer(dial func(ctx context.Context, network, addr string) (net.Conn, error), timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		tc := tls.Client(conn, bt.config(host))
		hctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if err := tc.HandshakeContext(hctx); err != nil {
			conn.Close()
			return nil, err
		}
		return tc, nil
	}
}

// config is the client configuration of one connection to host.
func (bt *backendTLS) config(host string) *tls.Config {
	p := bt.p
	check := func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return backendTLSError{errors.New("the backend sent no certificate")}
		}
		leaf := cs.PeerCertificates[0]
		if p.Verify {
			opts := x509.VerifyOptions{Roots: bt.roots, Intermediates: x509.NewCertPool()}
			for _, c := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(c)
			}
			if p.NoCheckExpire {
				opts.CurrentTime = leaf.NotAfter.Add(-time.Second)
			}
			if _, err := leaf.Verify(opts); err != nil {
				return backendTLSError{err}
			}
		}
		if !p.NoCheckName {
			if err := leaf.VerifyHostname(host); err != nil {
				return backendTLSError{err}
			}
		}
		if now := time.Now(); !p.NoCheckExpire && (now.Before(leaf.NotBefore) || now.After(leaf.NotAfter)) {
			return backendTLSError{fmt.Errorf("the certificate of %s is not valid at %s (valid %s to %s)", host,
				now.UTC().Format(time.RFC3339), leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339))}
		}
		return nil
	}
	return &tls.Config{
		ServerName: host, MinVersion: p.MinVersion, MaxVersion: p.MaxVersion, CipherSuites: p.CipherSuites,
		InsecureSkipVerify: true, // VerifyConnection makes mod_ssl's checks instead
		VerifyConnection:   check,
		NextProtos:         []string{"http/1.1"},
	}
}

// backendTLSError is a backend's certificate failing mod_ssl's checks.
type backendTLSError struct{ err error }

func (e backendTLSError) Error() string { return e.err.Error() }
func (e backendTLSError) Unwrap() error { return e.err }

// isBackendTLSError reports whether a backend request failed in its TLS
// handshake: a certificate refused, an alert from the backend, or a
// backend that does not speak TLS.
func isBackendTLSError(err error) bool {
	var be backendTLSError
	var ae tls.AlertError
	var rh tls.RecordHeaderError
	var ce *tls.CertificateVerificationError
	return errors.As(err, &be) || errors.As(err, &ae) || errors.As(err, &rh) || errors.As(err, &ce)
}
