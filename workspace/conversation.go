package workspace

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/a-h/templ"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/notify"
	"github.com/civicmon/civicmon/web"
)

// Reviews that talk: each update's private conversation, the comment that
// comes with a workflow step, the confirmation before a step that changes
// what the public sees, and what each step says when done.

// editorial is the workspace's civicmon.Editorial, notifying by mail when
// the server sends mail.
func (h *handler) editorial(r *http.Request) *civicmon.Editorial {
	if h.mail.Host == "" {
		return h.ed
	}
	base, _ := h.srv.ConfiguredURL("")
	n := &notify.Notifier{BaseURL: base}
	ed := *h.ed
	ed.Notify = n.Notify
	return &ed
}

// previewPart is one language of a preview.
type previewPart struct {
	Lang string
	Page templ.Component
}

// doneMessage says what a step did (?done=publish).
func doneMessage(p *web.Page, done string) string {
	switch civicmon.Action(done) {
	case civicmon.ActionSave:
		return p.T("Saved.")
	case civicmon.ActionSubmit:
		return p.T("Sent for review. The reviewers are told.")
	case civicmon.ActionRequestChanges:
		return p.T("Changes requested: the update is back with its author, who is told.")
	case civicmon.ActionPublish:
		return p.T("Published: the update is now public.")
	case civicmon.ActionUnpublish:
		return p.T("Unpublished: the update is no longer public and is a draft again.")
	case civicmon.ActionArchive:
		return p.T("Archived: the update is no longer public.")
	}
	if done == "comment" {
		return p.T("Your comment was added to the conversation.")
	}
	return ""
}

// needsConfirmation: the steps that change what the public sees are
// confirmed on a page of their own first.
func needsConfirmation(a civicmon.Action) bool {
	return a == civicmon.ActionPublish || a == civicmon.ActionUnpublish || a == civicmon.ActionArchive
}

type confirmData struct {
	Action      civicmon.Action
	Title       string
	Question    string
	Consequence string
	Post        string
	Back        string
	Fields      []hiddenField   // the form as posted, sent again with confirm=1
	Button      string          // the confirming button's words: the step's name when empty
	Preview     templ.Component // what the public will see, if shown
}

type hiddenField struct{ Name, Value string }

// confirmStep asks whether to take a step that changes what the public
// sees, on a page that works without JavaScript: it carries the form as
// posted, to be posted again with confirm=1, so nothing typed is lost.
func (h *handler) confirmStep(w http.ResponseWriter, r *http.Request, p *web.Page, stored *civicmon.Update, action civicmon.Action) {
	d := confirmData{Action: action, Title: stored.Title, Post: r.URL.Path, Back: r.URL.Path}
	if stored.ID == 0 {
		d.Back = "/admin/updates/new"
	}
	switch action {
	case civicmon.ActionPublish:
		d.Question = p.T("Publish “%s”?", stored.Title)
		d.Consequence = p.T("It becomes public at once: on its page, the country page, the lists, feeds, downloads and the API. Its author is told.")
	case civicmon.ActionUnpublish:
		d.Question = p.T("Unpublish “%s”?", stored.Title)
		d.Consequence = p.T("It disappears from every public page, feed and download, and becomes a draft again. Copies others made stay.")
	case civicmon.ActionArchive:
		d.Question = p.T("Archive “%s”?", stored.Title)
		d.Consequence = p.T("It disappears from every public page, feed and download, and is kept in the archive.")
	}
	d.Fields = postedFields(r)
	p.Title = d.Question
	h.srv.Render(w, r, http.StatusOK, p, confirmPage(p, d))
}

// postedFields is the form as posted, but its token and confirmation, to
// be posted again from a confirmation page.
func postedFields(r *http.Request) []hiddenField {
	keys := make([]string, 0, len(r.PostForm))
	for k := range r.PostForm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []hiddenField
	for _, k := range keys {
		if k == "csrf_token" || k == "confirm" {
			continue
		}
		for _, v := range r.PostForm[k] {
			out = append(out, hiddenField{k, v})
		}
	}
	return out
}

// handleComment adds a comment to an update's conversation.
func (h *handler) handleComment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	me := web.UserFrom(ctx)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.srv.NotFound(w, r)
		return
	}
	ed := h.editorial(r)
	_, err = ed.AddComment(ctx, me, id, r.PostFormValue("body"))
	var ve *civicmon.ValidationError
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/admin/updates/%d?done=comment#conversation", id), http.StatusSeeOther)
	case errors.As(err, &ve):
		p := h.page(w, r, "New update")
		u, lerr := h.loadEditable(r, r.PathValue("id"))
		if lerr != nil {
			h.fail(w, r, lerr)
			return
		}
		p.Title = u.Title
		d, derr := h.updateForm(ctx, p, u, &updateInput{U: u})
		if derr != nil {
			h.srv.Fail(w, r, derr)
			return
		}
		d.Errors = &formErrors{}
		d.Errors.add(formError{ID: "comment-body", Summary: p.T("Write something before you send it."), Message: p.T("Write something before you send it.")})
		h.srv.Render(w, r, http.StatusUnprocessableEntity, p, updateFormPage(p, d))
	default:
		h.fail(w, r, err)
	}
}

// lastRequest is the comment that came with the latest "request changes",
// while the update waits for its author; nil otherwise.
func lastRequest(d *updateFormData) *civicmon.Comment {
	if d.U.Status != civicmon.StatusDraft {
		return nil
	}
	for i := len(d.Comments) - 1; i >= 0; i-- {
		switch d.Comments[i].Action {
		case civicmon.ActionRequestChanges:
			return &d.Comments[i]
		case civicmon.ActionSubmit:
			return nil
		}
	}
	return nil
}
