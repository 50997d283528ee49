// Package server assembles civicmon's HTTP server: the shared web kit with
// every surface mounted on it — the public site, the editorial workspace and
// the JSON API. cmd/civicmon, the static mirror and the tests build the
// server here, so that they all serve the same routes.
package server

import (
	"github.com/civicmon/civicmon/api"
	"github.com/civicmon/civicmon/web"
)

// New builds the server with every surface's routes.
func New(cfg web.Config) (*web.Server, error) {
	s, err := web.New(cfg)
	if err != nil {
		return nil, err
	}
	api.Mount(s, cfg.Store, cfg.Now)
	return s, nil
}
