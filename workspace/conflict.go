package workspace

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

// conflictData is what the conflict page shows beside the form: the
// record as someone else saved it while the person's form was open, field
// by field against the person's.
type conflictData struct {
	Base    int64  // the version the person's form was opened at
	Now     int64  // the version saved meanwhile
	By      string // who saved it last, "" when not known
	At      time.Time
	Rows    []diffRow
	Discard string // where "take the saved version" leads: the form as saved
}

// diffRow is one field of both versions.
type diffRow struct {
	Field   string // what a "take theirs" button names: take-FIELD; "" for none
	Label   string
	Mine    string
	Theirs  string
	Changed bool
}

// Changed counts the fields that differ.
func (c *conflictData) Changed() int {
	n := 0
	for _, r := range c.Rows {
		if r.Changed {
			n++
		}
	}
	return n
}

// lastSaver names who saved the record last, from its history.
func (h *handler) lastSaver(ctx context.Context, entity string, id int64) string {
	revs, err := h.store.Revisions(ctx, entity, id)
	if err != nil || len(revs) == 0 || revs[len(revs)-1].UserID == 0 {
		return ""
	}
	u, err := h.store.UserByID(ctx, revs[len(revs)-1].UserID)
	if err != nil {
		return ""
	}
	return u.Name
}

func (h *handler) updateConflict(ctx context.Context, p *web.Page, mine, theirs *civicmon.Update, base int64) *conflictData {
	return &conflictData{Base: base, Now: theirs.Version, By: h.lastSaver(ctx, "update", theirs.ID), At: theirs.UpdatedAt,
		Rows: h.updateDiffs(ctx, p, mine, theirs), Discard: fmt.Sprintf("/admin/updates/%d", theirs.ID)}
}

// updateDiffs is both versions of an update field by field, with the
// form's labels.
func (h *handler) updateDiffs(ctx context.Context, p *web.Page, mine, theirs *civicmon.Update) []diffRow {
	countries := map[string]string{}
	if site, err := h.srv.SiteData(ctx); err == nil {
		for _, c := range site.Countries {
			countries[c.Code] = c.Name
		}
	}
	yes := func(b bool) string {
		if b {
			return p.T("yes")
		}
		return p.T("no")
	}
	freedoms := func(s civicmon.FreedomSet) string {
		var names []string
		for _, f := range s.List() {
			names = append(names, p.Freedom(f))
		}
		return strings.Join(names, ", ")
	}
	incidents := func(ins []civicmon.Incident) string {
		var b strings.Builder
		for i, in := range ins {
			fmt.Fprintf(&b, "%s: %s; %s; %s; %s; %s; %s; %s; %s\n", p.T("Incident %d", i+1), in.OccurredOn, p.Freedom(in.Freedom),
				in.Violation, in.Target, blankZero(in.PeopleAffected), in.Place, in.Description, in.VictimName)
		}
		return b.String()
	}
	sources := func(ss []civicmon.Source) string {
		var b strings.Builder
		for i, s := range ss {
			fmt.Fprintf(&b, "%s: %s; %s; %s; %s; %s\n", p.T("Source %d", i+1), s.URL, s.Title, s.Publisher, s.PublishedOn, s.Contact)
		}
		return b.String()
	}
	translations := func(ts []civicmon.Translation) string {
		var b strings.Builder
		for _, t := range ts {
			fmt.Fprintf(&b, "[%s] %s\n%s\n%s\n\n", t.Language, t.Title, t.Summary, t.Body)
		}
		return b.String()
	}
	rows := []diffRow{
		{"country", p.T("Country"), countries[mine.CountryCode], countries[theirs.CountryCode], false},
		{"title", p.T("Title"), mine.Title, theirs.Title, false},
		{"slug", p.T("Address (slug)"), mine.Slug, theirs.Slug, false},
		{"summary", p.T("Summary"), mine.Summary, theirs.Summary, false},
		{"body", p.T("Text (Markdown)"), mine.Body, theirs.Body, false},
		{"published_on", p.T("Publication date"), mine.PublishedOn.String(), theirs.PublishedOn.String(), false},
		{"date_approximate", p.T("The date is approximate"), yes(mine.DateApproximate), yes(theirs.DateApproximate), false},
		{"period_start", p.T("Reporting period from"), mine.PeriodStart.String(), theirs.PeriodStart.String(), false},
		{"period_end", p.T("Reporting period to"), mine.PeriodEnd.String(), theirs.PeriodEnd.String(), false},
		{"partner", p.T("Research partner (public credit)"), mine.Partner, theirs.Partner, false},
		{"language", p.T("Language of the text"), mine.Language, theirs.Language, false},
		{"freedoms", p.T("Freedoms"), freedoms(mine.Freedoms), freedoms(theirs.Freedoms), false},
		{"violations", p.T("Violations"), strings.Join(mine.Violations, ", "), strings.Join(theirs.Violations, ", "), false},
		{"incidents", p.T("Incidents"), incidents(mine.Incidents), incidents(theirs.Incidents), false},
		{"sources", p.T("Sources"), sources(mine.Sources), sources(theirs.Sources), false},
		{"translations", p.T("Translations"), translations(mine.Translations), translations(theirs.Translations), false},
		{"internal_notes", p.T("Internal notes (never public)"), mine.InternalNotes, theirs.InternalNotes, false},
		{"", p.T("Status"), p.StatusName(theirs.Status), p.StatusName(theirs.Status), false},
	}
	for i := range rows {
		rows[i].Changed = strings.TrimSpace(rows[i].Mine) != strings.TrimSpace(rows[i].Theirs)
	}
	return rows
}

// takeField gives u the saved update's value of the field a conflict
// page's "take theirs" button names.
func takeField(u, theirs *civicmon.Update, field string) {
	switch field {
	case "country":
		u.CountryCode = theirs.CountryCode
	case "title":
		u.Title = theirs.Title
	case "slug":
		u.Slug = theirs.Slug
	case "summary":
		u.Summary = theirs.Summary
	case "body":
		u.Body = theirs.Body
	case "published_on":
		u.PublishedOn = theirs.PublishedOn
	case "date_approximate":
		u.DateApproximate = theirs.DateApproximate
	case "period_start":
		u.PeriodStart = theirs.PeriodStart
	case "period_end":
		u.PeriodEnd = theirs.PeriodEnd
	case "partner":
		u.Partner = theirs.Partner
	case "language":
		u.Language = theirs.Language
	case "freedoms":
		u.Freedoms = theirs.Freedoms
	case "violations":
		u.Violations = slices.Clone(theirs.Violations)
	case "incidents":
		u.Incidents = slices.Clone(theirs.Incidents)
	case "sources":
		u.Sources = slices.Clone(theirs.Sources)
	case "translations":
		u.Translations = slices.Clone(theirs.Translations)
	case "internal_notes":
		u.InternalNotes = theirs.InternalNotes
	}
}
