package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/civicmon/civicmon/storetest"
	"github.com/civicmon/civicmon/web"
)

func kit(t *testing.T, configure func(*web.Config)) *web.Server {
	t.Helper()
	db := storetest.SQLite.Open(t)
	cfg := web.Config{Store: db.Store(), Schema: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if configure != nil {
		configure(&cfg)
	}
	s, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHSTSBehindTLSProxy: a site whose base URL is https is served over
// TLS by its proxy, so every answer carries Strict-Transport-Security even
// though the request reached Go in plain HTTP.
func TestHSTSBehindTLSProxy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     func(*web.Config)
		headers map[string]string
		want    bool
	}{
		{"plain http", nil, nil, false},
		{"https base URL", func(c *web.Config) { c.BaseURL = "https://monitor.example.org" }, nil, true},
		{"http base URL", func(c *web.Config) { c.BaseURL = "http://localhost:8080" }, nil, false},
		{"X-Forwarded-Proto from an untrusted peer", nil, map[string]string{"X-Forwarded-Proto": "https"}, false},
		{"X-Forwarded-Proto from a trusted proxy", func(c *web.Config) {
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
		}, map[string]string{"X-Forwarded-Proto": "https"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := kit(t, tc.cfg)
			for _, path := range []string{"/healthz", "/no-such-page"} {
				req := httptest.NewRequest("GET", path, nil) // from 192.0.2.1
				for k, v := range tc.headers {
					req.Header.Set(k, v)
				}
				rec := httptest.NewRecorder()
				s.Handler().ServeHTTP(rec, req)
				got := rec.Header().Get("Strict-Transport-Security")
				if (got != "") != tc.want {
					t.Errorf("%s: Strict-Transport-Security %q, want it sent: %v", path, got, tc.want)
				}
			}
		})
	}
}

// TestClientAddr: forwarded headers count only from a trusted proxy, and
// then the client is the nearest hop that is not itself a trusted proxy.
func TestClientAddr(t *testing.T) {
	s := kit(t, func(c *web.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	})
	for _, tc := range []struct {
		peer, xff, proto, want string
		secure                 bool
	}{
		{"192.0.2.1:1234", "", "", "192.0.2.1", false},
		{"192.0.2.1:1234", "198.51.100.1", "https", "192.0.2.1", false},
		{"10.1.2.3:1234", "", "", "10.1.2.3", false},
		{"10.1.2.3:1234", "198.51.100.1", "https", "198.51.100.1", true},
		{"10.1.2.3:1234", "6.6.6.6, 198.51.100.1, 10.0.0.9", "http", "198.51.100.1", false},
		{"10.1.2.3:1234", "10.0.0.8,10.0.0.9", "", "10.0.0.8", false},
		{"10.1.2.3:1234", "not-an-address", "", "10.1.2.3", false},
		{"[::1]:1234", "2001:db8::1", "HTTPS", "2001:db8::1", true},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = tc.peer
		if tc.xff != "" {
			req.Header.Set("X-Forwarded-For", tc.xff)
		}
		if tc.proto != "" {
			req.Header.Set("X-Forwarded-Proto", tc.proto)
		}
		if got := s.ClientAddr(req); got != tc.want {
			t.Errorf("peer %s, X-Forwarded-For %q: client %q, want %q", tc.peer, tc.xff, got, tc.want)
		}
		if got := s.Secure(req); got != tc.secure {
			t.Errorf("peer %s, X-Forwarded-Proto %q: secure %v, want %v", tc.peer, tc.proto, got, tc.secure)
		}
	}
	_ = http.StatusOK
}

// TestAbsoluteURLBehindTrustedProxy: without a base URL, permalinks take
// https from a trusted proxy's X-Forwarded-Proto, and only from one.
func TestAbsoluteURLBehindTrustedProxy(t *testing.T) {
	s := kit(t, func(c *web.Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	for peer, want := range map[string]string{"10.0.0.1:1": "https://monitor.example.org/x", "192.0.2.1:1": "http://monitor.example.org/x"} {
		req := httptest.NewRequest("GET", "http://monitor.example.org/x", nil)
		req.RemoteAddr = peer
		req.Header.Set("X-Forwarded-Proto", "https")
		if got := s.AbsoluteURL(req, "/x"); got != want {
			t.Errorf("from %s: %q, want %q", peer, got, want)
		}
	}
}
