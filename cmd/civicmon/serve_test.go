package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicmon/civicmon/storetest"
)

func TestParseMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		err  string
	}{
		{"auto", autoMemoryLimit, ""},
		{"", autoMemoryLimit, ""},
		{"off", 0, ""},
		{"0", 0, ""},
		{"256MiB", 256 << 20, ""},
		{"1GiB", 1 << 30, ""},
		{"512KiB", 512 << 10, ""},
		{"1000000", 1000000, ""},
		{"100B", 100, ""},
		{"12MB", 0, `"12MB" is not a size`},
		{"-5MiB", 0, "is not a size"},
		{"lots", 0, "is not a size"},
	} {
		got, err := parseMemoryLimit(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseMemoryLimit(%q) = %d, %v; want an error with %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("parseMemoryLimit(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key to
// dir and returns their paths and a pool that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "civicmon test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeTLS: with --tls-cert and --tls-key, serve answers over HTTPS
// and sends Strict-Transport-Security.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", filepath.Join(dir, "c.db"), "--addr", "127.0.0.1:0", "--demo",
			"--tls-cert", certFile, "--tls-key", keyFile}, strings.NewReader(""), pw, &errb)
		pw.Close()
	}()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), "https://"); i >= 0 {
				urlc <- sc.Text()[i:]
			}
		}
		close(urlc)
	}()
	var base string
	select {
	case base = <-urlc:
	case <-time.After(60 * time.Second):
		t.Fatalf("no https URL printed; stderr:\n%s", errb.String())
	}
	if base == "" {
		t.Fatalf("serve exited; stderr:\n%s", errb.String())
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Get(base + "countries")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("GET /countries over HTTPS: %d", resp.StatusCode)
	}
	if h := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=") {
		t.Errorf("Strict-Transport-Security %q", h)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit %d: %s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// TestServeEdgeFlagErrors: the TLS and proxy flags say what is wrong.
func TestServeEdgeFlagErrors(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir)
	db := filepath.Join(dir, "c.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", certFile}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-key", keyFile}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", filepath.Join(dir, "none.pem"), "--tls-key", keyFile}, "--tls-cert, --tls-key"},
		{[]string{"--tls-cert", keyFile, "--tls-key", certFile}, "--tls-cert, --tls-key"},
		{[]string{"--trusted-proxies", "10.0.0.0/8,nonsense"}, `--trusted-proxies: "nonsense" is not`},
		{[]string{"--download-limit", "0"}, "--download-limit must be at least 1"},
		{[]string{"--download-timeout", "0s"}, "--download-timeout must be more than 0"},
	} {
		code, out, errs := runCLI(t, "", append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tc.args...)...)
		if code != 1 || !strings.Contains(errs, tc.want) || strings.Contains(out, "serving") {
			t.Errorf("serve %v: exit %d, stderr %q; want 1 and %q", tc.args, code, errs, tc.want)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("serve opened the database despite a bad flag")
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeMetricsAddr: --metrics-addr serves /metrics on a listener of
// its own, with the database pools' figures, and the site's listener has
// none; a short --metrics-token is refused.
func TestServeMetricsAddr(t *testing.T) {
	srv := startServe(t, storetest.SQLitePath(t), nil, "--demo", "--metrics-addr", "127.0.0.1:0")
	var murl string
	for deadline := time.Now().Add(10 * time.Second); murl == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`metrics listening" url=(\S+)`).FindStringSubmatch(srv.stderr.String()); m != nil {
			murl = m[1]
		}
	}
	if murl == "" {
		t.Fatalf("no metrics URL logged:\n%s", srv.stderr)
	}
	if resp, err := http.Get(srv.URL + "countries/kazakhstan"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("country page: %v %v", resp, err)
	} else {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	var body []byte
	// The request is counted when its handler returns, a moment after
	// the client has the answer.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(murl)
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), `route="GET /countries/{slug}"`) {
			break
		}
	}
	for _, want := range []string{`civicmon_http_requests_total{route="GET /countries/{slug}",status="200"} 1`,
		`go_sql_wait_count_total{db_name="write"}`, "civicmon_outbox_pending 0"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if resp, err := http.Get(srv.URL + "metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics on the site's listener: %v %v", resp, err)
	}
	code, _, errs := runCLI(t, "", "serve", "--db", storetest.SQLitePath(t), "--metrics-token", "short")
	if code != 1 || !strings.Contains(errs, "at least 32 characters") {
		t.Fatalf("short token: %d %s", code, errs)
	}
}
