package dataio

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/dossier"
)

// readDossier imports a country-page text dossier. Updates whose date the
// text gives are published on it; the others become drafts without a date,
// for an editor to date and publish. Each update's stable id comes from
// its country and title, so importing the same page again changes nothing.
func (im *importer) readDossier(in Input) error {
	d, err := dossier.Parse(in.R, in.Name)
	if err != nil {
		return err
	}
	var country *civicmon.Country
	for code, c := range im.countries {
		if strings.EqualFold(c.Name, d.Country) || c.Slug == civicmon.Slugify(d.Country) || code == strings.ToUpper(d.Country) {
			c := c
			country = &c
		}
	}
	if country == nil {
		return &Error{File: in.Name, Line: 1, Field: "country", Msg: fmt.Sprintf("%q is not a known country: the first line must name a country as civicmon knows it (e.g. Kazakhstan)", d.Country)}
	}
	// The page lists the newest first; store the oldest first, so that
	// undated drafts still list newest first by their order of creation.
	for i := len(d.Updates) - 1; i >= 0; i-- {
		du := d.Updates[i]
		u := civicmon.Update{UID: dossierUID(country.Code, du.Title), Slug: civicmon.Slugify(du.Title), CountryCode: country.Code,
			Title: du.Title, Summary: du.Summary, Language: "en", Status: civicmon.StatusDraft,
			// The person who ran the import answers for what it created.
			AuthorID: im.opt.Actor}
		if !du.Date.IsZero() {
			u.Status, u.PublishedOn = civicmon.StatusPublished, du.Date
		}
		if len(du.Translations) > 0 {
			u.InternalNotes = "The source page offered this update in: " + strings.Join(du.Translations, ", ") + "."
		}
		w := where{file: in.Name, line: du.Line}
		im.tick()
		if first, dup := im.seen[u.UID]; dup {
			return w.fail(&civicmon.ValidationError{Fields: []civicmon.FieldError{{Field: "title",
				Message: fmt.Sprintf("%q appears twice (first at line %d)", du.Title, first.line)}}})
		}
		im.seen[u.UID] = w
		if err := u.Validate(im.vocab); err != nil {
			return w.fail(err)
		}
		want := u
		err := im.queue(pendingUpdate{u: u, where: w,
			same: func(old *civicmon.Update) bool {
				return old.Title == want.Title && old.Summary == want.Summary &&
					(want.PublishedOn.IsZero() || old.PublishedOn.Equal(want.PublishedOn))
			},
			// A page carries a title, a summary and maybe a date: what
			// editors added since (text, tags, incidents, status) stays.
			merge: func(old, u *civicmon.Update) *civicmon.Update {
				m := *old
				m.Title, m.Summary = u.Title, u.Summary
				if !u.PublishedOn.IsZero() {
					m.PublishedOn = u.PublishedOn
				}
				return &m
			}})
		if err != nil {
			return err
		}
	}
	return nil
}

// dossierUID derives an update's stable id from its country and title.
func dossierUID(country, title string) string {
	h := sha256.Sum256([]byte("civicmon-dossier:" + country + ":" + title))
	return strings.ToLower(base32.StdEncoding.EncodeToString(h[:]))[:20]
}
