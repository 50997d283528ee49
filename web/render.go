package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/i18n"
	"github.com/civicmon/civicmon/worldmap"
)

//go:embed static
var staticFiles embed.FS

// assets are the static files with a content hash in their URL, so they can
// be cached for a year and still change when they do.
type assets struct {
	byURL map[string]asset
	urls  map[string]string // "style.css" → "/static/style.3f2a9c1b.css"
}

type asset struct {
	body        []byte
	contentType string
	etag        string
}

func loadAssets() (*assets, error) {
	a := &assets{byURL: map[string]asset{}, urls: map[string]string{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		if p == "static/style.css" {
			// The map's own rules travel in the one stylesheet.
			b = append(b, worldmap.CSS()...)
		}
		sum := sha256.Sum256(b)
		h := hex.EncodeToString(sum[:])[:10]
		name := strings.TrimPrefix(p, "static/")
		ext := path.Ext(name)
		u := "/static/" + strings.TrimSuffix(name, ext) + "." + h + ext
		ct := map[string]string{".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8",
			".js": "text/javascript; charset=utf-8", ".ico": "image/x-icon", ".png": "image/png"}[ext]
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.byURL[u] = asset{body: b, contentType: ct, etag: `"` + h + `"`}
		a.urls[name] = u
		return nil
	})
	return a, err
}

// URL returns the fingerprinted URL of a static file.
func (a *assets) URL(name string) string {
	if u, ok := a.urls[name]; ok {
		return u
	}
	panic("web: no static file " + name)
}

// Page is what every page's markup gets besides its own data: the
// request's language, its links, and the signed-in account if any.
type Page struct {
	Lang        i18n.Lang
	Title       string
	Description string
	Path        string // canonical path, without the language parameter
	explicit    bool   // the language was chosen by ?lang=, so links carry it
	Query       url.Values
	CSS         string
	Feeds       []FeedLink
	NoIndex     bool
	Embed       bool
	// The workspace: the signed-in account and the form token.
	User *civicmon.User
	CSRF string
}

// Can reports whether the page's account holds a permission.
func (p *Page) Can(perm string) bool {
	return p.User != nil && p.User.Role.Can(civicmon.Permission(perm))
}

// FeedLink announces a feed of the page in its <head>.
type FeedLink struct{ Type, Title, Href string }

// T translates a message into the page's language.
func (p *Page) T(msg string, args ...any) string { return p.Lang.T(msg, args...) }

// Link returns path with the page's language parameter when the reader
// chose the language explicitly.
func (p *Page) Link(path string) string {
	if !p.explicit {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "lang=" + string(p.Lang)
}

// LangLink links to this page in another language.
func (p *Page) LangLink(l i18n.Lang) string {
	q := url.Values{}
	for k, v := range p.Query {
		if k != "lang" {
			q[k] = v
		}
	}
	q.Set("lang", string(l))
	return p.Path + "?" + q.Encode()
}

// N is a count for T's %d, its digits grouped as the page's language
// groups them ("1,234", "1 234").
func (p *Page) N(n int) i18n.Number { return p.Lang.N(n) }

// Num is a count on its own, written in the page's language.
func (p *Page) Num(n int) string { return fmt.Sprintf("%d", p.Lang.N(n)) }

// N64 is N for a large count (people, a population).
func (p *Page) N64(n int64) i18n.Number { return p.Lang.N64(n) }

// Percent is a share (0–1) as a percentage with one decimal, written in
// the page's language: "89.1%", "89,1 %".
func (p *Page) Percent(share float64) string { return p.Lang.Percent(share, 1) }

// Date formats a date in the page's language; approximate dates say so.
func (p *Page) Date(d civicmon.Date) string { return p.Lang.Date(d.Time()) }

func (p *Page) ApproxDate(d civicmon.Date, approximate bool) string {
	if approximate {
		return p.T("about %s", p.Lang.MonthYear(d.Time()))
	}
	return p.Lang.Date(d.Time())
}

func (p *Page) MonthYear(d civicmon.Date) string { return p.Lang.MonthYear(d.Time()) }

// Category is a rating category's word in the page's language.
func (p *Page) Category(c civicmon.Category) string { return p.T(c.Name()) }

// StatusName is an update status in words.
func (p *Page) StatusName(s civicmon.Status) string {
	switch s {
	case civicmon.StatusDraft:
		return p.T("Draft")
	case civicmon.StatusInReview:
		return p.T("In review")
	case civicmon.StatusPublished:
		return p.T("Published")
	case civicmon.StatusArchived:
		return p.T("Archived")
	}
	return string(s)
}

// ActionName is a workflow step as its button says it.
func (p *Page) ActionName(a civicmon.Action) string {
	switch a {
	case civicmon.ActionSubmit:
		return p.T("Submit for review")
	case civicmon.ActionRequestChanges:
		return p.T("Request changes")
	case civicmon.ActionPublish:
		return p.T("Publish")
	case civicmon.ActionUnpublish:
		return p.T("Unpublish")
	case civicmon.ActionArchive:
		return p.T("Archive")
	}
	return p.T("Save")
}

func (p *Page) Region(r civicmon.Region) string { return p.T(r.Name()) }

func (p *Page) Freedom(f civicmon.Freedom) string { return p.T(f.Name()) }

// Render writes a page: the layout around content. It renders into a
// buffer first, so that an error becomes a 500 page instead of half a page.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, status int, p *Page, content templ.Component) {
	p.CSS = s.assets.URL("style.css")
	var buf bytes.Buffer
	if err := s.writePage(r.Context(), &buf, p, content); err != nil {
		s.log.Error("render", "path", r.URL.Path, "err", err)
		s.ServerError(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", string(p.Lang))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// writePage writes the layout around content.
func (s *Server) writePage(ctx context.Context, b *bytes.Buffer, p *Page, content templ.Component) error {
	return Layout(p, content).Render(ctx, b)
}

// StaticURL is the fingerprinted URL of a static file ("search.js").
func (s *Server) StaticURL(name string) string { return s.assets.URL(name) }

// StaticFiles returns the URL of every static file (/static/…), for the
// mirror to copy them all.
func (s *Server) StaticFiles() []string {
	out := make([]string, 0, len(s.assets.byURL))
	for u := range s.assets.byURL {
		out = append(out, u)
	}
	return out
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := s.assets.byURL[r.URL.Path]
	if !ok {
		s.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", a.etag)
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}
