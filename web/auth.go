package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
)

const (
	sessionCookie = "civicmon_session"
	csrfCookie    = "civicmon_csrf"
	csrfField     = "csrf_token"
)

// access says who may use a route: the public, or holders of a permission.
type Access struct {
	public bool
	perm   civicmon.Permission
	// AnonymousOnly routes (the login form) need no account.
	AnonymousOnly bool
	// MaxBody, when set, is the route's cap on request bodies in place of
	// the server's: a form that takes long texts (the update editor)
	// raises it, so that a long paste is answered at its field with the
	// text kept rather than refused whole.
	MaxBody int64
}

// WithMaxBody is the access a with the route's body cap set to n bytes.
func (a Access) WithMaxBody(n int64) Access {
	a.MaxBody = n
	return a
}

var Public = Access{public: true}

func Need(p civicmon.Permission) Access { return Access{perm: p} }

// RouteInfo describes a registered route, for the authorization tests.
type RouteInfo struct {
	Pattern    string
	Public     bool
	Permission civicmon.Permission
}

// handle registers a route with the access it needs: the one place where
// authorization is decided for every route.
func (s *Server) Handle(pattern string, a Access, h http.HandlerFunc) {
	info := RouteInfo{Pattern: pattern, Public: a.public || a.AnonymousOnly, Permission: a.perm}
	s.routeTable = append(s.routeTable, info)
	if a.MaxBody > 0 {
		if s.bodyLimits == nil {
			s.bodyLimits = map[string]int64{}
		}
		s.bodyLimits[pattern] = a.MaxBody
	}
	if !info.Public {
		h = s.require(a.perm, h)
	}
	route := h
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		setRoute(r.Context(), pattern)
		route(w, r)
	})
}

// Routes lists every route with its access rule.
func (s *Server) Routes() []RouteInfo { return append([]RouteInfo(nil), s.routeTable...) }

type userKey struct{}

// UserFrom returns the signed-in account of a request that passed require.
func UserFrom(ctx context.Context) *civicmon.User {
	u, _ := ctx.Value(userKey{}).(*civicmon.User)
	return u
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// NewToken returns a new secret token — a session's, for its cookie
// (SetSessionCookie); a password reset link's — and its HashToken, which
// is all the database keeps of it: a copy of the database opens no account.
func NewToken() (token, hash string) {
	token = randomToken()
	return token, hashToken(token)
}

// HashToken is the hash a token is stored and looked up by (SHA-256, in
// hex); Session finds a session by its cookie's.
func HashToken(token string) string { return hashToken(token) }

// session returns the request's session and account, nil when there is no
// valid one. A session still owing its second factor comes back with
// pending set and opens nothing else.
func (s *Server) Session(r *http.Request) (sess *civicmon.Session, u *civicmon.User, pending bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil, false
	}
	ctx := r.Context()
	sess, err = s.cfg.Store.SessionByHash(ctx, hashToken(c.Value))
	if err != nil || !sess.ExpiresAt.After(s.cfg.Now()) {
		return nil, nil, false
	}
	u, err = s.cfg.Store.UserByID(ctx, sess.UserID)
	if err != nil || u.Disabled {
		return nil, nil, false
	}
	return sess, u, sess.MFAPending
}

// require lets a request through when its account holds the permission.
// Without an account the reader is sent to sign in; with one that lacks
// the permission, they get 403.
func (s *Server) require(p civicmon.Permission, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if IsAPIPath(r.URL.Path) { // API tokens, and answers in JSON
			s.requireAPI(w, r, p, next)
			return
		}
		_, u, pending := s.Session(r)
		if u == nil || pending {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/admin/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.Forbidden(w, r, msgid("Please sign in first."))
			return
		}
		if !u.Role.Can(p) {
			s.Forbidden(w, r, msgid("Your role does not allow this."))
			return
		}
		if r.URL.Path != enrolPath && s.MustEnrol(r.Context(), u) {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, enrolPath+"?required=1", http.StatusSeeOther)
				return
			}
			s.Forbidden(w, r, msgid("Turn on two-step sign-in first: it is required for your role."))
			return
		}
		next(w, r.WithContext(civicmon.WithActor(context.WithValue(r.Context(), userKey{}, u), u.ID)))
	}
}

// enrolPath is where an account turns on two-step sign-in: the one page
// open to an account that must and has not yet.
const enrolPath = "/admin/account/2fa"

// mustEnrol reports whether the account's role must use two-step sign-in
// and the account has not turned it on.
func (s *Server) MustEnrol(ctx context.Context, u *civicmon.User) bool {
	return u.TOTPSecret == "" && s.Requires2FA(ctx, u.Role)
}

// requires2FA reports whether admins require two-step sign-in of the role.
func (s *Server) Requires2FA(ctx context.Context, role civicmon.Role) bool {
	roles, err := s.cfg.Store.Setting(ctx, civicmon.SettingRequire2FA)
	if err != nil {
		s.log.Error("read setting", "err", err)
		return false
	}
	for _, r := range strings.Split(roles, ",") {
		if civicmon.Role(strings.TrimSpace(r)) == role {
			return true
		}
	}
	return false
}

func (s *Server) Forbidden(w http.ResponseWriter, r *http.Request, msg string) {
	p := s.NewPage(r, "")
	p.Title = p.T("Not allowed")
	p.NoIndex = true
	s.Render(w, r, http.StatusForbidden, p, ErrorPage(p, p.T(msg)))
}

// csrfToken returns the request's anti-forgery token, setting the cookie
// that carries it when there is none yet. Forms send it back in a hidden
// field; the cookie is SameSite=Strict, so another site can neither read
// nor send it.
func (s *Server) CSRFToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	t := randomToken()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: t, Path: "/admin", HttpOnly: true,
		Secure: s.Secure(r), SameSite: http.SameSiteStrictMode})
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: t})
	return t
}

// checkCSRF refuses every state-changing request whose token is missing or
// wrong, and those whose Origin is another site. API requests that carry
// an API token are exempt: browsers never send one by themselves, and
// require authenticates them by the token alone, never by cookies.
func (s *Server) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if apiCSRFExempt(r) {
			next.ServeHTTP(w, r)
			return
		}
		forbidden := func(msg string) {
			if IsAPIPath(r.URL.Path) {
				s.apiCSRFRefused(w, r)
				return
			}
			s.Forbidden(w, r, msg)
		}
		if o := r.Header.Get("Origin"); o != "" && o != "null" {
			if u, err := url.Parse(o); err != nil || u.Host != r.Host {
				forbidden(msgid("This form was sent from another site."))
				return
			}
		}
		c, err := r.Cookie(csrfCookie)
		sent := r.Header.Get("X-CSRF-Token")
		if sent == "" {
			if perr := r.ParseForm(); perr != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(perr, &tooLarge) {
					s.TooLarge(w, r, tooLarge.Limit)
					return
				}
			}
			sent = r.PostFormValue(csrfField)
		}
		if err != nil || len(c.Value) < 32 || subtle.ConstantTimeCompare([]byte(c.Value), []byte(sent)) != 1 {
			forbidden(msgid("This form has expired or did not come from this site. Go back, reload the page and try again."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) SetSessionCookie(w http.ResponseWriter, r *http.Request, token string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/admin", HttpOnly: true,
		Secure: s.Secure(r), SameSite: http.SameSiteLaxMode, MaxAge: int(ttl.Seconds())})
}

func (s *Server) ClearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/admin", HttpOnly: true,
		Secure: s.Secure(r), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
