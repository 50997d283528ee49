package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/mail"
	"github.com/civicmon/civicmon/web"
)

func cmdServe(e *env, args []string) error {
	fs := newFlags(e, "serve", "serve [--db DB] [--addr HOST:PORT] [--demo]")
	db := dbFlag(fs)
	defAddr := os.Getenv("CIVICMON_ADDR")
	if defAddr == "" {
		defAddr = "127.0.0.1:8080"
	}
	addr := fs.String("addr", defAddr, "address to listen on (env CIVICMON_ADDR)")
	withDemo := fs.Bool("demo", false, "load the demo data first if the database is new and empty")
	baseURL := fs.String("base-url", os.Getenv("CIVICMON_BASE_URL"), "public URL of the site, e.g. https://monitor.example.org, for permalinks and sitemap.xml (env CIVICMON_BASE_URL; default: from each request)")
	grace := fs.Duration("shutdown-grace", 15*time.Second, "how long in-flight requests may take to finish on SIGTERM/SIGINT")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	d, err := openDB(e, *db)
	if err != nil {
		return err
	}
	defer d.Close()
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
	// Warm the search facet index now rather than on the first search.
	go func() {
		start := time.Now()
		if err := s.LoadSearchIndex(e.ctx); err != nil {
			e.log.Warn("search index not loaded; the first search will load it", "err", err)
			return
		}
		e.log.Info("search index loaded", "took", time.Since(start).Round(time.Millisecond))
	}()
	mailCfg := mail.FromEnv()
	if !mailCfg.Enabled() {
		e.log.Info("no SMTP server configured (CIVICMON_SMTP_HOST): password reset by e-mail is off")
	}
	srv, err := web.New(web.Config{Store: s, Schema: d, Changes: d, Logger: e.log, BaseURL: *baseURL, Mail: mailCfg})
	if err != nil {
		return err
	}
	return srv.Run(e.ctx, *addr, *grace, func(url string) {
		fmt.Fprintf(e.stdout, "civicmon is serving %s on %s\n", redact(*db), url)
		e.log.Info("listening", "url", url)
	})
}
