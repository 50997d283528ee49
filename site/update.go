package site

import (
	"html/template"
	"net/http"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/cite"
	"github.com/civicmon/civicmon/i18n"
	"github.com/civicmon/civicmon/markdown"
	"github.com/civicmon/civicmon/web"
)

type updateData struct {
	U           civicmon.PublicUpdate
	Corrections []civicmon.Correction
	Country     web.CountryView
	Text        updateText
	Violations  []civicmon.Term
	Incidents   []incidentView
	AlsoIn      []translationLink // the text's other versions
	Prev, Next  *updateItem
	URL         string
	// RatingThen is the country's rating on the update's date (nil when
	// it had none yet); the badge beside the country is today's.
	RatingThen *civicmon.Rating
	// Citation is "cite this update" as plain text.
	Citation string
}

// updateText is the update's text in the language shown: the original or
// one of its translations.
type updateText struct {
	Lang    string
	Title   string
	Summary string
	Body    template.HTML // rendered and sanitised (package markdown)
}

type incidentView struct {
	civicmon.PublicIncident
	ViolationName string
	TargetName    string
}

type translationLink struct {
	Lang, Name, Href string
	Original         bool
}

// handleUpdate is an update's page, in its language or in one of its
// translations (/updates/{slug}/{lang}): the update, its incidents and
// sources, how to cite it, and the updates before and after it. It is
// most of a mirror's pages (each update in each interface language).
func (s *Site) handleUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, ok := s.siteData(w, r)
	if !ok {
		return
	}
	u, err := s.store.UpdateBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	pu, ok := u.Public()
	if !ok { // a draft does not exist for the public
		s.srv.NotFound(w, r)
		return
	}
	base := "/updates/" + pu.Slug
	// The text shown: the version the path names (/updates/{slug}/ru, or
	// the original's language), else the translation in the reader's
	// language if there is one, else the original.
	shown := r.PathValue("lang")
	if shown == "" {
		if l := string(s.srv.Language(r)); l != pu.Language && hasTranslation(&pu, l) {
			shown = l
		}
	}
	text := updateText{Lang: pu.Language, Title: pu.Title, Summary: pu.Summary}
	body := pu.Body
	if shown != "" && shown != pu.Language {
		found := false
		for _, t := range pu.Translations {
			if t.Language == shown {
				text = updateText{Lang: t.Language, Title: t.Title, Summary: t.Summary}
				body, found = t.Body, true
			}
		}
		if !found {
			s.srv.NotFound(w, r)
			return
		}
	}
	text.Body = markdown.ToHTML(body)

	p := s.srv.NewPage(r, text.Title)
	// The page's one language switcher keeps the update and lets the
	// reader's language choose its text: /updates/{slug}?lang=fr.
	p.Path = base
	p.Description = text.Summary
	data := updateData{U: pu, Text: text, URL: s.srv.AbsoluteURL(r, base)}
	if c, ok := d.ByCode[pu.CountryCode]; ok {
		data.Country = d.View(c)
	}
	then, ok, err := s.srv.Stats().RatingOn(r.Context(), pu.CountryCode, pu.PublishedOn)
	if err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	if ok {
		data.RatingThen = &then
	}
	ct := cite.FromUpdate(pu, s.srv.AbsoluteURL(r, "/updates/"+pu.Slug), siteName, civicmon.DateOf(s.now()))
	data.Citation = ct.Text()
	data.nameTerms(p, d.Vocab)
	// "Also in": the other versions of the text, each at its own address,
	// in the reader's interface language.
	if len(pu.Translations) > 0 {
		versions := []string{pu.Language}
		for _, t := range pu.Translations {
			versions = append(versions, t.Language)
		}
		for _, v := range versions {
			if v == text.Lang {
				continue
			}
			href := base + "/" + v
			if v == pu.Language && !hasTranslation(&pu, string(p.Lang)) {
				href = base // where the reader's language shows the original
			}
			data.AlsoIn = append(data.AlsoIn, translationLink{Lang: v, Name: languageName(v), Original: v == pu.Language,
				Href: href + "?lang=" + string(p.Lang)})
		}
	}
	if data.Corrections, err = s.store.Corrections(ctx, u.ID); err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	at := &civicmon.UpdateCursor{PublishedOn: u.PublishedOn, ID: u.ID}
	older, _, err := s.store.FindUpdates(ctx, civicmon.UpdateFilter{CountryCode: u.CountryCode, Statuses: published, Before: at, Limit: 1})
	if err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	newer, _, err := s.store.FindUpdates(ctx, civicmon.UpdateFilter{CountryCode: u.CountryCode, Statuses: published, After: at, Order: "oldest", Limit: 1})
	if err != nil {
		s.srv.Fail(w, r, err)
		return
	}
	if items := items(d, older); len(items) == 1 {
		data.Prev = &items[0]
	}
	if items := items(d, newer); len(items) == 1 {
		data.Next = &items[0]
	}
	s.srv.Render(w, r, http.StatusOK, p, UpdatePage(p, &data))
}

// alsoInSep goes before the i-th version in "Also in: English, Français"
// (the markup puts a space before the first).
func alsoInSep(i int) string {
	if i == 0 {
		return ""
	}
	return ", "
}

// originalMark follows the original's name: " (original)".
func originalMark(p *web.Page, original bool) string {
	if !original {
		return ""
	}
	return " (" + p.T("original") + ")"
}

// hasTranslation reports whether the update is translated into lang.
func hasTranslation(pu *civicmon.PublicUpdate, lang string) bool {
	for _, t := range pu.Translations {
		if t.Language == lang {
			return true
		}
	}
	return false
}

// languageName names a content language in itself where civicmon knows
// it, else by its tag.
func languageName(tag string) string {
	if l, ok := i18n.Parse(tag); ok && string(l) == tag {
		return l.Name()
	}
	if n, ok := otherLanguages[tag]; ok {
		return n
	}
	return tag
}

var otherLanguages = map[string]string{
	"kk": "Қазақша", "ar": "العربية", "pt": "Português", "uk": "Українська", "ky": "Кыргызча",
	"uz": "Oʻzbekcha", "tg": "Тоҷикӣ", "tr": "Türkçe", "zh": "中文", "fa": "فارسی", "de": "Deutsch",
}

// nameTerms names the update's violation types and its incidents' terms in
// the page's language: the update page and the workspace's preview of it
// show them alike.
func (data *updateData) nameTerms(p *web.Page, vocab *civicmon.Vocabulary) {
	for _, v := range data.U.Violations {
		data.Violations = append(data.Violations, civicmon.Term{Slug: v, Name: p.T(vocab.ViolationName(v))})
	}
	for _, in := range data.U.Incidents {
		iv := incidentView{PublicIncident: in, ViolationName: p.T(vocab.ViolationName(in.Violation))}
		if in.Target != "" {
			iv.TargetName = p.T(vocab.TargetName(in.Target))
		}
		data.Incidents = append(data.Incidents, iv)
	}
}
