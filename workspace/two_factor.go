package workspace

import (
	"net/http"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/totp"
)

type twoFactorData struct {
	Next, Error string
}

// handleTwoFactorForm asks a half-signed-in account for its code.
func (h *handler) handleTwoFactorForm(w http.ResponseWriter, r *http.Request) {
	if _, u, pending := h.srv.Session(r); u == nil || !pending {
		http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
		return
	}
	p := h.page(w, r, "Two-step sign-in")
	h.srv.Render(w, r, http.StatusOK, p, twoFactorPage(p, twoFactorData{Next: safeNext(r.URL.Query().Get("next"))}))
}

// handleTwoFactor checks the code of a half-signed-in account, and signs
// it in fully when it is right and was not used before.
func (h *handler) handleTwoFactor(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, u, pending := h.srv.Session(r)
	if u == nil || !pending {
		http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
		return
	}
	now := h.now()
	d := twoFactorData{Next: safeNext(r.PostFormValue("next"))}
	fail := func(status int, msg string) {
		p := h.page(w, r, "Two-step sign-in")
		d.Error = p.T(msg)
		h.srv.Render(w, r, status, p, twoFactorPage(p, d))
	}
	l := h.codeLimit(r, u)
	if b, _ := l.t.blocked(l.key, now); b {
		fail(http.StatusTooManyRequests, msgid("Too many failed sign-ins for this account. Wait 15 minutes and try again, or reset the password."))
		return
	}
	step, ok := totp.VerifyStep(u.TOTPSecret, r.PostFormValue("code"), now)
	if !ok || !h.totpSteps.claim(u.ID, step) {
		l.t.fail(l.key, now)
		h.audit(civicmon.WithActor(ctx, u.ID), "user.2fa_failed", "user", itoa64(u.ID), "")
		fail(http.StatusUnauthorized, msgid("That code is not right, or was already used. Enter the current code from your app."))
		return
	}
	l.t.reset(l.key)
	// A new token for the full session: the half-signed-in one is spent.
	if err := h.store.DeleteSession(ctx, sess.TokenHash); err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	if err := h.startSession(w, r, u.ID, false); err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	h.setDevice(w, r, u)
	h.audit(civicmon.WithActor(ctx, u.ID), "user.login", "user", itoa64(u.ID), "two-step")
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}
