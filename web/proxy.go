package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// peer is the address of the connection r came over.
func peer(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// trusted reports whether addr is in one of the configured proxies'
// networks.
func (s *Server) trusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr is the address of the client that sent r. It is the
// connection's peer, unless that peer is a trusted proxy
// (Config.TrustedProxies): then it is the nearest address of
// X-Forwarded-For, read from the right, that is not itself a trusted
// proxy. Addresses left of it were written by the client and are not
// believed; so nobody can choose the address the sign-in throttle counts.
func (s *Server) ClientAddr(r *http.Request) string {
	addr := peer(r)
	if !s.trusted(addr) {
		return addr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if hop == "" {
			continue
		}
		a, err := netip.ParseAddr(hop)
		if err != nil {
			return addr // a hop we cannot read: stop at the last one we could
		}
		addr = a.Unmap().String()
		if !s.trusted(addr) {
			return addr
		}
	}
	return addr
}

// Secure reports whether r reached the site over HTTPS: Go terminated
// TLS, or the site's base URL is https (a proxy terminates it), or a
// trusted proxy says so in X-Forwarded-Proto. It makes cookies Secure and
// sends Strict-Transport-Security.
func (s *Server) Secure(r *http.Request) bool {
	if r.TLS != nil || strings.HasPrefix(s.cfg.BaseURL, "https://") {
		return true
	}
	return s.trusted(peer(r)) && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

type serverKey struct{}

// withServer lets ClientAddr find the server's trusted proxies from a
// request alone.
func (s *Server) withServer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), serverKey{}, s)))
	})
}

// ClientAddr is Server.ClientAddr for a request the server is handling
// (the connection's peer for any other).
func ClientAddr(r *http.Request) string {
	if s, ok := r.Context().Value(serverKey{}).(*Server); ok {
		return s.ClientAddr(r)
	}
	return peer(r)
}
