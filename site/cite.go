package site

import (
	"mime"
	"net/http"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/cite"
)

// siteName is the publisher named in citations and feeds.
const siteName = "civicmon"

// citeFormat is one citation format, served at /updates/{slug}/cite/{name}.
type citeFormat struct {
	name, contentType, ext string
	write                  func(*cite.Citation) ([]byte, error)
}

var citeFormats = []citeFormat{
	{"bibtex", cite.BibTeXType + "; charset=utf-8", ".bib", func(c *cite.Citation) ([]byte, error) { return c.BibTeX(), nil }},
	{"ris", cite.RISType + "; charset=utf-8", ".ris", func(c *cite.Citation) ([]byte, error) { return c.RIS(), nil }},
	{"csl-json", cite.CSLJSONType, ".json", (*cite.Citation).CSLJSON},
}

// handleCite serves a published update's citation as a download, with its
// permalink and today's date, by the server's clock, as the access date.
//
// The page cache keeps an answer until the data changes, which may be days;
// so the access date is part of the URL: a request without today's date in
// ?accessed= is sent on to the URL that has it, and each day's citation is
// cached apart.
func (s *Site) handleCite(f citeFormat) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := s.store.UpdateBySlug(r.Context(), r.PathValue("slug"))
		if err != nil {
			s.srv.Fail(w, r, err)
			return
		}
		pu, ok := u.Public()
		if !ok { // a draft does not exist for the public
			s.srv.NotFound(w, r)
			return
		}
		today := civicmon.DateOf(s.now())
		q := r.URL.Query()
		if q.Get("accessed") != today.String() || len(q["accessed"]) != 1 {
			q.Set("accessed", today.String())
			w.Header().Set("Cache-Control", "no-cache")
			http.Redirect(w, r, r.URL.Path+"?"+q.Encode(), http.StatusSeeOther)
			return
		}
		c := cite.FromUpdate(pu, s.srv.AbsoluteURL(r, "/updates/"+pu.Slug), siteName, today)
		body, err := f.write(&c)
		if err != nil {
			s.srv.Fail(w, r, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.contentType)
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": pu.Slug + f.ext}))
		w.Write(body)
	}
}
