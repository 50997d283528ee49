// Package web serves civicmon over HTTP: the public site, the health
// endpoints and, through the same middleware, everything mounted later.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/mail"
	"github.com/civicmon/civicmon/stats"
)

// SchemaChecker reports whether the database schema is the one this binary
// needs; *sqldb.DB implements it.
type SchemaChecker interface {
	CheckSchema(ctx context.Context) error
}

// Config is what a Server needs.
type Config struct {
	Store  civicmon.Store
	Schema SchemaChecker // optional; /readyz checks it when set
	Logger *slog.Logger
	Now    civicmon.Clock
	// MaxBodyBytes caps request bodies (default 1 MiB).
	MaxBodyBytes int64
	// RequestTimeout bounds the work of one request (default 30 s).
	RequestTimeout time.Duration
	// Changes lets the page cache notice writes; optional (*sqldb.DB).
	Changes Changes
	// CacheBytes is the page cache's memory budget (default 64 MiB).
	CacheBytes int64
	// Mail sends the mail of the outbox (password reset links…); the
	// outbox's worker runs only when its Host is set.
	Mail mail.Config
	// MailPoll is how often the outbox's worker looks for due mail
	// (default 1 s).
	MailPoll time.Duration
	// MailLease is how long one server holds a mail it is sending before
	// another (or itself, after a crash) may send it again (default 5 min).
	MailLease time.Duration
	// BaseURL is the public URL of the site, for sitemap.xml and feeds
	// (default: taken from each request's Host), and the only source of
	// links in mail: without it no password reset mail is sent.
	BaseURL string
	// NoPageCache renders every public page afresh: for `civicmon export
	// site`, which asks for each page once and would only fill the cache.
	NoPageCache bool
	// TrustedProxies are the networks of the reverse proxies in front of
	// the server: only a peer in one of them is believed when it says, in
	// X-Forwarded-For and X-Forwarded-Proto, who the client is and whether
	// it came over HTTPS. Empty: nobody is.
	TrustedProxies []netip.Prefix
	// DownloadLimit caps how many /data/ downloads run at once (default 8);
	// past it a download is answered 429 with Retry-After.
	DownloadLimit int
	// DownloadWriteTimeout is how long one write of a download may wait
	// for the client to read (default 30 s): a client that stops reading
	// is dropped, one that reads slowly gets the whole archive.
	DownloadWriteTimeout time.Duration
	// MetricsToken, when set, serves /metrics on the site's own listener
	// to requests that carry it as a bearer token (404 to others). Empty:
	// no /metrics there (serve --metrics-addr gives it a listener of its
	// own).
	MetricsToken string
	// TLSCertFile and TLSKeyFile, both set, make Serve terminate TLS.
	TLSCertFile, TLSKeyFile string
}

// Server is civicmon's HTTP server.
type Server struct {
	cfg Config
	log *slog.Logger
	mux *http.ServeMux
	// bodyLimits are the routes' own caps on request bodies, by pattern
	// (Access.MaxBody); written only while routes are registered.
	bodyLimits map[string]int64
	handler    http.Handler
	assets     *assets
	cache      *pageCache
	external   atomic.Int64 // the data version last polled
	site       siteCache
	// downloads holds a place for each /data/ download running.
	downloads chan struct{}
	// routeTable lists every route with its access rule.
	routeTable []RouteInfo
	statsOnce  sync.Once
	stats      *stats.Index
	// background are the tasks that run beside the server while it
	// serves (the mail outbox's worker).
	background []func(ctx context.Context)
}

// Background adds a task that Serve runs beside the server, until it
// stops serving.
func (s *Server) Background(task func(ctx context.Context)) {
	s.background = append(s.background, task)
}

// StartBackground starts the background tasks; stop ends them and waits
// for them to return. Serve calls it; tests that serve the handler
// themselves call it too.
func (s *Server) StartBackground(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, task := range s.background {
		wg.Add(1)
		go func() {
			defer wg.Done()
			task(ctx)
		}()
	}
	return func() { cancel(); wg.Wait() }
}

// New builds the server and its routes. It fails when a template or static
// file is missing or broken, so that a bad build never starts serving.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.DownloadLimit <= 0 {
		cfg.DownloadLimit = 8
	}
	if cfg.DownloadWriteTimeout <= 0 {
		cfg.DownloadWriteTimeout = 30 * time.Second
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = 64 << 20
	}
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), cache: newPageCache(cfg.CacheBytes),
		downloads: make(chan struct{}, cfg.DownloadLimit)}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	s.routes()
	if cfg.MetricsToken != "" {
		// Not in the route table: not a page of the site, and answered
		// as missing to anyone without the token.
		s.mux.Handle("GET /metrics", MetricsHandler(cfg.MetricsToken))
	}
	s.handler = s.recoverPanics(s.logRequests(s.withServer(s.securityHeaders(s.compress(s.limitBody(s.checkCSRF(s.timeout(s.mux))))))))
	return s, nil
}

// Handler returns the server's root handler, middleware included.
func (s *Server) Handler() http.Handler { return s.handler }

// Mux exposes the router: tests enumerate the registered routes, and the
// API asks it which methods a path has (its Allow headers and 405s).
func (s *Server) Mux() *http.ServeMux { return s.mux }

// Run serves on addr until ctx is cancelled, then stops taking connections
// and lets in-flight requests finish (for up to grace). onListen is called
// with the URL once the listener is open.
func (s *Server) Run(ctx context.Context, addr string, grace time.Duration, onListen func(url string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another server using the port? try --addr 127.0.0.1:8081)", addr, err)
	}
	return s.Serve(ctx, ln, grace, onListen)
}

// Serve is Run on an open listener.
func (s *Server) Serve(ctx context.Context, ln net.Listener, grace time.Duration, onListen func(url string)) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	scheme := "http"
	if s.cfg.TLSCertFile != "" {
		scheme = "https"
	}
	if onListen != nil {
		onListen(scheme + "://" + ln.Addr().String() + "/")
	}
	pollCtx, stopPolling := context.WithCancel(ctx)
	defer stopPolling()
	go s.pollChanges(pollCtx, time.Second)
	stopBackground := s.StartBackground(context.WithoutCancel(ctx))
	// Deferred: background tasks stop once in-flight requests are done.
	defer stopBackground()
	errc := make(chan error, 1)
	go func() {
		if scheme == "https" {
			errc <- srv.ServeTLS(ln, s.cfg.TLSCertFile, s.cfg.TLSKeyFile)
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing in-flight requests", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.log.Info("stopped")
	return nil
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "ok")
}

// handleReadyz answers 200 only when the database answers and its schema is
// the one this binary needs, so a load balancer sends no traffic before.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	err := s.cfg.Store.Ping(ctx)
	if err == nil && s.cfg.Schema != nil {
		err = s.cfg.Schema.CheckSchema(ctx)
	}
	if err != nil {
		s.log.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready")
		return
	}
	fmt.Fprintln(w, "ready")
}
