package civicmon

// The public projection. Every public surface — pages, feeds, API, search,
// exports, sitemap, static mirror — renders these types and never the
// records they come from, so a private field cannot leak by a template or
// encoder forgetting to leave it out: it is simply not there.

// PublicSource is a source without the researcher's contact for it.
type PublicSource struct {
	URL         string `json:"url,omitempty"`
	Title       string `json:"title,omitempty"`
	Publisher   string `json:"publisher,omitempty"`
	PublishedOn Date   `json:"published_on,omitzero"`
}

// PublicIncident is an incident without the victim's name.
type PublicIncident struct {
	OccurredOn      Date    `json:"occurred_on,omitzero"`
	DateApproximate bool    `json:"date_approximate,omitempty"`
	Freedom         Freedom `json:"freedom"`
	Violation       string  `json:"violation"`
	Target          string  `json:"target,omitempty"`
	PeopleAffected  int     `json:"people_affected,omitempty"`
	Place           string  `json:"place,omitempty"`
	Description     string  `json:"description,omitempty"`
}

// PublicUpdate is what the public may see of a published update: no
// internal notes, no author, no source contacts, no victims' names.
type PublicUpdate struct {
	UID             string           `json:"id"`
	Slug            string           `json:"slug"`
	CountryCode     string           `json:"country"`
	Title           string           `json:"title"`
	Summary         string           `json:"summary"`
	Body            string           `json:"body"`
	PublishedOn     Date             `json:"published_on"`
	DateApproximate bool             `json:"date_approximate,omitempty"`
	PeriodStart     Date             `json:"period_start,omitzero"`
	PeriodEnd       Date             `json:"period_end,omitzero"`
	Freedoms        []Freedom        `json:"freedoms"`
	Violations      []string         `json:"violations"`
	Partner         string           `json:"partner,omitempty"`
	Sources         []PublicSource   `json:"sources"`
	Language        string           `json:"language"`
	Translations    []Translation    `json:"translations,omitempty"`
	Incidents       []PublicIncident `json:"incidents"`
}

// Public returns the public projection of u, and false when u is not
// published and so has no public face at all.
func (u *Update) Public() (PublicUpdate, bool) {
	if !u.Published() {
		return PublicUpdate{}, false
	}
	p := PublicUpdate{
		UID: u.UID, Slug: u.Slug, CountryCode: u.CountryCode,
		Title: u.Title, Summary: u.Summary, Body: u.Body,
		PublishedOn: u.PublishedOn, DateApproximate: u.DateApproximate,
		PeriodStart: u.PeriodStart, PeriodEnd: u.PeriodEnd,
		Freedoms:   u.Freedoms.List(),
		Violations: append([]string{}, u.Violations...),
		Partner:    u.Partner, Language: u.Language,
		Translations: append([]Translation(nil), u.Translations...),
		Sources:      make([]PublicSource, len(u.Sources)),
		Incidents:    make([]PublicIncident, len(u.Incidents)),
	}
	for i, s := range u.Sources {
		p.Sources[i] = PublicSource{URL: s.URL, Title: s.Title, Publisher: s.Publisher, PublishedOn: s.PublishedOn}
	}
	for i, in := range u.Incidents {
		p.Incidents[i] = PublicIncident{
			OccurredOn: in.OccurredOn, DateApproximate: in.DateApproximate,
			Freedom: in.Freedom, Violation: in.Violation, Target: in.Target,
			PeopleAffected: in.PeopleAffected, Place: in.Place, Description: in.Description,
		}
	}
	return p, true
}
