package workspace

import (
	"net/http"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/password"
	"github.com/civicmon/civicmon/web"
)

type resetConfirmData struct {
	Token, Error string
}

// handleResetForm asks for the new password. Opening the link spends
// nothing: mail scanners open links too.
func (h *handler) handleResetForm(w http.ResponseWriter, r *http.Request) {
	p := h.page(w, r, "Choose a new password")
	h.srv.Render(w, r, http.StatusOK, p, resetConfirmPage(p, resetConfirmData{Token: r.PathValue("token")}))
}

// handleReset sets the new password and signs the account out everywhere.
// The token is spent here, on the form's POST.
func (h *handler) handleReset(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := h.page(w, r, "Choose a new password")
	d := resetConfirmData{Token: r.PathValue("token")}
	fail := func(status int, msg string) {
		d.Error = msg
		h.srv.Render(w, r, status, p, resetConfirmPage(p, d))
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("password2") {
		fail(http.StatusUnprocessableEntity, p.T("The two passwords differ."))
		return
	}
	if err := password.Check(pw); err != nil {
		fail(http.StatusUnprocessableEntity, err.Error())
		return
	}
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	var done bool
	err = h.store.InTx(ctx, func(tx civicmon.Store) error {
		u, err := tx.UsePasswordReset(ctx, web.HashToken(d.Token), h.now())
		if err != nil {
			return err
		}
		if u.Disabled {
			return civicmon.Errorf(civicmon.EINVALID, "%s", civicmon.PasswordResetInvalidMessage)
		}
		u.PasswordHash = hash
		if err := tx.SaveUser(civicmon.WithActor(ctx, u.ID), u); err != nil {
			return err
		}
		done = true
		return tx.DeleteUserSessions(ctx, u.ID)
	})
	if civicmon.ErrorCode(err) == civicmon.EINVALID && !done {
		fail(http.StatusGone, civicmon.ErrorMessage(err))
		return
	}
	if err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/login?reset=1", http.StatusSeeOther)
}
