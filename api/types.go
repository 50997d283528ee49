package api

import (
	"net/http"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/i18n"
	"github.com/civicmon/civicmon/web"
)

// The JSON representations of the API, described by openapi.json. Names
// are snake_case; dates are YYYY-MM-DD; an optional date or number that is
// unknown is null. The public ones are built only from the public
// projection (civicmon.PublicUpdate, PublicIncident): a private field
// cannot reach them.

type apiList[T any] struct {
	Data []T `json:"data"`
}

type apiPage[T any] struct {
	Data []T `json:"data"`
	// NextCursor continues the list; null on its last page.
	NextCursor *string `json:"next_cursor"`
}

func optDate(d civicmon.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

func optInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type apiRating struct {
	Country         string `json:"country"`
	EffectiveDate   string `json:"effective_date"`
	DateApproximate bool   `json:"date_approximate"`
	Score           *int   `json:"score"`
	Category        string `json:"category"`
	Rationale       string `json:"rationale"`
	Source          string `json:"source"`
}

func newAPIRating(r *civicmon.Rating) apiRating {
	return apiRating{Country: r.CountryCode, EffectiveDate: r.EffectiveDate.String(), DateApproximate: r.DateApproximate,
		Score: optInt(r.Score), Category: string(r.Category), Rationale: r.Rationale, Source: r.Source}
}

type apiCountry struct {
	Code   string     `json:"code"`
	Code3  string     `json:"code3"`
	Name   string     `json:"name"`
	Names  apiNames   `json:"names"`
	Slug   string     `json:"slug"`
	Region string     `json:"region"`
	Rating *apiRating `json:"rating"` // current; null for an unrated country
	URL    string     `json:"url"`
}

// apiNames is a name in each interface language, keyed by its tag.
type apiNames map[i18n.Lang]string

// countryNames names the country in every interface language, as the
// site's pages do, from its English name, the store's.
func countryNames(c *civicmon.Country) apiNames {
	n := apiNames{}
	for _, l := range i18n.Supported {
		n[l] = l.CountryName(c.Code, c.Name)
	}
	return n
}

type apiCountryDetail struct {
	apiCountry
	Ratings []apiRating `json:"ratings"` // in effect so far, oldest first
	// Watchlist lists the dates of the watchlist editions that name the
	// country, newest first.
	Watchlist []string `json:"watchlist"`
}

func (h *handler) newAPICountry(r *http.Request, d *web.SiteData, c *civicmon.Country) apiCountry {
	v := apiCountry{Code: c.Code, Code3: c.Code3, Name: c.Name, Names: countryNames(c), Slug: c.Slug, Region: string(c.Region),
		URL: h.srv.AbsoluteURL(r, "/countries/"+c.Slug)}
	if cur, ok := d.Current[c.Code]; ok {
		ar := newAPIRating(&cur)
		v.Rating = &ar
	}
	return v
}

type apiSource struct {
	URL         string  `json:"url"`
	Title       string  `json:"title"`
	Publisher   string  `json:"publisher"`
	PublishedOn *string `json:"published_on"`
}

type apiTranslation struct {
	Language string `json:"language"`
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	Body     string `json:"body"`
}

type apiIncident struct {
	Position        int     `json:"position"` // 1-based, in the update
	OccurredOn      *string `json:"occurred_on"`
	DateApproximate bool    `json:"date_approximate"`
	Freedom         string  `json:"freedom"`
	Violation       string  `json:"violation"`
	Target          *string `json:"target"`
	PeopleAffected  *int    `json:"people_affected"`
	Place           string  `json:"place"`
	Description     string  `json:"description"`
}

func newAPIIncident(pos int, in *civicmon.PublicIncident) apiIncident {
	return apiIncident{Position: pos, OccurredOn: optDate(in.OccurredOn), DateApproximate: in.DateApproximate,
		Freedom: string(in.Freedom), Violation: in.Violation, Target: optString(in.Target),
		PeopleAffected: optInt(in.PeopleAffected), Place: in.Place, Description: in.Description}
}

// apiIncidentRow is an incident in the flat list, with its update.
type apiIncidentRow struct {
	UpdateID          string `json:"update_id"`
	UpdateSlug        string `json:"update_slug"`
	Country           string `json:"country"`
	UpdatePublishedOn string `json:"update_published_on"`
	apiIncident
}

type apiUpdate struct {
	ID              string           `json:"id"`
	Slug            string           `json:"slug"`
	Country         string           `json:"country"`
	Title           string           `json:"title"`
	Summary         string           `json:"summary"`
	Body            string           `json:"body"` // Markdown
	PublishedOn     string           `json:"published_on"`
	DateApproximate bool             `json:"date_approximate"`
	PeriodStart     *string          `json:"period_start"`
	PeriodEnd       *string          `json:"period_end"`
	Freedoms        []string         `json:"freedoms"`
	Violations      []string         `json:"violations"`
	Partner         string           `json:"partner"`
	Language        string           `json:"language"`
	Sources         []apiSource      `json:"sources"`
	Translations    []apiTranslation `json:"translations"`
	Incidents       []apiIncident    `json:"incidents"`
	URL             string           `json:"url"`
}

type apiCorrection struct {
	Date string `json:"date"`
	Note string `json:"note"`
}

type apiUpdateDetail struct {
	apiUpdate
	Corrections []apiCorrection `json:"corrections"`
}

// newAPIUpdate builds the public representation from the public
// projection, and from nothing else.
func (h *handler) newAPIUpdate(r *http.Request, pu *civicmon.PublicUpdate) apiUpdate {
	v := apiUpdate{ID: pu.UID, Slug: pu.Slug, Country: pu.CountryCode, Title: pu.Title, Summary: pu.Summary, Body: pu.Body,
		PublishedOn: pu.PublishedOn.String(), DateApproximate: pu.DateApproximate,
		PeriodStart: optDate(pu.PeriodStart), PeriodEnd: optDate(pu.PeriodEnd),
		Freedoms: freedomSlugs(pu.Freedoms), Violations: nonNilStrings(pu.Violations), Partner: pu.Partner, Language: pu.Language,
		Sources: []apiSource{}, Translations: []apiTranslation{}, Incidents: []apiIncident{},
		URL: h.srv.AbsoluteURL(r, "/updates/"+pu.Slug)}
	for _, src := range pu.Sources {
		v.Sources = append(v.Sources, apiSource{URL: src.URL, Title: src.Title, Publisher: src.Publisher, PublishedOn: optDate(src.PublishedOn)})
	}
	for _, t := range pu.Translations {
		v.Translations = append(v.Translations, apiTranslation(t))
	}
	for i := range pu.Incidents {
		v.Incidents = append(v.Incidents, newAPIIncident(i+1, &pu.Incidents[i]))
	}
	return v
}

func freedomSlugs(fs []civicmon.Freedom) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type apiWatchlistEntry struct {
	Country   string `json:"country"`
	Narrative string `json:"narrative"` // Markdown
}

type apiWatchlistEdition struct {
	PublishedOn     string              `json:"published_on"`
	DateApproximate bool                `json:"date_approximate"`
	Title           string              `json:"title"`
	Introduction    string              `json:"introduction"` // Markdown
	Entries         []apiWatchlistEntry `json:"entries"`
	URL             string              `json:"url"`
}

func (h *handler) newAPIEdition(r *http.Request, e *civicmon.WatchlistEdition) apiWatchlistEdition {
	v := apiWatchlistEdition{PublishedOn: e.PublishedOn.String(), DateApproximate: e.DateApproximate, Title: e.Title,
		Introduction: e.Introduction, Entries: []apiWatchlistEntry{}, URL: h.srv.AbsoluteURL(r, "/watchlist/"+e.PublishedOn.String())}
	for _, en := range e.Entries {
		v.Entries = append(v.Entries, apiWatchlistEntry{Country: en.CountryCode, Narrative: en.Narrative})
	}
	return v
}

type apiTerm struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type apiCategory struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	MinScore int    `json:"min_score"`
	MaxScore int    `json:"max_score"`
}

type apiVocabularies struct {
	Freedoms   []apiTerm     `json:"freedoms"`
	Violations []apiTerm     `json:"violations"`
	Targets    []apiTerm     `json:"targets"`
	Regions    []apiTerm     `json:"regions"`
	Categories []apiCategory `json:"categories"`
	Statuses   []string      `json:"statuses"`
	Actions    []string      `json:"actions"`
}

// The editorial representation: the whole record, private fields
// included, for the token holders who may edit it (civicmon.CanView).
// It is only ever returned by the authenticated operations.

type apiEditorialSource struct {
	URL         string  `json:"url"`
	Title       string  `json:"title"`
	Publisher   string  `json:"publisher"`
	PublishedOn *string `json:"published_on"`
	Contact     string  `json:"contact"`
}

type apiEditorialIncident struct {
	apiIncident
	VictimName string `json:"victim_name"`
}

type apiEditorialUpdate struct {
	ID              string                 `json:"id"`
	Slug            string                 `json:"slug"`
	Status          string                 `json:"status"`
	Country         string                 `json:"country"`
	Title           string                 `json:"title"`
	Summary         string                 `json:"summary"`
	Body            string                 `json:"body"`
	PublishedOn     *string                `json:"published_on"`
	DateApproximate bool                   `json:"date_approximate"`
	PeriodStart     *string                `json:"period_start"`
	PeriodEnd       *string                `json:"period_end"`
	Freedoms        []string               `json:"freedoms"`
	Violations      []string               `json:"violations"`
	Partner         string                 `json:"partner"`
	Language        string                 `json:"language"`
	Sources         []apiEditorialSource   `json:"sources"`
	Translations    []apiTranslation       `json:"translations"`
	Incidents       []apiEditorialIncident `json:"incidents"`
	InternalNotes   string                 `json:"internal_notes"`
	CreatedAt       string                 `json:"created_at"`
	UpdatedAt       string                 `json:"updated_at"`
	// Version counts the update's saves; the ETag names it.
	Version int64 `json:"version"`
	// URL is the public page: null until the update is published.
	URL *string `json:"url"`
}

func (h *handler) newAPIEditorialUpdate(r *http.Request, u *civicmon.Update) apiEditorialUpdate {
	v := apiEditorialUpdate{ID: u.UID, Slug: u.Slug, Status: string(u.Status), Country: u.CountryCode, Title: u.Title,
		Summary: u.Summary, Body: u.Body, PublishedOn: optDate(u.PublishedOn), DateApproximate: u.DateApproximate,
		PeriodStart: optDate(u.PeriodStart), PeriodEnd: optDate(u.PeriodEnd), Freedoms: freedomSlugs(u.Freedoms.List()),
		Violations: nonNilStrings(u.Violations), Partner: u.Partner, Language: u.Language,
		Sources: []apiEditorialSource{}, Translations: []apiTranslation{}, Incidents: []apiEditorialIncident{},
		InternalNotes: u.InternalNotes, CreatedAt: u.CreatedAt.UTC().Format(time.RFC3339), UpdatedAt: u.UpdatedAt.UTC().Format(time.RFC3339),
		Version: u.Version}
	for _, src := range u.Sources {
		v.Sources = append(v.Sources, apiEditorialSource{URL: src.URL, Title: src.Title, Publisher: src.Publisher,
			PublishedOn: optDate(src.PublishedOn), Contact: src.Contact})
	}
	for _, t := range u.Translations {
		v.Translations = append(v.Translations, apiTranslation(t))
	}
	for i, in := range u.Incidents {
		pub := civicmon.PublicIncident{OccurredOn: in.OccurredOn, DateApproximate: in.DateApproximate, Freedom: in.Freedom,
			Violation: in.Violation, Target: in.Target, PeopleAffected: in.PeopleAffected, Place: in.Place, Description: in.Description}
		v.Incidents = append(v.Incidents, apiEditorialIncident{apiIncident: newAPIIncident(i+1, &pub), VictimName: in.VictimName})
	}
	if u.Published() {
		url := h.srv.AbsoluteURL(r, "/updates/"+u.Slug)
		v.URL = &url
	}
	return v
}

// apiUpdateInput is the body of POST /api/v1/updates and PUT
// /api/v1/updates/{id}. Dates are strings here so that a bad one is
// reported with its field's name.
type apiUpdateInput struct {
	Country         string             `json:"country"`
	Title           string             `json:"title"`
	Slug            string             `json:"slug"`
	Summary         string             `json:"summary"`
	Body            string             `json:"body"`
	PublishedOn     string             `json:"published_on"`
	DateApproximate bool               `json:"date_approximate"`
	PeriodStart     string             `json:"period_start"`
	PeriodEnd       string             `json:"period_end"`
	Freedoms        []string           `json:"freedoms"`
	Violations      []string           `json:"violations"`
	Partner         string             `json:"partner"`
	Language        string             `json:"language"`
	Sources         []apiSourceInput   `json:"sources"`
	Translations    []apiTranslation   `json:"translations"`
	Incidents       []apiIncidentInput `json:"incidents"`
	InternalNotes   string             `json:"internal_notes"`
	CorrectionNote  string             `json:"correction_note"`
}

type apiSourceInput struct {
	URL         string `json:"url"`
	Title       string `json:"title"`
	Publisher   string `json:"publisher"`
	PublishedOn string `json:"published_on"`
	Contact     string `json:"contact"`
}

type apiIncidentInput struct {
	OccurredOn      string `json:"occurred_on"`
	DateApproximate bool   `json:"date_approximate"`
	Freedom         string `json:"freedom"`
	Violation       string `json:"violation"`
	Target          string `json:"target"`
	PeopleAffected  int    `json:"people_affected"`
	Place           string `json:"place"`
	Description     string `json:"description"`
	VictimName      string `json:"victim_name"`
}
