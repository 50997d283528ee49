package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/civicmon/civicmon/metrics"
)

// routeKey holds, in a request's context, where the route that answers
// it writes its pattern: the request metrics count by pattern
// ("GET /countries/{slug}"), never by path, so readers' paths make no new
// series.
type routeKey struct{}

func withRouteHolder(r *http.Request) (*http.Request, *string) {
	p := new(string)
	return r.WithContext(context.WithValue(r.Context(), routeKey{}, p)), p
}

func setRoute(ctx context.Context, pattern string) {
	if p, ok := ctx.Value(routeKey{}).(*string); ok {
		*p = pattern
	}
}

// MetricsHandler serves /metrics to a request with the bearer token, and
// answers 404 to any other, as if there were no such page. With an empty
// token it serves nobody.
func MetricsHandler(token string) http.Handler {
	h := metrics.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if token == "" || !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}
