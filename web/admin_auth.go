package web

import "net/http"

// adminPage starts a workspace page: never cached, never indexed, with the
// form token and the signed-in account.
func (s *Server) adminPage(w http.ResponseWriter, r *http.Request, title string) *Page {
	w.Header().Set("Cache-Control", "no-store")
	p := s.NewPage(r, "")
	p.Title = p.T(title)
	p.NoIndex = true
	p.User = UserFrom(r.Context())
	p.CSRF = s.CSRFToken(w, r)
	return p
}
