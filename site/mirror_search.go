package site

import "net/http"

// MirrorSearchPage writes the search page of a static mirror (package
// mirror, `civicmon export site`): the one page that needs JavaScript,
// which searches an index built at export time, in the browser. It takes
// the place of /updates, whose search runs on the server. It is no route
// of the live site.
func (s *Site) MirrorSearchPage(w http.ResponseWriter, r *http.Request) {
	p := s.srv.NewPage(r, "")
	p.Title = p.T("Search the research updates")
	s.srv.Render(w, r, http.StatusOK, p, MirrorSearch(p, s.srv.StaticURL("search.js")))
}
