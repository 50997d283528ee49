package workspace

import (
	"net/http"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/mail"
	"github.com/civicmon/civicmon/web"
)

// resetTTL is how long a password reset link works.
const resetTTL = time.Hour

type resetData struct {
	Email, Error, Message string
}

// handleResetRequestForm asks for the address of the account whose
// password is forgotten.
func (h *handler) handleResetRequestForm(w http.ResponseWriter, r *http.Request) {
	p := h.page(w, r, "Reset your password")
	h.srv.Render(w, r, http.StatusOK, p, resetPage(p, resetData{}))
}

// handleResetRequest mails a one-time link. It answers the same whether
// the account exists or not, so the form tells no one who has an account.
func (h *handler) handleResetRequest(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := h.now()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	p := h.page(w, r, "Reset your password")
	d := resetData{Email: email}
	ipKey := "reset:" + clientIP(r)
	// Links in mail come from the configured base URL only: one made from
	// the request's Host header would carry the token to whoever sent it.
	_, haveBase := h.srv.ConfiguredURL("/")
	if h.mail.Enabled() && !haveBase {
		h.log.Error("password reset mail not sent: no base URL is configured (serve --base-url), and links in mail are never made from a request's Host")
	}
	if b, _ := h.addressThrottle.blocked(ipKey, now); b || !h.mail.Enabled() || !haveBase {
		d.Error = p.T("Password reset by e-mail is not available right now. Ask an administrator.")
		h.srv.Render(w, r, http.StatusServiceUnavailable, p, resetPage(p, d))
		return
	}
	h.addressThrottle.fail(ipKey, now) // every request counts against the address
	if u, err := h.store.UserByEmail(ctx, email); err == nil && !u.Disabled {
		token, hash := web.NewToken()
		reset := civicmon.PasswordReset{TokenHash: hash, UserID: u.ID, ExpiresAt: now.Add(resetTTL)}
		if err := h.store.CreatePasswordReset(ctx, &reset); err != nil {
			h.srv.Fail(w, r, err)
			return
		}
		link, _ := h.srv.ConfiguredURL("/admin/password-reset/" + token)
		msg := mail.Message{To: u.Email, Subject: p.T("Reset your civicmon password"),
			Text: p.T("Someone asked to reset the password of your civicmon account. If it was you, open this link within an hour to choose a new password; it works once:") +
				"\n\n" + link + "\n\n" + p.T("If it was not you, ignore this message: your password stays as it is.") + "\n"}
		if err := mail.Send(ctx, h.mail, msg); err != nil {
			h.log.Error("password reset mail", "err", err)
		}
	}
	d.Message = p.T("If an account has this address, a link to reset its password is on its way. It works once, for an hour.")
	h.srv.Render(w, r, http.StatusOK, p, resetPage(p, d))
}
