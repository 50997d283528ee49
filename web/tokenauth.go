package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/civicmon/civicmon"
)

// Token authentication, for the JSON API: here and not in the api package,
// because require applies it to every /api/ route. A request to /api/ that
// carries an Authorization header is authenticated by its API token alone,
// never by cookies; the CSRF check does not apply to it, because a browser
// never sends that header by itself. A request without one is a browser
// request: the workspace's session cookie and CSRF token are needed, as for
// any form of the workspace (the cookies are scoped to /admin, so in
// practice the API is written to with tokens).

// bearerToken returns the token of an "Authorization: Bearer …" header.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

// apiCSRFExempt reports whether checkCSRF lets the request through
// without the anti-forgery token: an API request that authenticates with
// a token of its own.
func apiCSRFExempt(r *http.Request) bool {
	return IsAPIPath(r.URL.Path) && r.Header.Get("Authorization") != ""
}

const apiNeedsToken = "This operation needs an API token: send the header \"Authorization: Bearer <token>\". " +
	"Admins create tokens with `civicmon token create`."

// apiCSRFRefused answers an API request that checkCSRF refused: one
// without a token, and so taken for a browser's, that lacks the
// anti-forgery token or comes from another site.
func (s *Server) apiCSRFRefused(w http.ResponseWriter, r *http.Request) {
	s.Problem(w, r, ProbForbidden, apiNeedsToken+
		" (Requests without a token are taken for a signed-in browser's, which must carry the workspace's anti-forgery token.)")
}

// requireAPI is require for the API's routes: it authenticates by token
// or by session and answers with problem details instead of pages.
func (s *Server) requireAPI(w http.ResponseWriter, r *http.Request, p civicmon.Permission, next http.HandlerFunc) {
	ctx := r.Context()
	var u *civicmon.User
	if r.Header.Get("Authorization") != "" {
		var ok bool
		if u, ok = s.tokenUser(w, r); !ok {
			return
		}
	} else {
		// No token: a signed-in browser, or no one. (Two-step sign-in is
		// enforced here as in the workspace; token service accounts never
		// sign in, so it does not apply to them.)
		var pending bool
		_, u, pending = s.Session(r)
		if u == nil || pending {
			s.Problem(w, r, ProbForbidden, apiNeedsToken)
			return
		}
		if s.MustEnrol(ctx, u) {
			s.Problem(w, r, ProbForbidden, "Turn on two-step sign-in first: it is required for your role.")
			return
		}
	}
	if !u.Role.Can(p) {
		s.Problem(w, r, ProbForbidden, "The role "+string(u.Role)+" may not do this: it needs the permission "+string(p)+".")
		return
	}
	next(w, r.WithContext(civicmon.WithActor(context.WithValue(ctx, userKey{}, u), u.ID)))
}

// tokenUser authenticates a request by its bearer token and records the
// use in the audit log. It answers the request itself and returns false
// when the token is malformed, unknown or revoked.
func (s *Server) tokenUser(w http.ResponseWriter, r *http.Request) (*civicmon.User, bool) {
	ctx := r.Context()
	token, ok := bearerToken(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="civicmon", error="invalid_request"`)
		s.Problem(w, r, ProbUnauth, `The Authorization header must be "Bearer <token>".`)
		return nil, false
	}
	refuse := func(why string) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="civicmon", error="invalid_token"`)
		s.Problem(w, r, ProbUnauth, why)
	}
	t, err := s.cfg.Store.APITokenByHash(ctx, civicmon.HashAPIToken(token))
	if IsNotFound(err) {
		refuse("This API token is not known. Check that it was copied whole.")
		return nil, false
	}
	if err != nil {
		s.APIFail(w, r, err)
		return nil, false
	}
	use := r.Method + " " + r.URL.Path
	if t.Revoked() {
		// A revoked token still in use is worth knowing about.
		if err := s.cfg.Store.Audit(civicmon.WithActor(ctx, t.UserID), "api_token.refused", "api_token", itoa64(t.ID), "revoked: "+use); err != nil {
			s.log.Error("audit", "err", err)
		}
		refuse("This API token was revoked. Ask an admin for a new one.")
		return nil, false
	}
	u, err := s.cfg.Store.UserByID(ctx, t.UserID)
	if err != nil {
		s.APIFail(w, r, err)
		return nil, false
	}
	if u.Disabled {
		refuse("This API token's account is disabled. Ask an admin to enable it, or for a new token.")
		return nil, false
	}
	// Every use is audited before the work starts, so refused and failed
	// requests are in the log too. No audit, no work.
	if err := s.cfg.Store.UseAPIToken(ctx, t.ID, use); err != nil {
		s.APIFail(w, r, err)
		return nil, false
	}
	return u, true
}
