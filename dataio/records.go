// Package dataio moves civicmon's public data in and out: exports as CSV,
// JSON and NDJSON, streamed with no row cap, and imports of those formats
// and of country-page text dossiers, all or nothing, with errors that name
// the file, line, column or field and what to fix.
//
// Exports carry only the public projection (civicmon.PublicUpdate): an
// export is published data, safe to hand to anyone. Importing an export
// into an empty database and exporting again gives the same bytes.
package dataio

import (
	"github.com/civicmon/civicmon"
)

// Format is an export or import format.
type Format string

const (
	NDJSON Format = "ndjson"
	JSON   Format = "json"
	CSV    Format = "csv"
)

// Table names the tables a CSV export writes, one per file.
type Table string

const (
	Countries Table = "countries"
	Ratings   Table = "ratings"
	Updates   Table = "updates"
	Incidents Table = "incidents"
)

// Tables lists the CSV tables in the order an import needs them.
var Tables = []Table{Countries, Ratings, Incidents, Updates}

// CountryRecord is a country as exported.
type CountryRecord struct {
	Type   string          `json:"type,omitempty"` // "country" in NDJSON
	Code   string          `json:"code"`
	Code3  string          `json:"code3"`
	Name   string          `json:"name"`
	Slug   string          `json:"slug"`
	Region civicmon.Region `json:"region"`
}

// RatingRecord is a rating as exported.
type RatingRecord struct {
	Type            string            `json:"type,omitempty"` // "rating" in NDJSON
	Country         string            `json:"country"`
	EffectiveDate   civicmon.Date     `json:"effective_date"`
	DateApproximate bool              `json:"date_approximate"`
	Score           int               `json:"score,omitempty"`
	Category        civicmon.Category `json:"category"`
	Rationale       string            `json:"rationale"`
	Source          string            `json:"source"`
}

// UpdateRecord is a published update as exported: its public projection.
type UpdateRecord struct {
	Type string `json:"type,omitempty"` // "update" in NDJSON
	civicmon.PublicUpdate
}

func countryRecord(c civicmon.Country) CountryRecord {
	return CountryRecord{Code: c.Code, Code3: c.Code3, Name: c.Name, Slug: c.Slug, Region: c.Region}
}

func (r CountryRecord) country() civicmon.Country {
	return civicmon.Country{Code: r.Code, Code3: r.Code3, Name: r.Name, Slug: r.Slug, Region: r.Region}
}

func ratingRecord(r civicmon.Rating) RatingRecord {
	return RatingRecord{Country: r.CountryCode, EffectiveDate: r.EffectiveDate, DateApproximate: r.DateApproximate,
		Score: r.Score, Category: r.Category, Rationale: r.Rationale, Source: r.Source}
}

func (r RatingRecord) rating() civicmon.Rating {
	return civicmon.Rating{CountryCode: r.Country, EffectiveDate: r.EffectiveDate, DateApproximate: r.DateApproximate,
		Score: r.Score, Category: r.Category, Rationale: r.Rationale, Source: r.Source}
}

// update turns an imported record into a published update. Private
// fields stay empty: an export has none.
func (r UpdateRecord) update() civicmon.Update {
	p := r.PublicUpdate
	u := civicmon.Update{UID: p.UID, Slug: p.Slug, CountryCode: p.CountryCode, Title: p.Title, Summary: p.Summary,
		Body: p.Body, PublishedOn: p.PublishedOn, DateApproximate: p.DateApproximate, PeriodStart: p.PeriodStart,
		PeriodEnd: p.PeriodEnd, Freedoms: civicmon.NewFreedomSet(p.Freedoms...), Violations: p.Violations,
		Partner: p.Partner, Language: p.Language, Translations: p.Translations, Status: civicmon.StatusPublished}
	for _, s := range p.Sources {
		u.Sources = append(u.Sources, civicmon.Source{URL: s.URL, Title: s.Title, Publisher: s.Publisher, PublishedOn: s.PublishedOn})
	}
	for _, in := range p.Incidents {
		u.Incidents = append(u.Incidents, civicmon.Incident{OccurredOn: in.OccurredOn, DateApproximate: in.DateApproximate,
			Freedom: in.Freedom, Violation: in.Violation, Target: in.Target, PeopleAffected: in.PeopleAffected,
			Place: in.Place, Description: in.Description})
	}
	return u
}
