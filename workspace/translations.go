package workspace

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/i18n"
	"github.com/civicmon/civicmon/web"
)

// fieldRow is one translatable field in one language: the original beside
// its translation, if any.
type fieldRow struct {
	Kind     civicmon.FieldKind
	Record   string
	Label    string // what the field is: "Kazakhstan, 2019-10-01"
	Original string
	Text     string
	Status   civicmon.TranslationStatus
	Version  int64 // the stored translation's, 0 when missing
	// Conflict, on the row a save was refused for, shows the translation
	// as saved meanwhile beside the person's, which the row's form keeps.
	Conflict *conflictData
}

type translationsData struct {
	Lang    i18n.Lang
	Status  string // "" for all, or a civicmon.TranslationStatus
	Kind    string // "" for all, or a civicmon.FieldKind
	Rows    []fieldRow
	Langs   []i18n.Lang
	Errors  []civicmon.FieldError
	Message string
	Query   string // the filters, for the forms to come back to
	// Kept is the row as the person posted it, when the save was refused:
	// it is shown, whatever the filters, with their text and status.
	Kept *fieldRow
}

// handleTranslations lists the translatable fields of watchlist editions,
// vocabularies and current ratings in one language, each original beside
// its translation and that translation's status, filtered by status
// (missing, machine draft, reviewed) and kind.
func (h *handler) handleTranslations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := translationsData{Lang: i18n.Supported[1], Status: q.Get("status"), Kind: q.Get("kind")}
	// "to", not "lang", which is the interface's language.
	if l, ok := i18n.Parse(q.Get("to")); ok && l != i18n.English {
		d.Lang = l
	}
	h.renderTranslations(w, r, http.StatusOK, d, q.Get("done") != "")
}

func (h *handler) renderTranslations(w http.ResponseWriter, r *http.Request, status int, d translationsData, done bool) {
	ctx := r.Context()
	p := h.page(w, r, "Translations")
	d.Langs = i18n.Supported[1:]
	d.Query = translationsQuery(d.Lang, d.Status, d.Kind)
	if done {
		d.Message = p.T("Saved.")
	}
	all, err := h.fields(ctx)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	stored, err := h.store.FieldTranslations(ctx)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	type key struct {
		kind   civicmon.FieldKind
		record string
	}
	have := map[key]civicmon.FieldTranslation{}
	for _, f := range stored {
		if f.Lang == string(d.Lang) {
			have[key{f.Kind, f.Record}] = f
		}
	}
	for _, row := range all {
		row.Status = civicmon.TranslationMissing
		f, ok := have[key{row.Kind, row.Record}]
		if ok {
			row.Text, row.Status, row.Version = f.Text, f.Status, f.Version
		}
		if k := d.Kept; k != nil && k.Kind == row.Kind && k.Record == row.Record {
			if k.Conflict != nil {
				// Both versions side by side, and the form at the saved
				// version, so that "keep mine" saves over it.
				theirs := diffRow{Label: p.T("Translation"), Mine: k.Text, Theirs: row.Text}
				st := diffRow{Label: p.T("Status"), Mine: statusName(p, k.Status), Theirs: statusName(p, row.Status)}
				for _, r := range []*diffRow{&theirs, &st} {
					r.Changed = strings.TrimSpace(r.Mine) != strings.TrimSpace(r.Theirs)
				}
				k.Conflict.Now, k.Conflict.Rows = row.Version, []diffRow{theirs, st}
				k.Conflict.Discard = "/admin/translations?" + d.Query
				k.Version = row.Version
			}
			k.Label, k.Original = row.Label, row.Original
			d.Rows = append(d.Rows, *k)
			continue
		}
		if (d.Status == "" || string(row.Status) == d.Status) && (d.Kind == "" || string(row.Kind) == d.Kind) {
			d.Rows = append(d.Rows, row)
		}
	}
	h.srv.Render(w, r, status, p, translationsPage(p, d))
}

// fields lists every field there is to translate, with its original.
func (h *handler) fields(ctx context.Context) ([]fieldRow, error) {
	var out []fieldRow
	eds, err := h.store.WatchlistEditions(ctx)
	if err != nil {
		return nil, err
	}
	for _, ed := range eds {
		day := ed.PublishedOn.String()
		out = append(out, fieldRow{Kind: civicmon.FieldWatchlistTitle, Record: day, Label: day, Original: ed.Title})
		for _, e := range ed.Entries {
			if e.Narrative != "" {
				out = append(out, fieldRow{Kind: civicmon.FieldWatchlistNarrative, Record: day + "/" + e.CountryCode,
					Label: day + ", " + e.CountryCode, Original: e.Narrative})
			}
		}
	}
	v, err := h.store.Vocabulary(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range v.Violations {
		out = append(out, fieldRow{Kind: civicmon.FieldViolation, Record: t.Slug, Label: t.Slug, Original: t.Name})
	}
	for _, t := range v.Targets {
		out = append(out, fieldRow{Kind: civicmon.FieldTarget, Record: t.Slug, Label: t.Slug, Original: t.Name})
	}
	cur, err := h.store.CurrentRatings(ctx, civicmon.DateOf(h.now()))
	if err != nil {
		return nil, err
	}
	codes := make([]string, 0, len(cur))
	for c := range cur {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		if r := cur[c]; r.Rationale != "" {
			out = append(out, fieldRow{Kind: civicmon.FieldRatingRationale, Record: strconv.FormatInt(r.ID, 10),
				Label: c + ", " + r.EffectiveDate.String(), Original: r.Rationale})
		}
	}
	return out, nil
}

// handleTranslationSave stores one field's translation, or removes it
// when its text is empty, over the version its form was opened at, and
// goes back to the list as it was filtered. A save refused — invalid, or
// made from an older version than the one saved meanwhile — redraws the
// list with the person's text and status kept in the row's form, and, for
// a conflict, both versions beside it.
func (h *handler) handleTranslationSave(w http.ResponseWriter, r *http.Request) {
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	f := civicmon.FieldTranslation{Kind: civicmon.FieldKind(r.PostFormValue("kind")), Record: r.PostFormValue("record"),
		Lang: r.PostFormValue("lang"), Text: strings.TrimSpace(r.PostFormValue("text")),
		Status: civicmon.TranslationStatus(r.PostFormValue("status")), Version: version}
	var err error
	if f.Text == "" {
		err = h.store.DeleteFieldTranslation(r.Context(), f.Kind, f.Record, f.Lang, f.Version)
	} else {
		err = h.store.SaveFieldTranslation(r.Context(), &f)
	}
	l, _ := i18n.Parse(f.Lang)
	if l == "" || l == i18n.English {
		l = i18n.Supported[1]
	}
	d := translationsData{Lang: l, Status: r.PostFormValue("filter_status"), Kind: r.PostFormValue("filter_kind"),
		Kept: &fieldRow{Kind: f.Kind, Record: f.Record, Text: f.Text, Status: f.Status, Version: version}}
	if civicmon.IsStale(err) {
		d.Kept.Conflict = &conflictData{Base: version}
		h.renderTranslations(w, r, http.StatusConflict, d, false)
		return
	}
	if err != nil {
		h.formError(w, r, err, func(errs []civicmon.FieldError) {
			d.Errors = errs
			h.renderTranslations(w, r, http.StatusUnprocessableEntity, d, false)
		})
		return
	}
	http.Redirect(w, r, "/admin/translations?"+translationsQuery(l, r.PostFormValue("filter_status"), r.PostFormValue("filter_kind"))+"&done=1", http.StatusSeeOther)
}

func translationsQuery(l i18n.Lang, status, kind string) string {
	q := url.Values{"to": {string(l)}}
	if status != "" {
		q.Set("status", status)
	}
	if kind != "" {
		q.Set("kind", kind)
	}
	return q.Encode()
}

// kindName is a field's kind in words.
func kindName(p *web.Page, k civicmon.FieldKind) string {
	switch k {
	case civicmon.FieldWatchlistTitle:
		return p.T("Watchlist title")
	case civicmon.FieldWatchlistNarrative:
		return p.T("Watchlist narrative")
	case civicmon.FieldViolation:
		return p.T("Violation type")
	case civicmon.FieldTarget:
		return p.T("Target group")
	}
	return p.T("Rating rationale")
}

// statusName is a translation's status in words.
func statusName(p *web.Page, s civicmon.TranslationStatus) string {
	switch s {
	case civicmon.TranslationMachine:
		return p.T("Machine draft")
	case civicmon.TranslationReviewed:
		return p.T("Reviewed")
	}
	return p.T("Missing")
}
