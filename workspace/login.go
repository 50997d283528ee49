package workspace

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/password"
	"github.com/civicmon/civicmon/web"
)

const (
	// sessionTTL is how long a sign-in lasts.
	sessionTTL = 12 * time.Hour
	// mfaTTL is how long a half-finished sign-in waits for its second factor.
	mfaTTL = 10 * time.Minute
)

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

func (h *handler) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	p := h.page(w, r, "Sign in")
	d := loginData{Next: safeNext(r.URL.Query().Get("next"))}
	if r.URL.Query().Get("reset") != "" {
		d.Message = p.T("Your password is changed, and every session of the account is signed out. Sign in with the new password.")
	}
	h.srv.Render(w, r, http.StatusOK, p, loginPage(p, d))
}

// dummyHash makes a sign-in with an unknown e-mail cost as much as one
// with a wrong password, so timing does not tell which accounts exist.
var dummyHash = sync.OnceValue(func() string {
	hash, _ := password.Hash("civicmon timing equaliser", password.Default)
	return hash
})

func (h *handler) handleLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := h.now()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	d := loginData{Email: email, Next: safeNext(r.PostFormValue("next"))}
	fail := func(status int, msg string) {
		p := h.page(w, r, "Sign in")
		d.Error = p.T(msg)
		h.srv.Render(w, r, status, p, loginPage(p, d))
	}
	u, err := h.store.UserByEmail(ctx, email)
	if err != nil && civicmon.ErrorCode(err) != civicmon.ENOTFOUND {
		h.srv.Fail(w, r, err)
		return
	}
	// A browser that signed in to the account before counts against its
	// own throttle, not the account's: others' failures do not lock it out.
	limits := h.signInLimits(r, email, u)
	for _, l := range limits {
		if b, _ := l.t.blocked(l.key, now); b {
			fail(http.StatusTooManyRequests, l.msg)
			return
		}
	}
	hash := dummyHash()
	if err == nil {
		hash = u.PasswordHash
	}
	if perr := password.Verify(r.PostFormValue("password"), hash); err != nil || perr != nil || u.Disabled {
		for _, l := range limits {
			l.t.fail(l.key, now)
		}
		h.audit(ctx, "user.login_failed", "user", email, "")
		fail(http.StatusUnauthorized, msgid("Wrong e-mail address or password."))
		return
	}
	// Only the first limit, the account's or the device's, is reset: a
	// known device signing in does not give a guesser new tries.
	limits[0].t.reset(limits[0].key)
	// An account with a second factor gets a half-signed-in session, which
	// opens nothing but the code form.
	pending := u.TOTPSecret != ""
	if err := h.startSession(w, r, u.ID, pending); err != nil {
		h.srv.Fail(w, r, err)
		return
	}
	if pending {
		http.Redirect(w, r, "/admin/login/2fa?next="+url.QueryEscape(d.Next), http.StatusSeeOther)
		return
	}
	h.setDevice(w, r, u)
	h.audit(civicmon.WithActor(ctx, u.ID), "user.login", "user", itoa64(u.ID), "")
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// startSession stores a new session of the account and sets its cookie: a
// full one, or, when mfaPending, one that waits for the second factor.
func (h *handler) startSession(w http.ResponseWriter, r *http.Request, userID int64, mfaPending bool) error {
	token, hash := web.NewToken()
	ttl := sessionTTL
	if mfaPending {
		ttl = mfaTTL
	}
	sess := civicmon.Session{TokenHash: hash, UserID: userID, MFAPending: mfaPending, ExpiresAt: h.now().Add(ttl)}
	if err := h.store.CreateSession(r.Context(), &sess); err != nil {
		return err
	}
	h.srv.SetSessionCookie(w, r, token, ttl)
	return nil
}

func (h *handler) handleLogout(w http.ResponseWriter, r *http.Request) {
	if sess, u, _ := h.srv.Session(r); sess != nil {
		if err := h.store.DeleteSession(r.Context(), sess.TokenHash); err != nil {
			h.srv.Fail(w, r, err)
			return
		}
		h.audit(civicmon.WithActor(r.Context(), u.ID), "user.logout", "user", itoa64(u.ID), "")
	}
	h.srv.ClearSessionCookie(w, r)
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}
