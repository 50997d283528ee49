package web

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/i18n"
)

// SiteData is the small, often-read reference data every page needs:
// countries, their current ratings, the vocabularies and the watchlist.
// It is loaded once per data generation (which turns over when the data
// changes or the day does), not per request.
type SiteData struct {
	Countries []civicmon.Country // by name
	ByCode    map[string]*civicmon.Country
	BySlug    map[string]*civicmon.Country
	Current   map[string]civicmon.Rating
	Vocab     *civicmon.Vocabulary
	// Editions are the public watchlist editions, newest first: an edition
	// dated after today is scheduled, and not here until its day
	// (civicmon.PublicEditions). The workspace reads every edition from
	// the store.
	Editions []civicmon.WatchlistEdition
	// Lang is the language of the countries' names, and of the
	// translated fields: English as the store has them, or another that
	// In made.
	Lang  i18n.Lang
	langs *langViews
	// fields are the reviewed translations of records' fields, by
	// kind, record and language (machine drafts are not public).
	fields map[fieldKey]string
}

type fieldKey struct {
	kind         civicmon.FieldKind
	record, lang string
}

// Field is a record's field in the data's language: its reviewed
// translation, with that language, or the original and "".
func (d *SiteData) Field(kind civicmon.FieldKind, record, original string) (text, lang string) {
	if t, ok := d.fields[fieldKey{kind, record, string(d.Lang)}]; ok {
		return t, string(d.Lang)
	}
	return original, ""
}

// langViews holds, per generation, SiteData in each language, made once.
type langViews struct {
	mu sync.Mutex
	m  map[i18n.Lang]*SiteData
}

// In returns the data with the countries named in language l (CLDR's
// names, with CIVICUS's where they differ) and sorted by l's alphabetical
// order; everything else is shared with d. Slugs and codes stay.
func (d *SiteData) In(l i18n.Lang) *SiteData {
	if d.langs == nil || d.Lang == l {
		return d
	}
	d.langs.mu.Lock()
	defer d.langs.mu.Unlock()
	if v := d.langs.m[l]; v != nil {
		return v
	}
	v := *d
	v.Lang = l
	v.Countries = make([]civicmon.Country, len(d.Countries))
	for i, c := range d.Countries {
		c.Name = l.CountryName(c.Code, c.Name)
		v.Countries[i] = c
	}
	i18n.SortBy(l, v.Countries, func(c *civicmon.Country) string { return c.Name })
	v.ByCode, v.BySlug = map[string]*civicmon.Country{}, map[string]*civicmon.Country{}
	for i := range v.Countries {
		c := &v.Countries[i]
		v.ByCode[c.Code], v.BySlug[c.Slug] = c, c
	}
	// The watchlist's titles and narratives and the vocabulary's terms
	// where a reviewed translation exists.
	v.Editions = make([]civicmon.WatchlistEdition, len(d.Editions))
	for i, ed := range d.Editions {
		day := ed.PublishedOn.String()
		ed.Title, _ = v.Field(civicmon.FieldWatchlistTitle, day, ed.Title)
		ed.Entries = append([]civicmon.WatchlistEntry(nil), ed.Entries...)
		for j := range ed.Entries {
			e := &ed.Entries[j]
			e.Narrative, _ = v.Field(civicmon.FieldWatchlistNarrative, day+"/"+e.CountryCode, e.Narrative)
		}
		v.Editions[i] = ed
	}
	if d.Vocab != nil {
		terms := func(kind civicmon.FieldKind, ts []civicmon.Term) []civicmon.Term {
			out := make([]civicmon.Term, len(ts))
			for i, t := range ts {
				t.Name, _ = v.Field(kind, t.Slug, t.Name)
				out[i] = t
			}
			return out
		}
		v.Vocab = civicmon.NewVocabulary(terms(civicmon.FieldViolation, d.Vocab.Violations), terms(civicmon.FieldTarget, d.Vocab.Targets))
	}
	d.langs.m[l] = &v
	return &v
}

type siteCache struct {
	mu   sync.Mutex
	gen  generation
	data *SiteData
}

func (s *Server) SiteData(ctx context.Context) (*SiteData, error) {
	gen := s.Generation()
	s.site.mu.Lock()
	defer s.site.mu.Unlock()
	if s.site.data != nil && s.site.gen == gen {
		return s.site.data, nil
	}
	st := s.cfg.Store
	d := &SiteData{ByCode: map[string]*civicmon.Country{}, BySlug: map[string]*civicmon.Country{},
		Lang: i18n.English, langs: &langViews{m: map[i18n.Lang]*SiteData{}}}
	var err error
	if d.Countries, err = st.Countries(ctx); err != nil {
		return nil, err
	}
	if d.Current, err = st.CurrentRatings(ctx, gen.day); err != nil {
		return nil, err
	}
	if d.Vocab, err = st.Vocabulary(ctx); err != nil {
		return nil, err
	}
	eds, err := st.WatchlistEditions(ctx)
	if err != nil {
		return nil, err
	}
	d.Editions = civicmon.PublicEditions(eds, gen.day)
	fts, err := st.FieldTranslations(ctx)
	if err != nil {
		return nil, err
	}
	d.fields = map[fieldKey]string{}
	for _, f := range fts {
		if f.Status == civicmon.TranslationReviewed {
			d.fields[fieldKey{f.Kind, f.Record, f.Lang}] = f.Text
		}
	}
	// The store sorts by byte order; English readers get their alphabet's.
	i18n.SortBy(i18n.English, d.Countries, func(c *civicmon.Country) string { return c.Name })
	for i := range d.Countries {
		c := &d.Countries[i]
		d.ByCode[c.Code], d.BySlug[c.Slug] = c, c
	}
	s.site.gen, s.site.data = gen, d
	return d, nil
}

// published is the status a public list asks the store for.
var published = []civicmon.Status{civicmon.StatusPublished}

// AbsoluteURL makes a permalink, from BaseURL when configured.
func (s *Server) AbsoluteURL(r *http.Request, path string) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL + path
	}
	scheme := "http"
	if s.Secure(r) { // TLS here, or a trusted proxy's X-Forwarded-Proto
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// ConfiguredURL makes an absolute URL from BaseURL alone, never from the
// request: for links that leave the request, such as those in mail, which
// a forged Host header must not redirect. ok is false without a BaseURL.
func (s *Server) ConfiguredURL(path string) (u string, ok bool) {
	if s.cfg.BaseURL == "" {
		return "", false
	}
	return s.cfg.BaseURL + path, true
}

// currentEdition is the newest watchlist edition, or nil.
func (d *SiteData) CurrentEdition() *civicmon.WatchlistEdition {
	if len(d.Editions) == 0 {
		return nil
	}
	return &d.Editions[0]
}

// CountryView is a country as pages show it: with its current rating.
type CountryView struct {
	civicmon.Country
	Rating *civicmon.Rating
	Count  int // updates, where a page counts them
}

func (d *SiteData) View(c *civicmon.Country) CountryView {
	v := CountryView{Country: *c}
	if r, ok := d.Current[c.Code]; ok {
		v.Rating = &r
	}
	return v
}

// Language is the interface language of a request (see language).
func (s *Server) Language(r *http.Request) i18n.Lang {
	l, _ := s.language(r)
	return l
}

// language is the interface language of a request: ?lang= when the reader
// chose one, else the language a route names in its path (a translation's
// page, /updates/{slug}/ru), else the best match of Accept-Language.
func (s *Server) language(r *http.Request) (i18n.Lang, bool) {
	if v := r.URL.Query().Get("lang"); v != "" {
		if l, ok := i18n.Parse(v); ok {
			return l, true
		}
	}
	if v := r.PathValue("lang"); v != "" {
		if l, ok := i18n.Parse(v); ok && string(l) == strings.ToLower(v) {
			return l, true
		}
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language")), false
}

// newPage starts a page for the request.
func (s *Server) NewPage(r *http.Request, title string) *Page {
	lang, explicit := s.language(r)
	return &Page{Lang: lang, explicit: explicit, Title: title, Path: r.URL.Path, Query: r.URL.Query()}
}
