package workspace_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/civicmon/civicmon/web"
	"github.com/civicmon/civicmon/webtest"
)

// failFrom posts a wrong password for an account that does not exist (so
// the per-account lockout plays no part), saying it comes from forwarded
// through X-Forwarded-For when forwarded is not empty.
func failFrom(t *testing.T, c *webtest.Client, n int, forwarded string) *webtest.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "/admin/login", strings.NewReader(url.Values{
		"csrf_token": {c.CSRF()}, "email": {"nobody" + strconv.Itoa(n) + "@example.org"}, "password": {"wrong"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if forwarded != "" {
		req.Header.Set("X-Forwarded-For", forwarded)
	}
	return c.Send(req)
}

// blockedAfter fails sign-ins until the address throttle answers 429 and
// returns how many it took (0: never, within 200).
func blockedAfter(t *testing.T, c *webtest.Client, forwarded func(i int) string) int {
	t.Helper()
	for i := 0; i < 200; i++ {
		switch r := failFrom(t, c, i, forwarded(i)); r.Status {
		case http.StatusTooManyRequests:
			return i
		case http.StatusUnauthorized:
		default:
			t.Fatalf("attempt %d: %d", i+1, r.Status)
		}
	}
	return 0
}

// TestAddressThrottleIgnoresUntrustedForwardedFor: a client that names a
// new address in X-Forwarded-For at each attempt is still counted as the
// connection's address when no proxy is trusted.
func TestAddressThrottleIgnoresUntrustedForwardedFor(t *testing.T) {
	env := webtest.New(t)
	c := env.Client(t)
	n := blockedAfter(t, c, func(i int) string {
		return "203.0.113." + strconv.Itoa(i%250+1) + ", 198.51.100." + strconv.Itoa(i%250+1)
	})
	if n == 0 {
		t.Fatal("spoofed X-Forwarded-For escaped the address throttle")
	}
	// So the others are not blocked, whatever they send.
	if r := failFrom(t, c, 999, ""); r.Status != http.StatusTooManyRequests {
		t.Fatalf("the real peer after the throttle: %d, want 429", r.Status)
	}
}

// TestAddressThrottleBehindTrustedProxy: behind a trusted proxy (here the
// test's own 127.0.0.1) each client's forwarded address is throttled on its
// own, and the proxy's spoofed hops are not trusted beyond it.
func TestAddressThrottleBehindTrustedProxy(t *testing.T) {
	env := webtest.New(t, webtest.Options{Configure: func(cfg *web.Config) {
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	}})
	c := env.Client(t)
	// One client behind the proxy; what it wrote itself comes first.
	n := blockedAfter(t, c, func(int) string { return "10.9.9.9, 203.0.113.5" })
	if n == 0 {
		t.Fatal("a client behind the trusted proxy was never throttled")
	}
	// Another client behind the same proxy is not blocked by the first.
	if r := failFrom(t, c, 1000, "203.0.113.6"); r.Status != http.StatusUnauthorized {
		t.Fatalf("another client behind the proxy: %d, want 401", r.Status)
	}
	// The first is blocked, whatever it puts before its address.
	if r := failFrom(t, c, 1001, "192.0.2.1, 203.0.113.5"); r.Status != http.StatusTooManyRequests {
		t.Fatalf("the throttled client with a spoofed hop: %d, want 429", r.Status)
	}
}
