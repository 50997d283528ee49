// Package server assembles civicmon's HTTP server: the shared web kit with
// every surface mounted on it — the public site, the editorial workspace and
// the JSON API — and the mail outbox's worker beside them. cmd/civicmon, the
// static mirror and the tests build the server here, so that they all serve
// the same routes.
package server

import (
	"context"
	"time"

	"github.com/civicmon/civicmon/api"
	"github.com/civicmon/civicmon/metrics"
	"github.com/civicmon/civicmon/notify"
	"github.com/civicmon/civicmon/outbox"
	"github.com/civicmon/civicmon/site"
	"github.com/civicmon/civicmon/web"
	"github.com/civicmon/civicmon/workspace"
)

// Server is the assembled server, with the surfaces that are also called
// directly: the static mirror renders the site's search page and writes its
// downloads through Site.
type Server struct {
	*web.Server
	Site *site.Site
	// Outbox sends the mail waiting in the store while the server serves;
	// nil when no SMTP server is configured (the mail then waits).
	Outbox *outbox.Worker
}

// New builds the server with every surface's routes.
func New(cfg web.Config) (*Server, error) {
	s, err := web.New(cfg)
	if err != nil {
		return nil, err
	}
	ws := workspace.Mount(s, cfg.Store, workspace.Options{Now: cfg.Now, Mail: cfg.Mail, Logger: cfg.Logger})
	apiOpts := api.Options{Now: cfg.Now}
	if cfg.Mail.Enabled() {
		// The API's workflow steps mail the people they concern as the
		// workspace's do (workspace's editorial), through the outbox.
		apiOpts.Notify = (&notify.Notifier{BaseURL: cfg.BaseURL}).Notify
	}
	api.Mount(s, cfg.Store, apiOpts)
	srv := &Server{Server: s, Site: site.Mount(s, cfg.Store, cfg.Now, cfg.Logger)}
	metrics.Outbox(func() (int, int, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		st, err := cfg.Store.OutboxStats(ctx)
		return st.Pending, st.Failed, err
	})
	if cfg.Mail.Enabled() {
		srv.Outbox = &outbox.Worker{Store: cfg.Store, Mail: cfg.Mail, Log: cfg.Logger, Poll: cfg.MailPoll, Lease: cfg.MailLease}
		srv.Outbox.Compose = map[string]outbox.Composer{}
		for kind, c := range ws.Composers {
			srv.Outbox.Compose[kind] = c
		}
		s.Background(srv.Outbox.Run)
	}
	return srv, nil
}
