package web

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/mail"
	"github.com/civicmon/civicmon/password"
	"github.com/civicmon/civicmon/totp"
)

// resetTTL is how long a password reset link works.
const resetTTL = time.Hour

// usedSteps remembers the last TOTP time step each account signed in with,
// so that a code seen over a shoulder cannot be replayed in its window.
type usedSteps struct {
	mu   sync.Mutex
	last map[int64]int64
}

func (u *usedSteps) claim(userID, step int64) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.last == nil {
		u.last = map[int64]int64{}
	}
	if step <= u.last[userID] {
		return false
	}
	u.last[userID] = step
	return true
}

type twoFactorData struct {
	Next, Error string
	// Enrolment
	Secret, URI string
	Enabled     bool
	Message     string
}

// handleTwoFactorForm asks a half-signed-in account for its code.
func (s *Server) handleTwoFactorForm(w http.ResponseWriter, r *http.Request) {
	if _, u, pending := s.Session(r); u == nil || !pending {
		http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
		return
	}
	p := s.adminPage(w, r, "Two-step sign-in")
	p.Data = twoFactorData{Next: safeNext(r.URL.Query().Get("next"))}
	s.RenderTemplate(w, r, http.StatusOK, "admin_2fa", p)
}

func (s *Server) handleTwoFactor(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, u, pending := s.Session(r)
	if u == nil || !pending {
		http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
		return
	}
	now := s.cfg.Now()
	data := twoFactorData{Next: safeNext(r.PostFormValue("next"))}
	acctKey := "account:" + u.Email
	if b, _ := s.accountThrottle.blocked(acctKey, now); b {
		p := s.adminPage(w, r, "Two-step sign-in")
		data.Error = p.T(msgid("Too many failed sign-ins for this account. Wait 15 minutes and try again, or reset the password."))
		p.Data = data
		s.RenderTemplate(w, r, http.StatusTooManyRequests, "admin_2fa", p)
		return
	}
	step, ok := totp.VerifyStep(u.TOTPSecret, r.PostFormValue("code"), now)
	if !ok || !s.totpSteps.claim(u.ID, step) {
		s.accountThrottle.Fail(acctKey, now)
		s.cfg.Store.Audit(civicmon.WithActor(ctx, u.ID), "user.2fa_failed", "user", itoa64(u.ID), "")
		p := s.adminPage(w, r, "Two-step sign-in")
		data.Error = p.T(msgid("That code is not right, or was already used. Enter the current code from your app."))
		p.Data = data
		s.RenderTemplate(w, r, http.StatusUnauthorized, "admin_2fa", p)
		return
	}
	s.accountThrottle.reset(acctKey)
	// A new token for the full session: the half-signed-in one is spent.
	if err := s.cfg.Store.DeleteSession(ctx, sess.TokenHash); err != nil {
		s.Fail(w, r, err)
		return
	}
	token := randomToken()
	full := civicmon.Session{TokenHash: hashToken(token), UserID: u.ID, ExpiresAt: now.Add(sessionTTL)}
	if err := s.cfg.Store.CreateSession(ctx, &full); err != nil {
		s.Fail(w, r, err)
		return
	}
	s.SetSessionCookie(w, r, token, sessionTTL)
	s.cfg.Store.Audit(civicmon.WithActor(ctx, u.ID), "user.login", "user", itoa64(u.ID), "two-step")
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
}

// handleAccount2FA shows the second-factor settings of the signed-in
// account, with a new secret to enrol when it has none.
func (s *Server) handleAccount2FA(w http.ResponseWriter, r *http.Request) {
	p := s.adminPage(w, r, "Two-step sign-in")
	u := p.User
	data := twoFactorData{Enabled: u.TOTPSecret != ""}
	if !data.Enabled {
		data.Secret = totp.NewSecret()
		data.URI = totp.URI(data.Secret, "civicmon", u.Email)
	}
	if r.URL.Query().Get("required") != "" && !data.Enabled {
		data.Message = p.T("Your role must use two-step sign-in: turn it on to continue.")
	}
	switch r.URL.Query().Get("done") {
	case "on":
		data.Message = p.T("Two-step sign-in is on.")
	case "off":
		data.Message = p.T("Two-step sign-in is off.")
	}
	p.Data = data
	s.RenderTemplate(w, r, http.StatusOK, "admin_account_2fa", p)
}

// handleAccount2FASave turns the second factor on (after a code from the
// new secret proves the app has it) or off (after the password).
func (s *Server) handleAccount2FASave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := *UserFrom(ctx)
	fail := func(msg string, secret string) {
		p := s.adminPage(w, r, "Two-step sign-in")
		data := twoFactorData{Enabled: u.TOTPSecret != "", Error: p.T(msg), Secret: secret}
		if secret != "" {
			data.URI = totp.URI(secret, "civicmon", u.Email)
		}
		p.Data = data
		s.RenderTemplate(w, r, http.StatusUnprocessableEntity, "admin_account_2fa", p)
	}
	if r.PostFormValue("action") == "disable" {
		if s.Requires2FA(ctx, u.Role) {
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
		if !totp.Verify(secret, r.PostFormValue("code"), s.cfg.Now()) {
			fail(msgid("That code does not match: check the app's clock and enter the current code."), secret)
			return
		}
		u.TOTPSecret = secret
	}
	if err := s.cfg.Store.SaveUser(ctx, &u); err != nil {
		s.Fail(w, r, err)
		return
	}
	done := "on"
	if u.TOTPSecret == "" {
		done = "off"
	}
	http.Redirect(w, r, "/admin/account/2fa?done="+done, http.StatusSeeOther)
}

type resetData struct {
	Email, Error, Message, Token string
	MailEnabled                  bool
}

func (s *Server) handleResetRequestForm(w http.ResponseWriter, r *http.Request) {
	p := s.adminPage(w, r, "Reset your password")
	p.Data = resetData{MailEnabled: s.cfg.Mail.Enabled()}
	s.RenderTemplate(w, r, http.StatusOK, "admin_reset", p)
}

// handleResetRequest mails a one-time link. It answers the same whether
// the account exists or not, so the form tells no one who has an account.
func (s *Server) handleResetRequest(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := s.cfg.Now()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	p := s.adminPage(w, r, "Reset your password")
	data := resetData{MailEnabled: s.cfg.Mail.Enabled(), Email: email}
	ipKey := "reset:" + clientIP(r)
	if b, _ := s.addressThrottle.blocked(ipKey, now); b || !s.cfg.Mail.Enabled() {
		data.Error = p.T(msgid("Password reset by e-mail is not available right now. Ask an administrator."))
		p.Data = data
		s.RenderTemplate(w, r, http.StatusServiceUnavailable, "admin_reset", p)
		return
	}
	s.addressThrottle.Fail(ipKey, now) // every request counts against the address
	if u, err := s.cfg.Store.UserByEmail(ctx, email); err == nil && !u.Disabled {
		token := randomToken()
		reset := civicmon.PasswordReset{TokenHash: hashToken(token), UserID: u.ID, ExpiresAt: now.Add(resetTTL)}
		if err := s.cfg.Store.CreatePasswordReset(ctx, &reset); err != nil {
			s.Fail(w, r, err)
			return
		}
		link := s.AbsoluteURL(r, "/admin/password-reset/"+token)
		msg := mail.Message{To: u.Email, Subject: p.T("Reset your civicmon password"),
			Text: p.T("Someone asked to reset the password of your civicmon account. If it was you, open this link within an hour to choose a new password; it works once:") +
				"\n\n" + link + "\n\n" + p.T("If it was not you, ignore this message: your password stays as it is.") + "\n"}
		if err := mail.Send(ctx, s.cfg.Mail, msg); err != nil {
			s.log.Error("password reset mail", "err", err)
		}
	}
	data.Message = p.T(msgid("If an account has this address, a link to reset its password is on its way. It works once, for an hour."))
	p.Data = data
	s.RenderTemplate(w, r, http.StatusOK, "admin_reset", p)
}

func (s *Server) handleResetForm(w http.ResponseWriter, r *http.Request) {
	p := s.adminPage(w, r, "Choose a new password")
	p.Data = resetData{Token: r.PathValue("token")}
	s.RenderTemplate(w, r, http.StatusOK, "admin_reset_confirm", p)
}

// handleReset sets the new password. The token is spent here, on the form's
// POST, not when the link is opened: mail scanners open links too.
func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := s.adminPage(w, r, "Choose a new password")
	data := resetData{Token: r.PathValue("token")}
	fail := func(status int, msg string) {
		data.Error = msg
		p.Data = data
		s.RenderTemplate(w, r, status, "admin_reset_confirm", p)
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("password2") {
		fail(http.StatusUnprocessableEntity, p.T(msgid("The two passwords differ.")))
		return
	}
	if err := password.Check(pw); err != nil {
		fail(http.StatusUnprocessableEntity, err.Error())
		return
	}
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	var done bool
	err = s.cfg.Store.InTx(ctx, func(tx civicmon.Store) error {
		u, err := tx.UsePasswordReset(ctx, hashToken(data.Token), s.cfg.Now())
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
		s.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/login?reset=1", http.StatusSeeOther)
}
