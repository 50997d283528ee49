package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

// The write operations. require has authenticated the request (token or
// session) and checked the route's permission; each write is then one
// civicmon.Editorial.Act, as in the workspace: who may (CanAct), which
// step follows (Transition), the publication date, the save, the audit
// entry naming the token's service account as the actor, and the
// notification mail of the step (Editorial.Notify), enqueued in the step's
// transaction. The handlers read
// and check the body first, to answer with every problem of it at once.

// apiActions are the workflow steps the API takes (saving is PUT).
var apiActions = []civicmon.Action{civicmon.ActionSubmit, civicmon.ActionRequestChanges, civicmon.ActionPublish,
	civicmon.ActionUnpublish, civicmon.ActionArchive}

// editableUpdate loads the update the request names, if the account may
// open it; otherwise it answers the request and returns nil.
func (h *handler) editableUpdate(w http.ResponseWriter, r *http.Request) *civicmon.Update {
	u, err := h.updateByKey(r, r.PathValue("id"))
	if err != nil {
		h.srv.APIFail(w, r, err)
		return nil
	}
	if !civicmon.CanView(web.UserFrom(r.Context()), u) {
		h.srv.Problem(w, r, web.ProbForbidden, "Your role may not open this update: researchers work on their own updates only.")
		return nil
	}
	return u
}

func (h *handler) editorial(w http.ResponseWriter, r *http.Request) {
	if p := newParams(r); p.failed() {
		h.invalidParams(w, r, p)
		return
	}
	if u := h.editableUpdate(w, r); u != nil {
		h.writeEditorial(w, r, http.StatusOK, u)
	}
}

// writeEditorial answers with the editorial record and its ETag, which a
// PUT sends back in If-Match.
func (h *handler) writeEditorial(w http.ResponseWriter, r *http.Request, status int, u *civicmon.Update) {
	w.Header().Set("ETag", versionETag(u.Version))
	web.WriteAPIJSON(w, r, status, h.newAPIEditorialUpdate(r, u))
}

// versionETag is the strong ETag of a record at a version.
func versionETag(version int64) string { return fmt.Sprintf(`"v%d"`, version) }

// ifMatch checks that the request's If-Match names the stored version, so
// that a write made from an older read cannot put old content back: 428
// without one (or with "*", which names no version), 412 when it names
// another. It answers the request and returns false when it does not pass.
func (h *handler) ifMatch(w http.ResponseWriter, r *http.Request, version int64, required bool) bool {
	header := strings.TrimSpace(r.Header.Get("If-Match"))
	if header == "" && !required {
		return true
	}
	if header == "" || header == "*" {
		h.srv.Problem(w, r, web.ProbPreconditionRequired, "Send If-Match with the ETag of the editorial record you edited "+
			"(GET "+strings.TrimSuffix(r.URL.Path, "/")+"/editorial), so that a save from an older read cannot undo another's edit.")
		return false
	}
	want := versionETag(version)
	for _, tag := range strings.Split(header, ",") {
		if strings.TrimSpace(tag) == want {
			return true
		}
	}
	h.srv.Problem(w, r, web.ProbPreconditionFailed, fmt.Sprintf("The update was changed since you read it: it is now at ETag %s, "+
		"and If-Match named %s. Read the editorial record again, apply your change to it and send its ETag.", want, header))
	return false
}

// staleAnswer answers a save the store refused as made from an older
// version (someone saved between the If-Match check and the save) as the
// If-Match check would have: 412. It reports whether it answered.
func (h *handler) staleAnswer(w http.ResponseWriter, r *http.Request, err error) bool {
	var se *civicmon.StaleError
	if !errors.As(err, &se) {
		return false
	}
	h.srv.Problem(w, r, web.ProbPreconditionFailed, "The update was changed since you read it. "+
		"Read the editorial record again, apply your change to it and send its ETag in If-Match.")
	return true
}

func (h *handler) createUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	me := web.UserFrom(ctx)
	in, ok := h.decodeUpdateInput(w, r)
	if !ok {
		return
	}
	u := &civicmon.Update{Status: civicmon.StatusDraft, AuthorID: me.ID}
	errs := applyUpdateInput(in, u)
	if in.CorrectionNote != "" {
		errs = append(errs, civicmon.FieldError{Field: "correction_note", Message: "is for edits of a published update; leave it out when creating one"})
	}
	if !h.validUpdateInput(w, r, u, errs) {
		return
	}
	if err := h.ed.Act(ctx, me, civicmon.ActionSave, u, ""); err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/updates/"+u.UID+"/editorial")
	h.writeEditorial(w, r, http.StatusCreated, u)
}

// replaceUpdate replaces an update's content with the body: what
// the body leaves out is emptied, except the slug, which stays when none
// is given. Its id, author and status stay; the status changes by actions.
func (h *handler) replaceUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	me := web.UserFrom(ctx)
	stored := h.editableUpdate(w, r)
	if stored == nil {
		return
	}
	// Apply checks this again; checked here too, a caller who may not edit
	// the update is refused before anything is said about the body.
	if err := civicmon.CanAct(me, stored, civicmon.ActionSave); err != nil {
		h.srv.APIFail(w, r, err)
		return
	}
	if !h.ifMatch(w, r, stored.Version, true) {
		return
	}
	in, ok := h.decodeUpdateInput(w, r)
	if !ok {
		return
	}
	u := &civicmon.Update{ID: stored.ID, UID: stored.UID, Status: stored.Status, AuthorID: stored.AuthorID, CreatedAt: stored.CreatedAt,
		Version: stored.Version}
	errs := applyUpdateInput(in, u)
	if u.Slug == "" {
		u.Slug = stored.Slug
	}
	u.CorrectionNote = strings.TrimSpace(in.CorrectionNote)
	if !h.validUpdateInput(w, r, u, errs) {
		return
	}
	// A published update keeps the publication date it was given: where
	// Apply would date it today, a replacement that leaves the date out is
	// refused, as the store refuses it (422).
	if u.Status == civicmon.StatusPublished && u.PublishedOn.IsZero() {
		d, err := h.srv.SiteData(ctx)
		if err != nil {
			h.srv.APIFail(w, r, err)
			return
		}
		check := *u
		h.srv.APIFail(w, r, check.Validate(d.Vocab))
		return
	}
	if err := h.ed.Act(ctx, me, civicmon.ActionSave, u, ""); err != nil {
		if !h.staleAnswer(w, r, err) {
			h.srv.APIFail(w, r, err)
		}
		return
	}
	h.writeEditorial(w, r, http.StatusOK, u)
}

// action takes a workflow step: submit, request_changes,
// publish, unpublish, archive.
func (h *handler) action(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a := civicmon.Action(r.PathValue("action"))
	if !slices.Contains(apiActions, a) {
		h.srv.Problem(w, r, web.ProbNotFound, fmt.Sprintf("%q is not an action; allowed: %s.", a, joinSlugs(apiActions)))
		return
	}
	u := h.editableUpdate(w, r)
	if u == nil {
		return
	}
	// An action changes the status only, never the content, so it needs
	// no If-Match; one that sends it is held to it.
	if !h.ifMatch(w, r, u.Version, false) {
		return
	}
	if err := h.ed.Act(ctx, web.UserFrom(ctx), a, u, ""); err != nil {
		if !h.staleAnswer(w, r, err) {
			h.srv.APIFail(w, r, err)
		}
		return
	}
	h.writeEditorial(w, r, http.StatusOK, u)
}

// validUpdateInput answers 422 with every problem of the body — those of
// reading it and those the domain finds — and returns false, when there
// are any; otherwise the store validates again as it saves.
func (h *handler) validUpdateInput(w http.ResponseWriter, r *http.Request, u *civicmon.Update, errs []civicmon.FieldError) bool {
	if len(errs) == 0 {
		return true
	}
	d, err := h.srv.SiteData(r.Context())
	if err != nil {
		h.srv.APIFail(w, r, err)
		return false
	}
	check := *u
	var ve *civicmon.ValidationError
	if errors.As(check.Validate(d.Vocab), &ve) {
		for _, f := range ve.Fields {
			f.Field = web.APIFieldName(f.Field)
			if !slices.ContainsFunc(errs, func(e civicmon.FieldError) bool { return e.Field == f.Field }) {
				errs = append(errs, f)
			}
		}
	}
	h.srv.Problem(w, r, web.ProbInvalid, "Some fields are not valid: see errors.", errs...)
	return false
}

// decodeUpdateInput reads a JSON body strictly: an unknown field is an
// error, not silently dropped.
func (h *handler) decodeUpdateInput(w http.ResponseWriter, r *http.Request) (*apiUpdateInput, bool) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		h.srv.Problem(w, r, web.ProbMediaType, "Send the update as JSON, with the header Content-Type: application/json.")
		return nil, false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var in apiUpdateInput
	err := dec.Decode(&in)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	} else if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("data after the JSON object")
		}
	}
	if err == nil {
		return &in, true
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		h.srv.APIFail(w, r, err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		h.srv.Problem(w, r, web.ProbInvalid, "Some fields are not valid: see errors.",
			civicmon.FieldError{Field: field, Message: fmt.Sprintf("must be %s, not %s", jsonTypeName(typ.Type.Kind().String()), typ.Value)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		h.srv.Problem(w, r, web.ProbInvalid, "Some fields are not valid: see errors.",
			civicmon.FieldError{Field: field, Message: "is not a field of an update: the UpdateInput schema of /api/v1/openapi.json lists them"})
	case errors.As(err, &syntax):
		h.srv.Problem(w, r, web.ProbBadRequest, fmt.Sprintf("The body is not valid JSON: %s (at byte %d).", syntax.Error(), syntax.Offset))
	case errors.Is(err, io.EOF):
		h.srv.Problem(w, r, web.ProbBadRequest, "The body is empty: send the update as a JSON object.")
	default:
		h.srv.Problem(w, r, web.ProbBadRequest, "The body is not one JSON object: "+err.Error()+".")
	}
	return nil, false
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct":
		return "an object"
	case "int", "int64":
		return "a whole number"
	}
	return "of another type"
}

// applyUpdateInput sets the update's content from the body, and returns
// the problems of the values the domain cannot see (dates, freedoms).
func applyUpdateInput(in *apiUpdateInput, u *civicmon.Update) []civicmon.FieldError {
	var errs []civicmon.FieldError
	date := func(field, v string) civicmon.Date {
		d, err := civicmon.ParseDate(strings.TrimSpace(v))
		if err != nil {
			errs = append(errs, civicmon.FieldError{Field: field, Message: fmt.Sprintf("%q is not a date in the form YYYY-MM-DD", v)})
		}
		return d
	}
	u.CountryCode = strings.TrimSpace(in.Country)
	u.Title = strings.TrimSpace(in.Title)
	u.Slug = strings.TrimSpace(in.Slug)
	u.Summary = strings.TrimSpace(in.Summary)
	u.Body = in.Body
	u.PublishedOn = date("published_on", in.PublishedOn)
	u.DateApproximate = in.DateApproximate
	u.PeriodStart = date("period_start", in.PeriodStart)
	u.PeriodEnd = date("period_end", in.PeriodEnd)
	u.Freedoms = 0
	for i, v := range in.Freedoms {
		f := civicmon.Freedom(v)
		if !f.Valid() {
			errs = append(errs, civicmon.FieldError{Field: fmt.Sprintf("freedoms[%d]", i),
				Message: fmt.Sprintf("%q is not a freedom; allowed: %s", v, joinSlugs(civicmon.Freedoms))})
			continue
		}
		u.Freedoms |= f.Bit()
	}
	u.Violations = append([]string(nil), in.Violations...)
	u.Partner = strings.TrimSpace(in.Partner)
	u.Language = strings.TrimSpace(in.Language)
	u.InternalNotes = in.InternalNotes
	u.Sources = nil
	for i, src := range in.Sources {
		u.Sources = append(u.Sources, civicmon.Source{URL: strings.TrimSpace(src.URL), Title: strings.TrimSpace(src.Title),
			Publisher: strings.TrimSpace(src.Publisher), PublishedOn: date(fmt.Sprintf("sources[%d].published_on", i), src.PublishedOn),
			Contact: strings.TrimSpace(src.Contact)})
	}
	u.Translations = nil
	for _, t := range in.Translations {
		u.Translations = append(u.Translations, civicmon.Translation{Language: strings.TrimSpace(t.Language),
			Title: strings.TrimSpace(t.Title), Summary: strings.TrimSpace(t.Summary), Body: t.Body})
	}
	u.Incidents = nil
	for i, in := range in.Incidents {
		u.Incidents = append(u.Incidents, civicmon.Incident{OccurredOn: date(fmt.Sprintf("incidents[%d].occurred_on", i), in.OccurredOn),
			DateApproximate: in.DateApproximate, Freedom: civicmon.Freedom(strings.TrimSpace(in.Freedom)),
			Violation: strings.TrimSpace(in.Violation), Target: strings.TrimSpace(in.Target), PeopleAffected: in.PeopleAffected,
			Place: strings.TrimSpace(in.Place), Description: strings.TrimSpace(in.Description), VictimName: strings.TrimSpace(in.VictimName)})
	}
	return errs
}
