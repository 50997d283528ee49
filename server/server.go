// Package server assembles civicmon's HTTP server: the shared web kit with
// every surface mounted on it — the public site, the editorial workspace and
// the JSON API. cmd/civicmon, the static mirror and the tests build the
// server here, so that they all serve the same routes.
package server

import (
	"github.com/civicmon/civicmon/api"
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
}

// New builds the server with every surface's routes.
func New(cfg web.Config) (*Server, error) {
	s, err := web.New(cfg)
	if err != nil {
		return nil, err
	}
	workspace.Mount(s, cfg.Store, workspace.Options{Now: cfg.Now, Mail: cfg.Mail, Logger: cfg.Logger})
	api.Mount(s, cfg.Store, cfg.Now)
	return &Server{Server: s, Site: site.Mount(s, cfg.Store, cfg.Now, cfg.Logger)}, nil
}
