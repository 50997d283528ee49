package web

import "github.com/civicmon/civicmon/stats"

// Stats is the statistics index every surface counts with (the site's
// /statistics, the reports, the API): one per server, so that it is held
// in memory once. It loads on first use.
func (s *Server) Stats() *stats.Index {
	s.statsOnce.Do(func() { s.stats = stats.New(s.cfg.Store, s.cfg.Now) })
	return s.stats
}
