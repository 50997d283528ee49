package site

import "net/http"

// handleEmbedMap serves the map alone, the one page other sites may frame.
func (s *Site) handleEmbedMap(w http.ResponseWriter, r *http.Request) {
	d, ok := s.siteData(w, r)
	if !ok {
		return
	}
	p := s.srv.NewPage(r, "")
	p.Title = p.T("World map of civic space ratings")
	p.Embed = true
	m, err := worldMap(p, d, "embedmap", "_top")
	if err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	s.srv.Render(w, r, http.StatusOK, p, EmbedMapPage(p, &homeData{Map: m, Legend: legend(p)}))
}
