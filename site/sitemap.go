package site

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
)

// handleRobots lets crawlers in, but for the workspace, and names the
// sitemap.
func (s *Site) handleRobots(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	fmt.Fprintf(w, "User-agent: *\nDisallow: /admin/\nAllow: /\n\nSitemap: %s\n", s.srv.AbsoluteURL(r, "/sitemap.xml"))
}

// Sitemaps hold at most 50,000 URLs each (the protocol's limit): one file of
// fixed pages and countries, and as many files of updates as needed, listed
// in the index at /sitemap.xml.
const sitemapSize = 50000

type urlset struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemapIndex struct {
	XMLName  xml.Name     `xml:"sitemapindex"`
	NS       string       `xml:"xmlns,attr"`
	Sitemaps []sitemapURL `xml:"sitemap"`
}

const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

func (s *Site) handleSitemapIndex(w http.ResponseWriter, r *http.Request) {
	_, total, err := s.store.FindUpdates(r.Context(), civicmon.UpdateFilter{Statuses: published, Limit: 1})
	if err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	idx := sitemapIndex{NS: sitemapNS, Sitemaps: []sitemapURL{{Loc: s.srv.AbsoluteURL(r, "/sitemaps/pages.xml")}}}
	for i := 0; i*sitemapSize < total; i++ {
		idx.Sitemaps = append(idx.Sitemaps, sitemapURL{Loc: s.srv.AbsoluteURL(r, "/sitemaps/updates-"+strconv.Itoa(i+1)+".xml")})
	}
	writeXML(w, idx)
}

func (s *Site) handleSitemap(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, ok := s.siteData(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	set := urlset{NS: sitemapNS}
	add := func(path, lastmod string) {
		set.URLs = append(set.URLs, sitemapURL{Loc: s.srv.AbsoluteURL(r, path), LastMod: lastmod})
	}
	switch {
	case name == "pages.xml":
		for _, path := range []string{"/", "/countries", "/watchlist", "/methodology"} {
			add(path, "")
		}
		for _, reg := range civicmon.Regions {
			add("/regions/"+string(reg), "")
		}
		for _, f := range civicmon.Freedoms {
			add("/freedoms/"+string(f), "")
		}
		for _, t := range d.Vocab.Violations {
			add("/tags/"+t.Slug, "")
		}
		for _, c := range d.Countries {
			add("/countries/"+c.Slug, "")
		}
		for _, e := range d.Editions {
			add("/watchlist/"+e.PublishedOn.String(), "")
		}
	case strings.HasPrefix(name, "updates-") && strings.HasSuffix(name, ".xml"):
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "updates-"), ".xml"))
		if err != nil || n < 1 {
			s.srv.NotFound(w, r)
			return
		}
		// FindUpdates returns at most 1,000 at a time: skip to the file's
		// first update, then walk on by keyset. Only each chunk's URLs are
		// kept: 50,000 whole updates, bodies and all, would hold some
		// 200 MB for one crawler's request.
		f := civicmon.UpdateFilter{Statuses: published, Order: "oldest", Limit: 1000, Offset: (n - 1) * sitemapSize, SkipTotal: true}
		for seen := 0; seen < sitemapSize; {
			f.Limit = min(1000, sitemapSize-seen)
			chunk, _, err := s.store.FindUpdates(ctx, f)
			if err != nil {
				s.srv.Fail(w, r, err)
				return
			}
			seen += len(chunk)
			for _, item := range items(d, chunk) {
				add("/updates/"+item.Slug, item.PublishedOn.String())
				for _, t := range item.Translations {
					add("/updates/"+item.Slug+"/"+t.Language, item.PublishedOn.String())
				}
			}
			if len(chunk) < f.Limit {
				break
			}
			last := chunk[len(chunk)-1]
			f.Offset, f.After = 0, &civicmon.UpdateCursor{PublishedOn: last.PublishedOn, ID: last.ID}
		}
		if len(set.URLs) == 0 {
			s.srv.NotFound(w, r)
			return
		}
	default:
		s.srv.NotFound(w, r)
		return
	}
	writeXML(w, set)
}

func writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	fmt.Fprint(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	enc.Encode(v)
}
