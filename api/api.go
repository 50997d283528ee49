// Package api serves civicmon's JSON API, version 1, on the shared web kit.
// Reads are public and show published data only, through the public
// projection; writes need an API token (or a signed-in browser with the
// workspace's anti-forgery token), which web's require checks for every
// /api/ route, and go through civicmon.Editorial like the workspace's.
// openapi.json describes every operation; the tests check each live answer
// against it.
package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

// Store is what the API reads and writes: the store methods its handlers
// call, and what civicmon.Editorial needs for the writes. Every
// civicmon.Store is one.
type Store interface {
	civicmon.EditorialStore
	RatingHistory(ctx context.Context, countryCode string) ([]civicmon.Rating, error)
	CurrentRatings(ctx context.Context, asOf civicmon.Date) (map[string]civicmon.Rating, error)
	UpdateByUID(ctx context.Context, uid string) (*civicmon.Update, error)
	UpdateBySlug(ctx context.Context, slug string) (*civicmon.Update, error)
	FindUpdates(ctx context.Context, f civicmon.UpdateFilter) ([]civicmon.Update, int, error)
	IncidentsByUpdate(ctx context.Context, updateIDs []int64) (map[int64][]civicmon.Incident, error)
	UpdateIDsByUID(ctx context.Context, uids []string) (map[string]int64, error)
	Corrections(ctx context.Context, updateID int64) ([]civicmon.Correction, error)
	civicmon.Settings // the cursor key (cursor.go)
}

// handler serves the API's operations.
type handler struct {
	srv   *web.Server
	store Store
	ed    *civicmon.Editorial // every write goes through it, notifying as the workspace's does
	now   civicmon.Clock
	// cursorKey signs the lists' cursors.
	cursorKey *cursorKey
}

// Options are what the API needs beside the server and the store.
type Options struct {
	// Now is the server's clock (time.Now when nil): ratings dated after
	// today are not public yet.
	Now civicmon.Clock
	// Notify, when set, enqueues the notification mail of the workflow
	// steps the API takes (submit, request changes, publish) in the
	// step's transaction, as the workspace's steps do (notify.Notifier).
	Notify func(ctx context.Context, tx civicmon.Store, ev civicmon.Event) error
}

// Mount registers every route of the API on srv, through srv.Handle like
// every route, with the access each needs.
func Mount(srv *web.Server, store Store, opts Options) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	h := &handler{srv: srv, store: store, ed: &civicmon.Editorial{Store: store, Now: now, Notify: opts.Notify}, now: now,
		cursorKey: &cursorKey{store: store}}
	srv.Handle("GET /api/v1/openapi.json", web.Public, h.public(h.openAPI))
	srv.Handle("GET /api/v1/countries", web.Public, h.public(h.countries))
	srv.Handle("GET /api/v1/countries/{country}", web.Public, h.public(h.country))
	srv.Handle("GET /api/v1/ratings", web.Public, h.public(h.ratings))
	srv.Handle("GET /api/v1/updates", web.Public, h.public(h.updates))
	srv.Handle("GET /api/v1/updates/{id}", web.Public, h.public(h.update))
	srv.Handle("GET /api/v1/incidents", web.Public, h.public(h.incidents))
	srv.Handle("GET /api/v1/watchlist", web.Public, h.public(h.watchlist))
	srv.Handle("GET /api/v1/watchlist/{date}", web.Public, h.public(h.watchlistEdition))
	srv.Handle("GET /api/v1/vocabularies", web.Public, h.public(h.vocabularies))
	srv.Handle("GET /api/v1/statistics/counts", web.Public, h.public(h.statisticsCounts))
	srv.Handle("GET /api/v1/statistics/ratings", web.Public, h.public(h.statisticsRatings))
	srv.Handle("OPTIONS /api/v1/", web.Public, h.options)

	srv.Handle("GET /api/v1/updates/{id}/editorial", web.Need(civicmon.PermUpdatesCreate), h.editorial)
	srv.Handle("POST /api/v1/updates", web.Need(civicmon.PermUpdatesCreate), h.createUpdate)
	srv.Handle("PUT /api/v1/updates/{id}", web.Need(civicmon.PermUpdatesCreate), h.replaceUpdate)
	srv.Handle("POST /api/v1/updates/{id}/actions/{action}", web.Need(civicmon.PermUpdatesCreate), h.action)

	// Anything else under /api/ is a 404 or 405 in problem details.
	srv.Handle("/api/", web.Public, h.notFound)
}

// public wraps a public read: CORS for every origin, and the page
// cache (ETag, Last-Modified, 304, gzip, Cache-Control as public pages).
func (h *handler) public(next http.HandlerFunc) http.HandlerFunc {
	cached := h.srv.CachedAPI(next)
	return func(w http.ResponseWriter, r *http.Request) {
		setPublicCORS(w.Header())
		cached(w, r)
	}
}

// setPublicCORS lets pages on any site read public answers.
func setPublicCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "ETag, Link, Last-Modified")
	// Public data may be read from other origins; the default, same-origin,
	// is for pages.
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
}

// options answers CORS preflights: other origins may read (GET, HEAD);
// writes are for API clients, not for other sites' pages.
func (h *handler) options(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	setPublicCORS(hd)
	hd.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	hd.Set("Access-Control-Allow-Headers", "Accept, If-None-Match, If-Modified-Since")
	hd.Set("Access-Control-Max-Age", "86400")
	if allow := h.allowed(r); len(allow) > 0 {
		hd.Set("Allow", strings.Join(append(allow, http.MethodOptions), ", "))
	}
	hd.Set("Cache-Control", "public, max-age=86400")
	w.WriteHeader(http.StatusNoContent)
}

// allowed lists the methods the API has for the request's path.
func (h *handler) allowed(r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, pattern := h.srv.Mux().Handler(r2); strings.HasPrefix(pattern, m+" ") ||
			(m == http.MethodHead && strings.HasPrefix(pattern, "GET ")) {
			allow = append(allow, m)
		}
	}
	return slices.Compact(allow)
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	if allow := h.allowed(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		h.srv.Problem(w, r, web.ProbMethod, r.Method+" is not an operation of "+r.URL.Path+"; allowed: "+strings.Join(allow, ", ")+".")
		return
	}
	h.srv.Problem(w, r, web.ProbNotFound, "There is no API operation at this address. GET /api/v1/openapi.json describes them all.")
}
