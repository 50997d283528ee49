// Package server assembles civicmon's HTTP server: the shared web kit with
// every surface mounted on it — the public site, the editorial workspace and
// the JSON API. cmd/civicmon, the static mirror and the tests build the
// server here, so that they all serve the same routes.
package server

import (
	"github.com/civicmon/civicmon/site"
	"github.com/civicmon/civicmon/web"
)

// Server is the assembled server, with the surfaces that are also called
// directly: the static mirror renders the site's search page and writes its
// downloads through Site.
type Server struct {
	*web.Server
	Site *site.Site
}

// Assemble builds the server with every surface's routes.
func Assemble(cfg web.Config) (*Server, error) {
	s, err := web.New(cfg)
	if err != nil {
		return nil, err
	}
	return &Server{Server: s, Site: site.Mount(s, cfg.Store, cfg.Now, cfg.Logger)}, nil
}

// New builds the server with every surface's routes: Assemble, for the
// callers that only serve it.
func New(cfg web.Config) (*web.Server, error) {
	s, err := Assemble(cfg)
	if err != nil {
		return nil, err
	}
	return s.Server, nil
}
