package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/web"
)

// params reads an operation's query parameters and collects every
// problem with them, so that a client fixes all of them at once.
type params struct {
	q    url.Values
	errs []civicmon.FieldError
}

// newParams refuses parameters the operation does not know: a
// misspelt filter would otherwise be ignored and the answer look right.
func newParams(r *http.Request, allowed ...string) *params {
	p := &params{q: r.URL.Query()}
	var names []string
	for name := range p.q {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			p.addf(name, "is not a parameter of this operation; allowed: %s", strings.Join(allowed, ", "))
		} else if len(p.q[name]) > 1 {
			p.addf(name, "is given %d times; give it once", len(p.q[name]))
		}
	}
	return p
}

func (p *params) addf(field, format string, args ...any) {
	p.errs = append(p.errs, civicmon.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (p *params) get(name string) string { return strings.TrimSpace(p.q.Get(name)) }

// country accepts an ISO code in any case or a country's slug.
func (p *params) country(d *web.SiteData) string {
	v := p.get("country")
	if v == "" {
		return ""
	}
	if c := findCountry(d, v); c != nil {
		return c.Code
	}
	p.addf("country", "%q is not a country: give its ISO 3166-1 alpha-2 code (KZ) or its slug (kazakhstan)", v)
	return ""
}

func (p *params) region() civicmon.Region {
	v := p.get("region")
	if v == "" {
		return ""
	}
	if r := civicmon.Region(v); r.Valid() {
		return r
	}
	p.addf("region", "%q is not a region; allowed: %s", v, joinSlugs(civicmon.Regions))
	return ""
}

func (p *params) freedom() civicmon.Freedom {
	v := p.get("freedom")
	if v == "" {
		return ""
	}
	if f := civicmon.Freedom(v); f.Valid() {
		return f
	}
	p.addf("freedom", "%q is not a freedom; allowed: %s", v, joinSlugs(civicmon.Freedoms))
	return ""
}

func (p *params) category() civicmon.Category {
	v := p.get("category")
	if v == "" {
		return ""
	}
	if c := civicmon.Category(v); c.Valid() {
		return c
	}
	p.addf("category", "%q is not a category; allowed: %s", v, joinSlugs(civicmon.Categories))
	return ""
}

func (p *params) violation(d *web.SiteData) string {
	v := p.get("violation")
	if v != "" && !d.Vocab.HasViolation(v) {
		p.addf("violation", "%q is not a violation type: GET /api/v1/vocabularies lists them", v)
		return ""
	}
	return v
}

func (p *params) target(d *web.SiteData) string {
	v := p.get("target")
	if v != "" && !d.Vocab.HasTarget(v) {
		p.addf("target", "%q is not a target group: GET /api/v1/vocabularies lists them", v)
		return ""
	}
	return v
}

func (p *params) date(name string) civicmon.Date {
	d, err := civicmon.ParseDate(p.get(name))
	if err != nil {
		p.addf(name, "%q is not a date in the form YYYY-MM-DD", p.get(name))
	}
	return d
}

// dateRange reads since and until, and checks they are in order.
func (p *params) dateRange() (since, until civicmon.Date) {
	since, until = p.date("since"), p.date("until")
	if !since.IsZero() && !until.IsZero() && until.Before(since) {
		p.addf("until", "%s is before since %s", until, since)
	}
	return since, until
}

const (
	defaultLimit = 20
	maxLimit     = 100
)

func (p *params) limit() int {
	v := p.get("limit")
	if v == "" {
		return defaultLimit
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxLimit {
		p.addf("limit", "%q is not a whole number from 1 to %d", v, maxLimit)
		return defaultLimit
	}
	return n
}

func (p *params) failed() bool { return len(p.errs) > 0 }

func joinSlugs[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// findCountry finds a country by its code (any case) or its slug.
func findCountry(d *web.SiteData, v string) *civicmon.Country {
	if c, ok := d.ByCode[strings.ToUpper(v)]; ok && len(v) == 2 {
		return c
	}
	if c, ok := d.BySlug[v]; ok {
		return c
	}
	return nil
}

// invalidParams answers 422 with every problem of the query parameters.
func (h *handler) invalidParams(w http.ResponseWriter, r *http.Request, p *params) {
	h.srv.Problem(w, r, web.ProbInvalid, "Some query parameters are not valid: see errors.", p.errs...)
}

// siteData starts a read without parameters of its own: it refuses any
// query parameter (a misspelt filter is an error, not ignored) and loads
// the reference data; false means the answer is already written.
func (h *handler) siteData(w http.ResponseWriter, r *http.Request) (*web.SiteData, bool) {
	d, err := h.srv.SiteData(r.Context())
	if err != nil {
		h.srv.APIFail(w, r, err)
		return nil, false
	}
	if p := newParams(r); p.failed() {
		h.invalidParams(w, r, p)
		return nil, false
	}
	return d, true
}
