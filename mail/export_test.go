package mail

import "crypto/x509"

// WithRootCAs returns c verifying the server's certificate against roots
// instead of the system's, for tests against a server with a test certificate.
func WithRootCAs(c Config, roots *x509.CertPool) Config {
	c.rootCAs = roots
	return c
}

// Build exposes the message builder to the tests.
var Build = build
