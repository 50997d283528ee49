package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/civicmon/civicmon"
)

// Problem details: the JSON API answers errors with RFC 9457 problem
// details, here and not in the api package because require and checkCSRF
// answer every /api/ request with them too. Each problem type is a section
// of docs/api.md; the type URI points there.

const problemDocs = "https://github.com/civicmon/civicmon/blob/main/docs/api.md#"

// ProblemType is one kind of error the API reports.
type ProblemType struct {
	slug   string
	title  string
	status int
}

var (
	ProbBadRequest = ProblemType{"bad-request", "The request could not be read", http.StatusBadRequest}
	ProbUnauth     = ProblemType{"unauthorized", "Unauthorized", http.StatusUnauthorized}
	ProbForbidden  = ProblemType{"forbidden", "Not allowed", http.StatusForbidden}
	ProbNotFound   = ProblemType{"not-found", "Not found", http.StatusNotFound}
	ProbMethod     = ProblemType{"method-not-allowed", "Method not allowed", http.StatusMethodNotAllowed}
	ProbConflict   = ProblemType{"conflict", "Conflict", http.StatusConflict}
	ProbTooLarge   = ProblemType{"too-large", "Request body too large", http.StatusRequestEntityTooLarge}
	ProbMediaType  = ProblemType{"unsupported-media-type", "Unsupported media type", http.StatusUnsupportedMediaType}
	ProbInvalid    = ProblemType{"invalid", "The request is not valid", http.StatusUnprocessableEntity}
	// A write that must name the version it was made from (If-Match) and
	// did not, and one made from a version that is no longer current.
	ProbPreconditionRequired = ProblemType{"precondition-required", "If-Match required", http.StatusPreconditionRequired}
	ProbPreconditionFailed   = ProblemType{"precondition-failed", "Changed since you read it", http.StatusPreconditionFailed}
	ProbInternal             = ProblemType{"internal", "Internal server error", http.StatusInternalServerError}
	ProbUnavailable          = ProblemType{"not-ready", "Service unavailable", http.StatusServiceUnavailable}
)

// problem is an RFC 9457 problem details object.
type problem struct {
	Type     string          `json:"type"`
	Title    string          `json:"title"`
	Status   int             `json:"status"`
	Detail   string          `json:"detail,omitempty"`
	Instance string          `json:"instance,omitempty"`
	Errors   []problemDetail `json:"errors,omitempty"`
}

// problemDetail is one invalid field of a request.
type problemDetail struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Problem answers with a problem of type pt and the detail given; fields
// name the invalid fields of the request.
func (s *Server) Problem(w http.ResponseWriter, r *http.Request, pt ProblemType, detail string, fields ...civicmon.FieldError) {
	p := problem{Type: problemDocs + pt.slug, Title: pt.title, Status: pt.status, Detail: detail, Instance: r.URL.Path}
	for _, f := range fields {
		p.Errors = append(p.Errors, problemDetail{Field: APIFieldName(f.Field), Message: f.Message})
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Del("ETag")
	h.Del("Last-Modified")
	if pt.status == http.StatusUnauthorized && h.Get("WWW-Authenticate") == "" {
		h.Set("WWW-Authenticate", `Bearer realm="civicmon"`)
	}
	w.WriteHeader(pt.status)
	if r.Method != http.MethodHead {
		writeJSON(w, p)
	}
}

// APIFieldName turns a validation error's field ("update.incidents[0].freedom")
// into the name of the field in the API's JSON ("incidents[0].freedom").
func APIFieldName(f string) string {
	for _, prefix := range []string{"update.", "incident.", "api_token."} {
		if rest, ok := strings.CutPrefix(f, prefix); ok {
			return rest
		}
	}
	return f
}

// APIFail answers an error from the domain or the store with the problem
// its code maps to. Internal errors are logged and reported without their
// text, which may hold SQL or file paths.
func (s *Server) APIFail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *civicmon.ValidationError
	if errors.As(err, &ve) {
		s.Problem(w, r, ProbInvalid, "Some fields are not valid: see errors.", ve.Fields...)
		return
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.Problem(w, r, ProbTooLarge, "The request body is larger than this server accepts.")
		return
	}
	msg := civicmon.ErrorMessage(err)
	switch civicmon.ErrorCode(err) {
	case civicmon.EINVALID:
		s.Problem(w, r, ProbInvalid, msg)
	case civicmon.ENOTFOUND:
		s.Problem(w, r, ProbNotFound, msg)
	case civicmon.ECONFLICT:
		s.Problem(w, r, ProbConflict, msg)
	case civicmon.EFORBIDDEN:
		s.Problem(w, r, ProbForbidden, msg)
	case civicmon.EUNAUTHORIZED:
		s.Problem(w, r, ProbUnauth, msg)
	case civicmon.ENOTREADY:
		s.log.Error("api request failed", "path", r.URL.Path, "err", err)
		s.Problem(w, r, ProbUnavailable, "The database is not available. Try again in a moment.")
	default:
		if r.Context().Err() != nil {
			// Out of time (or the client left): the server is busy, not
			// broken, and nothing was changed (see Busy).
			s.log.Warn("api request cancelled or timed out", "path", r.URL.Path, "err", err)
			w.Header().Set("Retry-After", busyRetryAfter)
			s.Problem(w, r, ProbUnavailable, "The server could not finish this request in time, and nothing was changed. Try again in a moment.")
			return
		}
		s.log.Error("api request failed", "path", r.URL.Path, "err", err)
		s.Problem(w, r, ProbInternal, "The server could not answer this request. Please try again in a moment.")
	}
}

// WriteAPIJSON writes v as a JSON answer with the status given.
func WriteAPIJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		writeJSON(w, v)
	}
}

// writeJSON encodes v without escaping <, > and &: the answers are
// application/json with nosniff, never HTML, and read better as they are.
func writeJSON(w http.ResponseWriter, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// IsAPIPath reports whether the path belongs to the JSON API.
func IsAPIPath(p string) bool { return p == "/api" || strings.HasPrefix(p, "/api/") }
