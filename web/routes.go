package web

import (
	"bytes"
	"context"
	"net/http"

	"github.com/civicmon/civicmon"
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

// BadRequest answers 400 with a page that says what was wrong with the
// request.
func (s *Server) BadRequest(w http.ResponseWriter, r *http.Request, msg string) {
	p := s.NewPage(r, "")
	p.Title = p.T("The request is not valid")
	p.NoIndex = true
	s.Render(w, r, http.StatusBadRequest, p, ErrorPage(p, p.T(msg)))
}

// TooLarge answers a request whose body is over the limit of its route:
// a problem document to the API, and to a person a page in their language
// that says what happened and how to get their text back — the browser
// still holds it in the form they came from — rather than a bare line of
// plain text.
func (s *Server) TooLarge(w http.ResponseWriter, r *http.Request, limit int64) {
	if IsAPIPath(r.URL.Path) {
		s.Problem(w, r, ProbTooLarge, "The request body is larger than this server accepts.")
		return
	}
	p := s.NewPage(r, "")
	p.Title = p.T("What you sent is too large")
	p.NoIndex = true
	mb := max(1, limit>>20)
	s.Render(w, r, http.StatusRequestEntityTooLarge, p, ErrorPage(p,
		p.T("What you sent is larger than %d MB, the most this form takes, and nothing was saved. Your text is still in the form: go back in your browser, shorten the longest text (or move it to a linked document) and send it again.", mb)))
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

// Fail answers an error: 404 for a missing record, 400 with the error's
// message for bad input (civicmon.EINVALID: the asker's mistake, not
// logged as the server's), and 500 otherwise, logged.
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, err error) {
	if IsNotFound(err) {
		s.NotFound(w, r)
		return
	}
	if civicmon.ErrorCode(err) == civicmon.EINVALID {
		s.BadRequest(w, r, civicmon.ErrorMessage(err))
		return
	}
	if r.Context().Err() != nil {
		s.log.Warn("request cancelled or timed out", "path", r.URL.Path, "err", err)
		s.Busy(w, r)
		return
	}
	s.log.Error("request failed", "path", r.URL.Path, "err", err)
	s.ServerError(w, r)
}

// busyRetryAfter is the Retry-After of an answer to a request that ran out
// of time.
const busyRetryAfter = "30"

// Busy answers a request that ran out of its time (RequestTimeout) before
// it could finish — waiting for the database's one writer behind a long
// commit, say: 503 with Retry-After, not the 500 of a fault. Nothing was
// saved: a write's transaction commits only when its work is done, and
// then the request answers as it should.
func (s *Server) Busy(w http.ResponseWriter, r *http.Request) {
	// The page is rendered under a context that has not run out, or the
	// renderer would stop at once.
	r = r.WithContext(context.WithoutCancel(r.Context()))
	w.Header().Set("Retry-After", busyRetryAfter)
	p := s.NewPage(r, "")
	p.Title = p.T("The server is busy")
	p.NoIndex = true
	s.Render(w, r, http.StatusServiceUnavailable, p, ErrorPage(p,
		p.T("The server could not finish this in time, and nothing was saved. If you were sending a form, your text is still in it: go back in your browser and send it again in a moment.")))
}
