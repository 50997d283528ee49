package web

import (
	"net/http"
	"strings"
	"sync"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/password"
)

// adminPage starts a workspace page: never cached, never indexed, with the
// form token and the signed-in account.
func (s *Server) adminPage(w http.ResponseWriter, r *http.Request, title string) *Page {
	w.Header().Set("Cache-Control", "no-store")
	p := s.NewPage(r, "")
	p.Title = p.T(title)
	p.NoIndex = true
	p.User = UserFrom(r.Context())
	p.CSRF = s.CSRFToken(w, r)
	return p
}

type loginData struct {
	Email, Next, Error, Message string
}

// safeNext keeps redirects after sign-in inside the workspace.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/admin") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/admin"
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	p := s.adminPage(w, r, "Sign in")
	data := loginData{Next: safeNext(r.URL.Query().Get("next"))}
	if r.URL.Query().Get("reset") != "" {
		data.Message = p.T(msgid("Your password is changed, and every session of the account is signed out. Sign in with the new password."))
	}
	p.Data = data
	s.RenderTemplate(w, r, http.StatusOK, "admin_login", p)
}

// dummyHash makes a sign-in with an unknown e-mail cost as much as one
// with a wrong password, so timing does not tell which accounts exist.
var dummyHash = sync.OnceValue(func() string {
	h, _ := password.Hash("civicmon timing equaliser", password.Default)
	return h
})

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := s.cfg.Now()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	data := loginData{Email: email, Next: safeNext(r.PostFormValue("next"))}
	fail := func(status int, msg string) {
		p := s.adminPage(w, r, "Sign in")
		data.Error = p.T(msg)
		p.Data = data
		s.RenderTemplate(w, r, status, "admin_login", p)
	}
	acctKey, ipKey := "account:"+email, "address:"+clientIP(r)
	if b1, _ := s.accountThrottle.blocked(acctKey, now); b1 {
		fail(http.StatusTooManyRequests, msgid("Too many failed sign-ins for this account. Wait 15 minutes and try again, or reset the password."))
		return
	}
	if b2, _ := s.addressThrottle.blocked(ipKey, now); b2 {
		fail(http.StatusTooManyRequests, msgid("Too many failed sign-ins from this network. Wait 15 minutes and try again."))
		return
	}
	u, err := s.cfg.Store.UserByEmail(ctx, email)
	hash := dummyHash()
	if err == nil {
		hash = u.PasswordHash
	}
	if perr := password.Verify(r.PostFormValue("password"), hash); err != nil || perr != nil || u.Disabled {
		s.accountThrottle.Fail(acctKey, now)
		s.addressThrottle.Fail(ipKey, now)
		if aerr := s.cfg.Store.Audit(ctx, "user.login_failed", "user", email, ""); aerr != nil {
			s.log.Error("audit", "err", aerr)
		}
		fail(http.StatusUnauthorized, msgid("Wrong e-mail address or password."))
		return
	}
	s.accountThrottle.reset(acctKey)
	token := randomToken()
	sess := civicmon.Session{TokenHash: hashToken(token), UserID: u.ID, MFAPending: u.TOTPSecret != "",
		ExpiresAt: now.Add(sessionTTL)}
	ttl := sessionTTL
	if sess.MFAPending {
		sess.ExpiresAt, ttl = now.Add(mfaTTL), mfaTTL
	}
	if err := s.cfg.Store.CreateSession(ctx, &sess); err != nil {
		s.Fail(w, r, err)
		return
	}
	s.SetSessionCookie(w, r, token, ttl)
	if sess.MFAPending {
		http.Redirect(w, r, "/admin/login/2fa?next="+urlQueryEscape(data.Next), http.StatusSeeOther)
		return
	}
	if err := s.cfg.Store.Audit(civicmon.WithActor(ctx, u.ID), "user.login", "user", itoa64(u.ID), ""); err != nil {
		s.log.Error("audit", "err", err)
	}
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if sess, u, _ := s.Session(r); sess != nil {
		if err := s.cfg.Store.DeleteSession(r.Context(), sess.TokenHash); err != nil {
			s.Fail(w, r, err)
			return
		}
		s.cfg.Store.Audit(civicmon.WithActor(r.Context(), u.ID), "user.logout", "user", itoa64(u.ID), "")
	}
	s.ClearSessionCookie(w, r)
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}
