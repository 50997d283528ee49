package site

import (
	"context"
	"mime"
	"net/http"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/cite"
	"github.com/civicmon/civicmon/web"
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
	{"text", cite.TextType + "; charset=utf-8", ".txt", func(c *cite.Citation) ([]byte, error) { return []byte(c.Text() + "\n"), nil }},
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
		if !accessedToday(w, r, today) {
			return
		}
		c := cite.FromUpdate(pu, s.srv.AbsoluteURL(r, "/updates/"+pu.Slug), siteName, today)
		s.writeCitation(w, r, f, &c, pu.Slug)
	}
}

// accessedToday sends a request without today's date in ?accessed= on to
// the URL that has it, and reports whether the request had it.
func accessedToday(w http.ResponseWriter, r *http.Request, today civicmon.Date) bool {
	q := r.URL.Query()
	if q.Get("accessed") != today.String() || len(q["accessed"]) != 1 {
		q.Set("accessed", today.String())
		w.Header().Set("Cache-Control", "no-cache")
		http.Redirect(w, r, r.URL.Path+"?"+q.Encode(), http.StatusSeeOther)
		return false
	}
	return true
}

func (s *Site) writeCitation(w http.ResponseWriter, r *http.Request, f citeFormat, c *cite.Citation, name string) {
	body, err := f.write(c)
	if err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	disposition := "attachment"
	if f.name == "text" {
		disposition = "inline"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name + f.ext}))
	w.Write(body)
}

// handleCountryCite serves the citation of a country's page, dated by its
// latest rating or update in force.
func (s *Site) handleCountryCite(f citeFormat) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d, ok := s.siteData(w, r)
		if !ok {
			return
		}
		c, ok := d.BySlug[r.PathValue("slug")]
		if !ok {
			s.srv.NotFound(w, r)
			return
		}
		today := civicmon.DateOf(s.now())
		if !accessedToday(w, r, today) {
			return
		}
		updated, err := s.countryUpdated(r.Context(), d, c)
		if err != nil {
			s.srv.Fail(w, r, err)
			return
		}
		ct := cite.FromCountry(c, s.srv.AbsoluteURL(r, "/countries/"+c.Slug), siteName, updated, today)
		s.writeCitation(w, r, f, &ct, c.Slug)
	}
}

// countryUpdated is the day a country's page last changed: its rating in
// force or its newest published update, whichever is later.
func (s *Site) countryUpdated(ctx context.Context, d *web.SiteData, c *civicmon.Country) (civicmon.Date, error) {
	var updated civicmon.Date
	if r, ok := d.Current[c.Code]; ok {
		updated = r.EffectiveDate
	}
	us, _, err := s.store.FindUpdates(ctx, civicmon.UpdateFilter{CountryCode: c.Code, Statuses: published, Limit: 1, SkipTotal: true})
	if err != nil {
		return updated, err
	}
	if len(us) > 0 && us[0].PublishedOn.After(updated) {
		updated = us[0].PublishedOn
	}
	return updated, nil
}
