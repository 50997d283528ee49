package workspace

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/markdown"
	sitepages "github.com/civicmon/civicmon/site"
	"github.com/civicmon/civicmon/web"
)

type updateFormData struct {
	U         civicmon.Update
	New       bool
	Countries []civicmon.Country
	Vocab     *civicmon.Vocabulary
	Freedoms  []civicmon.Freedom
	Errors    *formErrors
	Raw       map[string]string // what was typed in fields that did not parse, by element id
	Message   string
	Preview   template.HTML
	Actions   []civicmon.Action
	// The update's conversation (conversation.go), and what the form's
	// comment box holds.
	Comments []civicmon.Comment
	Comment  string
	// Previews are the update's public page, as it will be, in each of
	// its languages (a preview; see site.UpdatePreview).
	Previews []previewPart
	// Blank rows for adding sources, translations and incidents without JS.
	SourceRows      []civicmon.Source
	TranslationRows []civicmon.Translation
	IncidentRows    []civicmon.Incident
	// Focus is the element id of a row just added, which takes the focus.
	Focus string
	// Conflict, when set, is the update as someone else saved it while
	// this form was open: the page shows both, and the form holds the
	// person's version over the saved one's version number.
	Conflict *conflictData
	// MaxBody is what the form accepts in all, stated on it.
	MaxBody int64
}

// val is what a field shows: what was typed when it did not parse, else
// the value.
func (d *updateFormData) val(id, value string) string {
	if v, ok := d.Raw[id]; ok {
		return v
	}
	return value
}

// action is where the form posts: a new update's, or the update's own.
func (d *updateFormData) action() string {
	if d.New {
		return "/admin/updates"
	}
	return "/admin/updates/" + itoa64(d.U.ID)
}

// blankZero shows a count, and nothing for none.
func blankZero(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// maxBlankRows bounds the empty rows a form draws, however many "add
// another" asked for.
const maxBlankRows = 20

// UpdateFormMaxBody is what the update form accepts in one post: more than
// the whole server's default, so that a long paste (the domain allows a
// 500,000-byte text, and as much in each translation) reaches the form and
// is answered at its field with the text kept.
const UpdateFormMaxBody = 8 << 20

// handleUpdateForm shows the editor, empty for a new update.
func (h *handler) handleUpdateForm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := h.page(w, r, "New update")
	u := &civicmon.Update{Language: "en", Status: civicmon.StatusDraft}
	if id := r.PathValue("id"); id != "" {
		var err error
		if u, err = h.loadEditable(r, id); err != nil {
			h.fail(w, r, err)
			return
		}
		p.Title = u.Title
	}
	d, err := h.updateForm(ctx, p, u, &updateInput{BlankIncidents: 1, BlankSources: 1, BlankTranslations: 1})
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	d.Message = doneMessage(p, r.URL.Query().Get("done"))
	h.srv.Render(w, r, http.StatusOK, p, updateFormPage(p, d))
}

// loadEditable loads an update the account may open.
func (h *handler) loadEditable(r *http.Request, id string) (*civicmon.Update, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, civicmon.Errorf(civicmon.ENOTFOUND, "no update %q", id)
	}
	u, err := h.store.UpdateByID(r.Context(), n)
	if err != nil {
		return nil, err
	}
	if !civicmon.CanView(web.UserFrom(r.Context()), u) {
		return nil, civicmon.Errorf(civicmon.EFORBIDDEN, "you may not open this update")
	}
	return u, nil
}

// updateForm is the editor's data for u, with the blank rows in and one
// more of a kind when add names it ("incident", "source", "translation").
func (h *handler) updateForm(ctx context.Context, p *web.Page, u *civicmon.Update, in *updateInput) (*updateFormData, error) {
	site, err := h.srv.SiteData(ctx)
	if err != nil {
		return nil, err
	}
	d := &updateFormData{U: *u, New: u.ID == 0, Countries: site.Countries, Vocab: site.Vocab, Freedoms: civicmon.Freedoms,
		Raw: in.Raw, Errors: &formErrors{}, MaxBody: UpdateFormMaxBody}
	if u.ID != 0 {
		if d.Comments, err = h.store.Comments(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	for _, a := range []civicmon.Action{civicmon.ActionSubmit, civicmon.ActionRequestChanges, civicmon.ActionPublish,
		civicmon.ActionUnpublish, civicmon.ActionArchive} {
		if _, err := civicmon.Transition(u.Status, a); err == nil && civicmon.CanAct(p.User, u, a) == nil {
			d.Actions = append(d.Actions, a)
		}
	}
	blanks := func(n int) int { return max(1, min(n, maxBlankRows)) }
	d.SourceRows = append(append([]civicmon.Source{}, u.Sources...), make([]civicmon.Source, blanks(in.BlankSources))...)
	d.TranslationRows = append(append([]civicmon.Translation{}, u.Translations...), make([]civicmon.Translation, blanks(in.BlankTranslations))...)
	d.IncidentRows = append(append([]civicmon.Incident{}, u.Incidents...), make([]civicmon.Incident, blanks(in.BlankIncidents))...)
	return d, nil
}

// handleUpdateSave creates or saves an update and takes a workflow step,
// through civicmon.Editorial. Other buttons redraw the form with all that
// was typed and save nothing: "preview" renders the Markdown, "add-…" adds
// an empty incident, source or translation, "remove-…-N" drops one, and
// "take-FIELD" on the conflict page takes the saved version's field.
//
// The form carries the version it was opened at. A save from an older
// version (someone saved the update meanwhile) is refused with the
// conflict page: both versions field by field, and the form holding the
// person's, ready to be saved over the new version as it is or merged.
func (h *handler) handleUpdateSave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	me := web.UserFrom(ctx)
	p := h.page(w, r, "New update")
	stored := &civicmon.Update{Language: "en", Status: civicmon.StatusDraft, AuthorID: me.ID}
	if id := r.PathValue("id"); id != "" {
		var err error
		if stored, err = h.loadEditable(r, id); err != nil {
			h.fail(w, r, err)
			return
		}
		p.Title = stored.Title
	}
	in := parseUpdateForm(r, stored)
	u := in.U
	action := civicmon.Action(r.PostFormValue("action"))
	if action == "" {
		action = civicmon.ActionSave
	}
	render := func(status int, d *updateFormData) {
		h.srv.Render(w, r, status, p, updateFormPage(p, d))
	}
	form := func(errs []civicmon.FieldError) (*updateFormData, bool) {
		d, err := h.updateForm(ctx, p, u, in)
		if err != nil {
			h.srv.Fail(w, r, err)
			return nil, false
		}
		d.U.Status = stored.Status
		d.Errors = updateFormErrors(p, errs, in.Raw)
		d.Comment = r.PostFormValue("comment")
		return d, true
	}
	// conflict redraws the form as the conflict page against the stored
	// update as it is now.
	conflict := func() {
		now, err := h.store.UpdateByID(ctx, stored.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		base := u.Version
		u.Version = now.Version
		if d, ok := form(nil); ok {
			d.U.Status = now.Status
			d.Conflict = h.updateConflict(ctx, p, u, now, base)
			render(http.StatusConflict, d)
		}
	}
	switch a := string(action); {
	case a == "preview":
		// The page as the public will see it (site's own component), in
		// the update's language and each translation's.
		site, err := h.srv.SiteData(ctx)
		if err != nil {
			h.srv.Fail(w, r, err)
			return
		}
		if d, ok := form(in.Errs); ok {
			today := civicmon.DateOf(h.now())
			d.Preview = markdown.ToHTML(u.Body)
			d.Previews = []previewPart{{Lang: u.Language, Page: sitepages.UpdatePreview(p, site, u, "", today)}}
			for _, t := range u.Translations {
				d.Previews = append(d.Previews, previewPart{Lang: t.Language, Page: sitepages.UpdatePreview(p, site, u, t.Language, today)})
			}
			render(http.StatusOK, d)
		}
		return
	case strings.HasPrefix(a, "add-"), strings.HasPrefix(a, "remove-"):
		switch a {
		case "add-incident":
			in.BlankIncidents++
		case "add-source":
			in.BlankSources++
		case "add-translation":
			in.BlankTranslations++
		}
		if d, ok := form(in.Errs); ok {
			d.Focus = addedRow(a, d)
			render(http.StatusOK, d)
		}
		return
	case strings.HasPrefix(a, "take-") && stored.ID != 0:
		// Taking the saved version's field on the conflict page: the
		// form, redrawn, holds the saved version's number and shows
		// what still differs.
		now, err := h.store.UpdateByID(ctx, stored.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		takeField(u, now, strings.TrimPrefix(a, "take-"))
		base, _ := strconv.ParseInt(r.PostFormValue("base_version"), 10, 64)
		u.Version = now.Version
		if d, ok := form(nil); ok {
			d.U.Status = now.Status
			d.Conflict = h.updateConflict(ctx, p, u, now, base)
			render(http.StatusOK, d)
		}
		return
	}
	// Someone who may not take the step is told so, before any conflict
	// (Apply checks again, in its transaction).
	switch err := civicmon.CanAct(me, stored, action); civicmon.ErrorCode(err) {
	case civicmon.EFORBIDDEN:
		h.srv.Forbidden(w, r, civicmon.ErrorMessage(err))
		return
	case civicmon.EINVALID:
		// An action that is not one: the asker's mistake, the form kept.
		if d, ok := form(append(in.Errs, civicmon.FieldError{Field: "update.action", Message: civicmon.ErrorMessage(err)})); ok {
			render(http.StatusBadRequest, d)
		}
		return
	}
	if stored.ID != 0 && u.Version != stored.Version {
		conflict()
		return
	}
	// Every check in one round: what did not parse, and what the domain
	// finds in the rest.
	errs := in.Errs
	if site, err := h.srv.SiteData(ctx); err == nil {
		check := *u
		check.Status, _ = civicmon.Transition(stored.Status, action)
		if check.Status == "" {
			check.Status = stored.Status
		}
		if check.Status == civicmon.StatusPublished && check.PublishedOn.IsZero() {
			check.PublishedOn = civicmon.DateOf(h.now()) // Apply dates it today
		}
		var ve *civicmon.ValidationError
		if err := check.Validate(site.Vocab); errors.As(err, &ve) {
			errs = append(errs, ve.Fields...)
		}
	}
	if len(errs) > 0 {
		if d, ok := form(errs); ok {
			render(http.StatusUnprocessableEntity, d)
		}
		return
	}
	comment := strings.TrimSpace(r.PostFormValue("comment"))
	if action == civicmon.ActionRequestChanges && comment == "" {
		if d, ok := form([]civicmon.FieldError{{Field: "update.comment",
			Message: p.T("Say what should change: the author reads it in the conversation and by mail.")}}); ok {
			render(http.StatusUnprocessableEntity, d)
		}
		return
	}
	// Ask first only for a step that can be taken: a refusal is said at once.
	_, terr := civicmon.Transition(stored.Status, action)
	if needsConfirmation(action) && r.PostFormValue("confirm") == "" && terr == nil && civicmon.CanAct(me, stored, action) == nil {
		h.confirmStep(w, r, p, stored, action)
		return
	}
	ed := h.editorial(r)
	err := ed.Act(ctx, me, action, u, comment)
	var te *civicmon.TransitionError
	var ve *civicmon.ValidationError
	rerender := func(status int, errs []civicmon.FieldError) {
		if d, ok := form(errs); ok {
			render(status, d)
		}
	}
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/admin/updates/%d?done=%s", u.ID, action), http.StatusSeeOther)
	case civicmon.IsStale(err):
		conflict()
	case errors.As(err, &te):
		rerender(http.StatusConflict, []civicmon.FieldError{{Field: "update.action", Message: civicmon.ErrorMessage(err)}})
	case errors.As(err, &ve):
		rerender(http.StatusUnprocessableEntity, ve.Fields)
	case civicmon.ErrorCode(err) == civicmon.EFORBIDDEN:
		h.srv.Forbidden(w, r, civicmon.ErrorMessage(err))
	case civicmon.ErrorCode(err) == civicmon.ECONFLICT:
		rerender(http.StatusConflict, []civicmon.FieldError{{Field: "update.slug", Message: civicmon.ErrorMessage(err)}})
	case civicmon.ErrorCode(err) == civicmon.EINVALID:
		// An action that is not one (Apply checks the fields first, so
		// this is the form's "action"): the asker's mistake, the form kept.
		rerender(http.StatusBadRequest, []civicmon.FieldError{{Field: "update.action", Message: civicmon.ErrorMessage(err)}})
	default:
		h.srv.Fail(w, r, err)
	}
}

// addedRow is the element id of the row an "add-…" button added, which
// takes the focus.
func addedRow(action string, d *updateFormData) string {
	switch action {
	case "add-incident":
		return fmt.Sprintf("inc%dd", len(d.IncidentRows)-1)
	case "add-source":
		return fmt.Sprintf("src%du", len(d.SourceRows)-1)
	case "add-translation":
		return fmt.Sprintf("tr%dl", len(d.TranslationRows)-1)
	}
	return ""
}

// updateInput is what the editor's form sent, read over the stored update.
type updateInput struct {
	U *civicmon.Update
	// Errs are the fields that did not parse, with the domain's paths
	// (update.incidents[1].occurred_on), counted in the rows kept.
	Errs []civicmon.FieldError
	// Raw is what was typed in the fields that did not parse, by element
	// id, so that the form shows it again rather than an empty box.
	Raw map[string]string
	// Blank rows the form sent, which it draws again.
	BlankIncidents, BlankSources, BlankTranslations int
}

// parseUpdateForm reads the editor's form over the stored update, keeping
// what the form does not carry (id, uid, author, status). Rows whose every
// field is empty, or that are marked for removal (their box ticked, or the
// "remove" button pressed: action remove-incident-N…), are dropped; a row
// with a field that did not parse is kept, so that its error has a place.
func parseUpdateForm(r *http.Request, stored *civicmon.Update) *updateInput {
	r.ParseForm()
	f := r.PostForm
	u := *stored
	in := &updateInput{U: &u, Raw: map[string]string{}}
	action := f.Get("action")
	removed := func(kind string, i int, k string) bool {
		return f.Get(k+"remove") != "" || action == fmt.Sprintf("remove-%s-%d", kind, i)
	}
	// date reads a date field: a problem is reported at path, and what
	// was typed kept under the element id.
	date := func(name, path, id string) civicmon.Date {
		v := strings.TrimSpace(f.Get(name))
		d, err := civicmon.ParseDate(v)
		if err != nil {
			in.Errs = append(in.Errs, civicmon.FieldError{Field: path, Message: err.Error()})
			in.Raw[id] = v
		}
		return d
	}
	u.Version, _ = strconv.ParseInt(f.Get("version"), 10, 64)
	u.CountryCode = f.Get("country")
	u.Title = strings.TrimSpace(f.Get("title"))
	u.Slug = strings.TrimSpace(f.Get("slug"))
	u.Summary = strings.TrimSpace(f.Get("summary"))
	u.Body = f.Get("body")
	u.PublishedOn = date("published_on", "update.published_on", "published_on")
	u.DateApproximate = f.Get("date_approximate") != ""
	u.PeriodStart = date("period_start", "update.period_start", "period_start")
	u.PeriodEnd = date("period_end", "update.period_end", "period_end")
	u.Partner = strings.TrimSpace(f.Get("partner"))
	u.Language = strings.TrimSpace(f.Get("language"))
	u.InternalNotes = f.Get("internal_notes")
	u.CorrectionNote = strings.TrimSpace(f.Get("correction_note"))
	u.Freedoms = 0
	for _, v := range f["freedoms"] {
		if fr, ok := civicmon.ParseFreedom(v); ok {
			u.Freedoms |= fr.Bit()
		}
	}
	u.Violations = append([]string(nil), f["violations"]...)
	u.Sources = nil
	for i := 0; i < 200; i++ {
		k := fmt.Sprintf("sources.%d.", i)
		if _, ok := f[k+"url"]; !ok {
			break
		}
		n := len(u.Sources)
		typed := strings.TrimSpace(f.Get(k + "published_on"))
		src := civicmon.Source{URL: strings.TrimSpace(f.Get(k + "url")), Title: strings.TrimSpace(f.Get(k + "title")),
			Publisher: strings.TrimSpace(f.Get(k + "publisher")), Contact: strings.TrimSpace(f.Get(k + "contact"))}
		if removed("source", i, k) {
			continue
		}
		if src == (civicmon.Source{}) && typed == "" {
			in.BlankSources++
			continue
		}
		src.PublishedOn = date(k+"published_on", fmt.Sprintf("update.sources[%d].published_on", n), fmt.Sprintf("src%dd", n))
		u.Sources = append(u.Sources, src)
	}
	u.Translations = nil
	for i := 0; i < 50; i++ {
		k := fmt.Sprintf("translations.%d.", i)
		if _, ok := f[k+"language"]; !ok {
			break
		}
		t := civicmon.Translation{Language: strings.TrimSpace(f.Get(k + "language")), Title: strings.TrimSpace(f.Get(k + "title")),
			Summary: strings.TrimSpace(f.Get(k + "summary")), Body: f.Get(k + "body")}
		if removed("translation", i, k) {
			continue
		}
		if t.Language == "" && t.Title == "" && t.Summary == "" && strings.TrimSpace(t.Body) == "" {
			in.BlankTranslations++
			continue
		}
		u.Translations = append(u.Translations, t)
	}
	u.Incidents = nil
	for i := 0; i < 500; i++ {
		k := fmt.Sprintf("incidents.%d.", i)
		if _, ok := f[k+"violation"]; !ok {
			break
		}
		n := len(u.Incidents)
		typedDate := strings.TrimSpace(f.Get(k + "occurred_on"))
		typedPeople := strings.TrimSpace(f.Get(k + "people_affected"))
		inc := civicmon.Incident{DateApproximate: f.Get(k+"date_approximate") != "",
			Freedom: civicmon.Freedom(f.Get(k + "freedom")), Violation: f.Get(k + "violation"), Target: f.Get(k + "target"),
			Place:       strings.TrimSpace(f.Get(k + "place")),
			Description: strings.TrimSpace(f.Get(k + "description")), VictimName: strings.TrimSpace(f.Get(k + "victim_name"))}
		if removed("incident", i, k) {
			continue
		}
		if typedDate == "" && typedPeople == "" && inc.Freedom == "" && inc.Violation == "" && inc.Target == "" &&
			inc.Place == "" && inc.Description == "" && inc.VictimName == "" {
			in.BlankIncidents++
			continue
		}
		inc.OccurredOn = date(k+"occurred_on", fmt.Sprintf("update.incidents[%d].occurred_on", n), fmt.Sprintf("inc%dd", n))
		if typedPeople != "" {
			people, err := strconv.Atoi(typedPeople)
			if err != nil || people < 0 {
				in.Errs = append(in.Errs, civicmon.FieldError{Field: fmt.Sprintf("update.incidents[%d].people_affected", n),
					Message: fmt.Sprintf("%q is not a number of 0 or more", typedPeople)})
				in.Raw[fmt.Sprintf("inc%dn", n)] = typedPeople
				people = 0
			}
			inc.PeopleAffected = people
		}
		if i < len(stored.Incidents) {
			inc.ID = stored.Incidents[i].ID
		}
		u.Incidents = append(u.Incidents, inc)
	}
	return in
}
