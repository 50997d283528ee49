package site

import (
	"bytes"
	"io"
	"net/http"
	"net/url"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/cite"
	"github.com/civicmon/civicmon/feed"
	"github.com/civicmon/civicmon/web"
)

// The feeds of published updates: all of them, and per country, region,
// freedom and violation tag, each as Atom and as JSON Feed (routes in
// site.go).

// feedSize is how many updates, the newest, a feed holds.
const feedSize = 50

type feedKind int

const (
	feedAll feedKind = iota
	feedCountry
	feedRegion
	feedFreedom
	feedTag
)

type feedFormat struct {
	contentType string
	write       func(*feed.Feed, io.Writer) error
}

var (
	atomFormat = feedFormat{feed.AtomType + "; charset=utf-8", (*feed.Feed).WriteAtom}
	jsonFormat = feedFormat{feed.JSONType, (*feed.Feed).WriteJSON}
)

// feedScope is what one feed follows: its filter, the page it belongs to
// and the name of what it follows ("" for every update).
type feedScope struct {
	filter civicmon.UpdateFilter
	home   string // the HTML page's path: "/", "/countries/kazakhstan"…
	name   string
}

// feedScope resolves a feed's path parameter; false for an unknown slug.
func (s *Site) feedScope(r *http.Request, p *web.Page, d *web.SiteData, kind feedKind) (feedScope, bool) {
	switch kind {
	case feedCountry:
		c, ok := d.BySlug[r.PathValue("country")]
		if !ok {
			return feedScope{}, false
		}
		return feedScope{civicmon.UpdateFilter{CountryCode: c.Code}, "/countries/" + c.Slug, c.Name}, true
	case feedRegion:
		reg := civicmon.Region(r.PathValue("region"))
		if !reg.Valid() {
			return feedScope{}, false
		}
		return feedScope{civicmon.UpdateFilter{Region: reg}, "/regions/" + string(reg), p.Region(reg)}, true
	case feedFreedom:
		f, ok := civicmon.ParseFreedom(r.PathValue("freedom"))
		if !ok || string(f) != r.PathValue("freedom") {
			return feedScope{}, false
		}
		return feedScope{civicmon.UpdateFilter{Freedom: f}, "/freedoms/" + string(f), freedomHeading(p, f)}, true
	case feedTag:
		slug := r.PathValue("tag")
		if !d.Vocab.HasViolation(slug) {
			return feedScope{}, false
		}
		return feedScope{civicmon.UpdateFilter{Violation: slug}, "/tags/" + slug, p.T(d.Vocab.ViolationName(slug))}, true
	}
	return feedScope{home: "/"}, true
}

// feedTitle names a feed, on its page's <link> and in the feed itself.
func feedTitle(p *web.Page, name string) string {
	if name == "" {
		return p.T("Research updates")
	}
	return p.T("Research updates: %s", name)
}

// feedLinks announces a page's feeds with <link rel="alternate">; base is
// the page's path ("" for the home page).
func feedLinks(p *web.Page, base, title string) []web.FeedLink {
	return []web.FeedLink{
		{Type: feed.AtomType, Title: title + " (Atom)", Href: p.Link(base + "/feed.atom")},
		{Type: feed.JSONType, Title: title + " (JSON Feed)", Href: p.Link(base + "/feed.json")},
	}
}

// handleFeed serves the newest published updates of a scope. Entries come
// from the public projection: never a draft, an author or a private note.
func (s *Site) handleFeed(kind feedKind, format feedFormat) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		d, ok := s.siteData(w, r)
		if !ok {
			return
		}
		p := s.srv.NewPage(r, "")
		sc, ok := s.feedScope(r, p, d, kind)
		if !ok {
			s.srv.NotFound(w, r)
			return
		}
		f := sc.filter
		f.Statuses, f.Limit = published, feedSize
		us, _, err := s.store.FindUpdates(ctx, f)
		if err != nil {
			s.srv.Fail(w, r, err)
			return
		}
		site := s.srv.AbsoluteURL(r, "/")
		fd := feed.Feed{
			ID:       feed.TagURI(site, "feed"+sc.home),
			Title:    feedTitle(p, sc.name) + " — " + siteName,
			Language: string(p.Lang),
			HomeURL:  s.srv.AbsoluteURL(r, sc.home),
			SelfURL:  s.srv.AbsoluteURL(r, r.URL.Path),
			Authors:  []string{cite.Institution},
		}
		for i := range us {
			pu, ok := us[i].Public()
			if !ok {
				continue
			}
			// In the feed's language where the update is translated into
			// it, as the update's page shows it; the entry's id stays.
			link := "/updates/" + pu.Slug
			if l := string(p.Lang); l != pu.Language {
				for _, t := range pu.Translations {
					if t.Language == l {
						pu.Title, pu.Summary, pu.Body, pu.Language = t.Title, t.Summary, t.Body, t.Language
						link += "/" + l
					}
				}
			}
			e := feed.FromUpdate(pu, feed.TagURI(site, "update:"+url.PathEscape(pu.UID)), s.srv.AbsoluteURL(r, link))
			// A published correction is the update's public "updated" date.
			corrections, err := s.store.Corrections(ctx, us[i].ID)
			if err != nil {
				s.srv.Fail(w, r, err)
				return
			}
			for _, c := range corrections {
				if t := c.Date.Time(); t.After(e.Updated) {
					e.Updated = t
				}
			}
			if pu.Partner != "" && pu.Partner != cite.Institution {
				e.Authors = []string{cite.Institution, pu.Partner}
			}
			e.Categories = s.feedCategories(r, p, d, pu)
			if e.Updated.After(fd.Updated) {
				fd.Updated = e.Updated
			}
			fd.Entries = append(fd.Entries, e)
		}
		if fd.Updated.IsZero() { // no entries: the feed is as new as today
			fd.Updated = civicmon.DateOf(s.now()).Time()
		}
		var buf bytes.Buffer
		if err := format.write(&fd, &buf); err != nil {
			s.srv.Fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", format.contentType)
		w.Header().Set("Content-Language", string(p.Lang))
		w.Write(buf.Bytes())
	}
}

// feedCategories are an entry's country, region, freedoms and violation
// tags; each term and scheme together make the URL of the page listing it.
func (s *Site) feedCategories(r *http.Request, p *web.Page, d *web.SiteData, pu civicmon.PublicUpdate) []feed.Category {
	var out []feed.Category
	if c, ok := d.ByCode[pu.CountryCode]; ok {
		out = append(out, feed.Category{Term: c.Slug, Scheme: s.srv.AbsoluteURL(r, "/countries/"), Label: c.Name})
		if c.Region.Valid() {
			out = append(out, feed.Category{Term: string(c.Region), Scheme: s.srv.AbsoluteURL(r, "/regions/"), Label: p.Region(c.Region)})
		}
	}
	for _, f := range pu.Freedoms {
		out = append(out, feed.Category{Term: string(f), Scheme: s.srv.AbsoluteURL(r, "/freedoms/"), Label: p.Freedom(f)})
	}
	for _, v := range pu.Violations {
		out = append(out, feed.Category{Term: v, Scheme: s.srv.AbsoluteURL(r, "/tags/"), Label: p.T(d.Vocab.ViolationName(v))})
	}
	return out
}
