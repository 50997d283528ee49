package web

import (
	"net/http"

	"github.com/civicmon/civicmon"
)

// mirrorSearchData is the search page of a static mirror.
type mirrorSearchData struct {
	Script   string
	Regions  []civicmon.Region
	Freedoms []civicmon.Freedom
}

// MirrorSearchPage writes the search page of a static mirror (package
// mirror, `civicmon export site`): the one page that needs JavaScript,
// which searches an index built at export time, in the browser. It takes
// the place of /updates, whose search runs on the server. It is no route
// of the live site.
func (s *Server) MirrorSearchPage(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "")
	p.Title = p.T("Search the research updates")
	p.Data = mirrorSearchData{Script: s.assets.URL("search.js"), Regions: civicmon.Regions, Freedoms: civicmon.Freedoms}
	s.render(w, r, http.StatusOK, "mirror_search", p)
}

// StaticFiles returns the URL of every static file (/static/…), for the
// mirror to copy them all.
func (s *Server) StaticFiles() []string {
	out := make([]string, 0, len(s.assets.byURL))
	for u := range s.assets.byURL {
		out = append(out, u)
	}
	return out
}
