package site

import (
	"github.com/a-h/templ"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/markdown"
	"github.com/civicmon/civicmon/web"
)

// UpdatePreview renders an unpublished update as its public page will show
// it — the same UpdatePage component, through the same public projection,
// so no private field can show — in its own language or one of its
// translations (lang; "" for its own). The workspace shows it under a "not
// published" banner. An update without a publication date is shown with
// today's, as publishing gives it.
func UpdatePreview(p *web.Page, d *web.SiteData, u *civicmon.Update, lang string, today civicmon.Date) templ.Component {
	c := *u
	c.Status = civicmon.StatusPublished
	if c.PublishedOn.IsZero() {
		c.PublishedOn = today
	}
	if c.Slug == "" {
		c.Slug = "preview"
	}
	pu, _ := c.Public()
	text := updateText{Lang: pu.Language, Title: pu.Title, Summary: pu.Summary}
	body := pu.Body
	for _, t := range pu.Translations {
		if lang != "" && t.Language == lang {
			text = updateText{Lang: t.Language, Title: t.Title, Summary: t.Summary}
			body = t.Body
		}
	}
	text.Body = markdown.ToHTML(body)
	data := updateData{U: pu, Text: text, URL: "/updates/" + pu.Slug}
	if cc, ok := d.ByCode[pu.CountryCode]; ok {
		data.Country = d.View(cc)
	}
	data.nameTerms(p, d.Vocab)
	return UpdatePage(p, &data)
}

// WatchlistPreview renders a watchlist edition as its public page will
// show it, as the current edition (the workspace's preview before it
// publishes).
func WatchlistPreview(p *web.Page, d *web.SiteData, ed *civicmon.WatchlistEdition) templ.Component {
	data := watchlistData{Editions: d.Editions, Edition: newEditionView(d, ed), Current: true}
	for _, e := range ed.Entries {
		if c, ok := d.ByCode[e.CountryCode]; ok {
			data.Entries = append(data.Entries, watchlistEntryView{Country: d.View(c), Narrative: e.Narrative})
		}
	}
	return WatchlistPage(p, &data)
}
