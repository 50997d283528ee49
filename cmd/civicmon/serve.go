package main

import (
	"cmp"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	netmail "net/mail"
	"net/netip"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/mail"
	"github.com/civicmon/civicmon/metrics"
	"github.com/civicmon/civicmon/server"
	"github.com/civicmon/civicmon/web"
)

// postingsFlushInterval is how often the server writes the changes the
// search's postings segments do not cover yet (sqldb.Store.FlushPostings).
const postingsFlushInterval = 5 * time.Second

func cmdServe(e *env, args []string) error {
	fs := newFlags(e, "serve", "serve [--db DB] [--addr HOST:PORT] [--demo] [--tls-cert FILE --tls-key FILE] [--trusted-proxies CIDR,…]")
	db := dbFlag(fs)
	defAddr := os.Getenv("CIVICMON_ADDR")
	if defAddr == "" {
		defAddr = "127.0.0.1:8080"
	}
	addr := fs.String("addr", defAddr, "the `HOST:PORT` to listen on (env CIVICMON_ADDR)")
	withDemo := fs.Bool("demo", false, "load the demo data first if the database is new or empty; with --demo, a --db file that does not exist is made")
	baseURL := fs.String("base-url", os.Getenv("CIVICMON_BASE_URL"), "the public `URL` of the site, e.g. https://monitor.example.org, for permalinks and sitemap.xml (env CIVICMON_BASE_URL; default: from each request)")
	grace := fs.Duration("shutdown-grace", 15*time.Second, "how long (a `DURATION`, e.g. 15s) in-flight requests may take to finish on SIGTERM/SIGINT")
	memLimit := fs.String("memory-limit", cmp.Or(os.Getenv("CIVICMON_MEMORY_LIMIT"), "auto"),
		"the soft `LIMIT` of the Go heap, e.g. 256MiB; auto: once the indexes are loaded, the heap they hold plus half as much (at least 48 MiB), at least 96 MiB; off: none (env CIVICMON_MEMORY_LIMIT; GOMEMLIMIT wins)")
	proxies := fs.String("trusted-proxies", os.Getenv("CIVICMON_TRUSTED_PROXIES"),
		"the `CIDRS` (CIDR[,CIDR…]) of the reverse proxies in front of the server, whose X-Forwarded-For and X-Forwarded-Proto are believed, e.g. 127.0.0.1/32 (env CIVICMON_TRUSTED_PROXIES; default: none)")
	tlsCert := fs.String("tls-cert", os.Getenv("CIVICMON_TLS_CERT"), "the PEM certificate (chain) `FILE`: serve HTTPS, with --tls-key (env CIVICMON_TLS_CERT)")
	tlsKey := fs.String("tls-key", os.Getenv("CIVICMON_TLS_KEY"), "the PEM private key `FILE` of --tls-cert (env CIVICMON_TLS_KEY)")
	downloads := fs.Int("download-limit", 8, "how many (`N`) /data/ downloads may run at once; past it a download is answered 429 with Retry-After")
	downloadTimeout := fs.Duration("download-timeout", 30*time.Second, "how long (a `DURATION`) one write of a /data/ download may wait for the client to read: a client that stops reading is dropped")
	metricsAddr := fs.String("metrics-addr", os.Getenv("CIVICMON_METRICS_ADDR"), "serve /metrics (Prometheus) on a listener of its own at this `ADDRESS`, e.g. 127.0.0.1:9090; keep it off the internet (env CIVICMON_METRICS_ADDR)")
	metricsToken := fs.String("metrics-token", os.Getenv("CIVICMON_METRICS_TOKEN"), "serve /metrics on --addr to requests with \"Authorization: Bearer `TOKEN`\"; at least 32 characters (env CIVICMON_METRICS_TOKEN)")
	mailLease := fs.Duration("mail-lease", 5*time.Minute, "how long (a `DURATION`) a server holds a mail it is sending: a mail whose server died mid-send is sent again, with the same Message-ID, after this; more than a send takes (up to 2m)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if err := checkArgs(e, fs, 0, 0); err != nil {
		return err
	}
	if *metricsToken != "" && len(*metricsToken) < 32 {
		return errors.New("--metrics-token must be at least 32 characters: make one with  openssl rand -hex 32")
	}
	if *mailLease <= 0 {
		return errors.New("--mail-lease must be more than 0, e.g. 5m")
	}
	if *downloads < 1 {
		return errors.New("--download-limit must be at least 1")
	}
	if *downloadTimeout <= 0 {
		return errors.New("--download-timeout must be more than 0, e.g. 30s")
	}
	limit, err := parseMemoryLimit(*memLimit)
	if err != nil {
		return fmt.Errorf("--memory-limit: %w", err)
	}
	mailCfg := mail.FromEnv()
	if *baseURL, err = checkBaseURL(*baseURL, mailCfg); err != nil {
		return err
	}
	trusted, err := parseCIDRs(*proxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither")
	}
	if *tlsCert != "" {
		if _, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey); err != nil {
			return fmt.Errorf("--tls-cert, --tls-key: %w", err)
		}
	}
	open := openDB
	if *withDemo {
		open = createDB // a new database to show the demo in
	}
	d, err := open(e, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	d.MessageIDDomain = mailDomain(mailCfg.From)
	if d.ReadDB() == d.WriteDB() {
		metrics.DBPools(map[string]*sql.DB{"pool": d.WriteDB()})
	} else {
		metrics.DBPools(map[string]*sql.DB{"read": d.ReadDB(), "write": d.WriteDB()})
	}
	if *metricsAddr != "" {
		ln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		msrv := &http.Server{Handler: metrics.Handler(), ReadHeaderTimeout: 5 * time.Second}
		go msrv.Serve(ln)
		defer msrv.Close()
		e.log.Info("metrics listening", "url", "http://"+ln.Addr().String()+"/metrics")
	}
	s := d.Store()
	if *withDemo {
		st, err := demo.Load(e.ctx, s)
		switch {
		case errors.Is(err, demo.ErrNotEmpty):
			e.log.Info("database already holds data: demo data not loaded", "db", redact(*db))
		case err != nil:
			return fmt.Errorf("load demo data: %w", err)
		default:
			e.log.Info("demo data loaded", "what", st.String())
		}
	}
	// Warm the indexes now rather than on the first search, statistics
	// or country page: the search's facet index, then the statistics
	// index (some ten seconds at a million updates). srv is set before
	// the statistics index is asked for.
	srvReady := make(chan *server.Server, 1)
	// The search's postings follow the change feed in the background;
	// on a database whose postings were never built (just migrated), the
	// first run builds them, searches asking the engine's index until then.
	go s.KeepPostingsFlushed(e.ctx, postingsFlushInterval, e.log)
	go func() {
		start := time.Now()
		if err := s.LoadSearchIndex(e.ctx); err != nil {
			e.log.Warn("search index not loaded; the first search will load it", "err", err)
		} else {
			e.log.Info("search index loaded", "took", time.Since(start).Round(time.Millisecond))
		}
		var srv *server.Server
		select {
		case srv = <-srvReady:
		case <-e.ctx.Done():
			return
		}
		start = time.Now()
		if err := srv.Stats().Fresh(e.ctx); err != nil {
			e.log.Warn("statistics index not loaded; the first statistics page will load it", "err", err)
		} else {
			e.log.Info("statistics index loaded", "took", time.Since(start).Round(time.Millisecond))
		}
		setMemoryLimit(e, limit)
	}()
	if !mailCfg.Enabled() {
		e.log.Info("no SMTP server configured (CIVICMON_SMTP_HOST): password reset by e-mail is off, other mail waits in the outbox")
	}
	srv, err := server.New(web.Config{Store: s, Schema: d, Changes: d, Logger: e.log, BaseURL: *baseURL, Mail: mailCfg,
		TrustedProxies: trusted, TLSCertFile: *tlsCert, TLSKeyFile: *tlsKey,
		DownloadLimit: *downloads, DownloadWriteTimeout: *downloadTimeout, MailLease: *mailLease, MetricsToken: *metricsToken})
	if err != nil {
		return err
	}
	srvReady <- srv
	return srv.Run(e.ctx, *addr, *grace, func(url string) {
		fmt.Fprintf(e.stdout, "civicmon is serving %s on %s\n", redact(*db), url)
		e.log.Info("listening", "url", url)
	})
}

// parseCIDRs reads a comma-separated list of networks; a bare address is
// a network of one.
func parseCIDRs(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if a, err := netip.ParseAddr(f); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a network: write e.g. 10.0.0.0/8 or 127.0.0.1/32", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// autoMemoryLimit asks setMemoryLimit to size the limit from the heap.
const autoMemoryLimit = -1

// parseMemoryLimit reads "auto", "off" (or 0), or a size in bytes with an
// optional B, KiB, MiB or GiB suffix.
func parseMemoryLimit(v string) (int64, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "auto", "":
		return autoMemoryLimit, nil
	case "off", "0":
		return 0, nil
	}
	num, unit := v, int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			num, unit = n, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size: write auto, off, or e.g. 256MiB", v)
	}
	return n * unit, nil
}

// setMemoryLimit sets the Go runtime's soft memory limit, so that on a
// small server the heap is collected before it doubles (the default) and
// returned to the system: the searches of a million-update monitor make
// tens of MB of short-lived id lists. GOMEMLIMIT, when set, wins.
func setMemoryLimit(e *env, limit int64) {
	if limit == 0 || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	if limit == autoMemoryLimit {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		// The indexes are most of the live heap and hold no pointers
		// (columns of numbers), so a collection costs little however
		// often it runs: room for half as much again, and at least
		// 48 MB, for the requests' work.
		live := int64(ms.HeapAlloc)
		limit = max(96<<20, live+max(live/2, 48<<20))
	}
	// What loading the indexes grew and let go goes back to the system
	// now, rather than bit by bit.
	debug.FreeOSMemory()
	debug.SetMemoryLimit(limit)
	e.log.Info("memory limit set", "limit_mib", limit>>20)
}

// mailDomain is the domain of the sender's address, for the Message-IDs of
// the outbox's mail ("" when there is none).
func mailDomain(from string) string {
	a, err := netmail.ParseAddress(from)
	if err != nil {
		return ""
	}
	_, domain, _ := strings.Cut(a.Address, "@")
	return domain
}
