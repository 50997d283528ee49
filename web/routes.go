package web

import (
	"bytes"
	"net/http"
)

// routes registers the kit's own routes; the surfaces mount theirs (see
// package server). Every route is registered through s.Handle with the
// access it needs, so that the authorization tests can enumerate them all.
func (s *Server) routes() {
	s.Handle("GET /healthz", Public, s.handleHealthz)
	s.Handle("GET /readyz", Public, s.handleReadyz)
	s.Handle("GET /static/", Public, s.handleStatic)

	// Anything else is a friendly 404.
	s.Handle("/", Public, s.NotFound)
}

// NotFound answers 404 with a page that helps the reader on.
func (s *Server) NotFound(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "")
	p.Title = p.T("Page not found")
	p.NoIndex = true
	s.Render(w, r, http.StatusNotFound, p, ErrorPage(p, p.T("There is no page at this address. It may have moved, or the link may be mistyped.")))
}

// ServerError answers 500 without details: those go to the log.
func (s *Server) ServerError(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "")
	p.Title = p.T("Something went wrong")
	p.NoIndex = true
	message := p.T("The server could not show this page. Please try again in a moment.")
	p.CSS = s.assets.URL("style.css")
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	var buf bytes.Buffer
	if err := s.writePage(r.Context(), &buf, p, ErrorPage(p, message)); err != nil {
		s.log.Error("render error page", "err", err)
	}
	w.Write(buf.Bytes())
}

// fail logs err and answers 404 for a missing record, 500 otherwise.
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, err error) {
	if IsNotFound(err) {
		s.NotFound(w, r)
		return
	}
	s.log.Error("request failed", "path", r.URL.Path, "err", err)
	s.ServerError(w, r)
}
