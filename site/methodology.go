package site

import "net/http"

// handleMethodology explains the ratings, the research and the watchlist.
func (s *Site) handleMethodology(w http.ResponseWriter, r *http.Request) {
	p := s.srv.NewPage(r, "")
	p.Title = p.T("Methodology")
	p.Description = p.T("How civic space is rated, what each rating means, and how the watchlist is made.")
	s.srv.Render(w, r, http.StatusOK, p, MethodologyPage(p))
}
