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
	Errors    []civicmon.FieldError
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

const blankRows = 2

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
	d, err := h.updateForm(ctx, p, u)
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

func (h *handler) updateForm(ctx context.Context, p *web.Page, u *civicmon.Update) (*updateFormData, error) {
	site, err := h.srv.SiteData(ctx)
	if err != nil {
		return nil, err
	}
	d := &updateFormData{U: *u, New: u.ID == 0, Countries: site.Countries, Vocab: site.Vocab, Freedoms: civicmon.Freedoms}
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
	d.SourceRows = append(append([]civicmon.Source{}, u.Sources...), make([]civicmon.Source, blankRows)...)
	d.TranslationRows = append(append([]civicmon.Translation{}, u.Translations...), make([]civicmon.Translation, 1)...)
	d.IncidentRows = append(append([]civicmon.Incident{}, u.Incidents...), make([]civicmon.Incident, blankRows)...)
	return d, nil
}

// handleUpdateSave creates or saves an update and takes a workflow step,
// through civicmon.Editorial. "preview" renders the Markdown and saves
// nothing.
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
	u, formErrs := parseUpdateForm(r, stored)
	action := civicmon.Action(r.PostFormValue("action"))
	if action == "" {
		action = civicmon.ActionSave
	}
	var pending []previewPart
	rerender := func(status int, errs []civicmon.FieldError, preview template.HTML) {
		d, err := h.updateForm(ctx, p, u)
		if err != nil {
			h.srv.Fail(w, r, err)
			return
		}
		d.U.Status = stored.Status
		d.Errors, d.Preview, d.Previews = errs, preview, pending
		d.Comment = r.PostFormValue("comment")
		h.srv.Render(w, r, status, p, updateFormPage(p, d))
	}
	if action == "preview" {
		// The page as the public will see it (site's own component), in
		// the update's language and each translation's.
		site, err := h.srv.SiteData(ctx)
		if err != nil {
			h.srv.Fail(w, r, err)
			return
		}
		today := civicmon.DateOf(h.now())
		previews := []previewPart{{Lang: u.Language, Page: sitepages.UpdatePreview(p, site, u, "", today)}}
		for _, t := range u.Translations {
			previews = append(previews, previewPart{Lang: t.Language, Page: sitepages.UpdatePreview(p, site, u, t.Language, today)})
		}
		pending = previews
		rerender(http.StatusOK, formErrs, markdown.ToHTML(u.Body))
		return
	}
	if len(formErrs) > 0 {
		rerender(http.StatusUnprocessableEntity, formErrs, "")
		return
	}
	comment := strings.TrimSpace(r.PostFormValue("comment"))
	if action == civicmon.ActionRequestChanges && comment == "" {
		rerender(http.StatusUnprocessableEntity, []civicmon.FieldError{{Field: "comment",
			Message: p.T("Say what should change: the author reads it in the conversation and by mail.")}}, "")
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
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/admin/updates/%d?done=%s", u.ID, action), http.StatusSeeOther)
	case errors.As(err, &te):
		rerender(http.StatusConflict, []civicmon.FieldError{{Field: "action", Message: civicmon.ErrorMessage(err)}}, "")
	case errors.As(err, &ve):
		rerender(http.StatusUnprocessableEntity, ve.Fields, "")
	case civicmon.ErrorCode(err) == civicmon.EFORBIDDEN:
		h.srv.Forbidden(w, r, civicmon.ErrorMessage(err))
	case civicmon.ErrorCode(err) == civicmon.ECONFLICT:
		rerender(http.StatusConflict, []civicmon.FieldError{{Field: "update", Message: civicmon.ErrorMessage(err)}}, "")
	case civicmon.ErrorCode(err) == civicmon.EINVALID:
		// An action that is not one (Apply checks the fields first, so
		// this is the form's "action"): the asker's mistake, the form kept.
		rerender(http.StatusBadRequest, []civicmon.FieldError{{Field: "action", Message: civicmon.ErrorMessage(err)}}, "")
	default:
		h.srv.Fail(w, r, err)
	}
}

// parseUpdateForm reads the editor's form over the stored update, keeping
// what the form does not carry (id, uid, author, status). Rows whose every
// field is empty, or that are marked for removal, are dropped.
func parseUpdateForm(r *http.Request, stored *civicmon.Update) (*civicmon.Update, []civicmon.FieldError) {
	r.ParseForm()
	f := r.PostForm
	u := *stored
	var errs []civicmon.FieldError
	date := func(field string) civicmon.Date {
		d, err := civicmon.ParseDate(strings.TrimSpace(f.Get(field)))
		if err != nil {
			errs = append(errs, civicmon.FieldError{Field: field, Message: err.Error()})
		}
		return d
	}
	u.CountryCode = f.Get("country")
	u.Title = strings.TrimSpace(f.Get("title"))
	u.Slug = strings.TrimSpace(f.Get("slug"))
	u.Summary = strings.TrimSpace(f.Get("summary"))
	u.Body = f.Get("body")
	u.PublishedOn = date("published_on")
	u.DateApproximate = f.Get("date_approximate") != ""
	u.PeriodStart = date("period_start")
	u.PeriodEnd = date("period_end")
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
		src := civicmon.Source{URL: strings.TrimSpace(f.Get(k + "url")), Title: strings.TrimSpace(f.Get(k + "title")),
			Publisher: strings.TrimSpace(f.Get(k + "publisher")), PublishedOn: date(k + "published_on"),
			Contact: strings.TrimSpace(f.Get(k + "contact"))}
		if f.Get(k+"remove") != "" || src == (civicmon.Source{}) {
			continue
		}
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
		if f.Get(k+"remove") != "" || (t.Language == "" && t.Title == "" && t.Summary == "" && strings.TrimSpace(t.Body) == "") {
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
		people, _ := strconv.Atoi(strings.TrimSpace(f.Get(k + "people_affected")))
		if v := strings.TrimSpace(f.Get(k + "people_affected")); v != "" && (people < 0 || strconv.Itoa(people) != v) {
			errs = append(errs, civicmon.FieldError{Field: k + "people_affected", Message: fmt.Sprintf("%q is not a whole number", v)})
		}
		in := civicmon.Incident{OccurredOn: date(k + "occurred_on"), DateApproximate: f.Get(k+"date_approximate") != "",
			Freedom: civicmon.Freedom(f.Get(k + "freedom")), Violation: f.Get(k + "violation"), Target: f.Get(k + "target"),
			PeopleAffected: people, Place: strings.TrimSpace(f.Get(k + "place")),
			Description: strings.TrimSpace(f.Get(k + "description")), VictimName: strings.TrimSpace(f.Get(k + "victim_name"))}
		blank := in.OccurredOn.IsZero() && in.Freedom == "" && in.Violation == "" && in.Target == "" && in.PeopleAffected == 0 &&
			in.Place == "" && in.Description == "" && in.VictimName == ""
		if f.Get(k+"remove") != "" || blank {
			continue
		}
		if i < len(stored.Incidents) {
			in.ID = stored.Incidents[i].ID
		}
		u.Incidents = append(u.Incidents, in)
	}
	return &u, errs
}
