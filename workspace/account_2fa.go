package workspace

import (
	"net/http"
	"strings"

	"github.com/civicmon/civicmon/password"
	"github.com/civicmon/civicmon/totp"
	"github.com/civicmon/civicmon/web"
)

type account2FAData struct {
	Enabled        bool
	Secret, URI    string // a new secret to enrol, when not Enabled
	Message, Error string
}

// handleAccount2FA shows the second-factor settings of the signed-in
// account, with a new secret to enrol when it has none.
func (h *handler) handleAccount2FA(w http.ResponseWriter, r *http.Request) {
	p := h.page(w, r, "Two-step sign-in")
	u := p.User
	d := account2FAData{Enabled: u.TOTPSecret != ""}
	if !d.Enabled {
		d.Secret = totp.NewSecret()
		d.URI = totp.URI(d.Secret, "civicmon", u.Email)
	}
	if r.URL.Query().Get("required") != "" && !d.Enabled {
		d.Message = p.T("Your role must use two-step sign-in: turn it on to continue.")
	}
	switch r.URL.Query().Get("done") {
	case "on":
		d.Message = p.T("Two-step sign-in is on.")
	case "off":
		d.Message = p.T("Two-step sign-in is off.")
	}
	h.srv.Render(w, r, http.StatusOK, p, account2FAPage(p, d))
}

// handleAccount2FASave turns the second factor on (after a code from the
// new secret proves the app has it) or off (after the password).
func (h *handler) handleAccount2FASave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := *web.UserFrom(ctx)
	fail := func(msg string, secret string) {
		p := h.page(w, r, "Two-step sign-in")
		d := account2FAData{Enabled: u.TOTPSecret != "", Error: p.T(msg), Secret: secret}
		if secret != "" {
			d.URI = totp.URI(secret, "civicmon", u.Email)
		}
		h.srv.Render(w, r, http.StatusUnprocessableEntity, p, account2FAPage(p, d))
	}
	if r.PostFormValue("action") == "disable" {
		if h.srv.Requires2FA(ctx, u.Role) {
			fail(msgid("Two-step sign-in is required for your role: it cannot be turned off."), "")
			return
		}
		if password.Verify(r.PostFormValue("password"), u.PasswordHash) != nil {
			fail(msgid("Wrong password: two-step sign-in is still on."), "")
			return
		}
		u.TOTPSecret = ""
	} else {
		secret := strings.TrimSpace(r.PostFormValue("secret"))
		if !totp.Verify(secret, r.PostFormValue("code"), h.now()) {
			fail(msgid("That code does not match: check the app's clock and enter the current code."), secret)
			return
		}
		u.TOTPSecret = secret
	}
	if err := h.store.SaveUser(ctx, &u); err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	done := "on"
	if u.TOTPSecret == "" {
		done = "off"
	}
	http.Redirect(w, r, "/admin/account/2fa?done="+done, http.StatusSeeOther)
}
