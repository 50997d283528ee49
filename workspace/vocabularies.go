package workspace

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/civicmon/civicmon"
)

type vocabData struct {
	Vocab   *civicmon.Vocabulary
	Errors  []civicmon.FieldError
	Message string
	Kind    string
	Form    civicmon.Term
}

// handleVocabularies lists the violation types and target groups, with
// the form to add one.
func (h *handler) handleVocabularies(w http.ResponseWriter, r *http.Request) {
	h.renderVocabularies(w, r, http.StatusOK, vocabData{Kind: "violation"}, r.URL.Query().Get("done") != "")
}

func (h *handler) renderVocabularies(w http.ResponseWriter, r *http.Request, status int, d vocabData, done bool) {
	p := h.page(w, r, "Vocabularies")
	v, err := h.store.Vocabulary(r.Context())
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	d.Vocab = v
	if done {
		d.Message = p.T("Saved.")
	}
	h.srv.Render(w, r, status, p, vocabulariesPage(p, d))
}

func (h *handler) handleVocabularyAdd(w http.ResponseWriter, r *http.Request) {
	t := civicmon.Term{Slug: strings.TrimSpace(r.PostFormValue("slug")), Name: strings.TrimSpace(r.PostFormValue("name"))}
	if t.Slug == "" {
		t.Slug = civicmon.Slugify(t.Name)
	}
	kind := r.PostFormValue("kind")
	var err error
	switch kind {
	case "violation":
		err = h.store.AddViolationType(r.Context(), t)
	case "target":
		err = h.store.AddTargetGroup(r.Context(), t)
	default:
		err = &civicmon.ValidationError{Fields: []civicmon.FieldError{{Field: "kind", Message: fmt.Sprintf("%q is not a vocabulary; allowed: violation, target", kind)}}}
	}
	if err != nil {
		h.formError(w, r, err, func(errs []civicmon.FieldError) {
			h.renderVocabularies(w, r, http.StatusUnprocessableEntity, vocabData{Errors: errs, Kind: kind, Form: t}, false)
		})
		return
	}
	http.Redirect(w, r, "/admin/vocabularies?done=1", http.StatusSeeOther)
}
