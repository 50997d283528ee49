package workspace

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
)

// FuzzParseUpdateForm posts any body to the update form's decoder: it
// never panics, keeps what the form does not carry (id, uid, author,
// status), every error it reports has a place on the form, which shows
// again what was typed there, and it keeps
// no more rows than the form sent, each incident keeping the stored id of
// its position.
func FuzzParseUpdateForm(f *testing.F) {
	for _, s := range []string{
		"country=KZ&title=T&published_on=2026-02-30&incidents.0.violation=censorship&incidents.0.people_affected=-5",
		"sources.0.url=https://x&sources.0.published_on=junk&sources.1.remove=1&translations.0.language=ru&translations.0.title=Т",
		"incidents.0.violation=&incidents.1.violation=x&incidents.1.people_affected=007&freedoms=expression&freedoms=nope",
		"%zz=1&title=%ff%fe&period_start=9999-12-31&period_end=0000-01-01",
		strings.Repeat("incidents.0.violation=x&", 50),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		stored := &civicmon.Update{ID: 7, UID: "uid7", AuthorID: 3, Status: civicmon.StatusPublished,
			Incidents: []civicmon.Incident{{ID: 70}, {ID: 71}}}
		r := httptest.NewRequest("POST", "/admin/updates/7", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		in := parseUpdateForm(r, stored)
		u, errs := in.U, in.Errs
		if u.ID != 7 || u.UID != "uid7" || u.AuthorID != 3 || u.Status != civicmon.StatusPublished {
			t.Fatalf("the form changed what it does not carry: %+v", u)
		}
		sent, _ := url.ParseQuery(body)
		for _, e := range errs {
			if e.Field == "" || e.Message == "" {
				t.Fatalf("an error without its field or message: %+v", e)
			}
			// It has a place on the form, which shows what was typed.
			target, ok := updateTarget(nil, e.Field)
			if !ok {
				t.Fatalf("error on %q, which has no field on the form (body %q)", e.Field, body)
			}
			if _, kept := in.Raw[target.ID]; !kept {
				t.Fatalf("error on %q: what was typed is not kept for %s (body %q)", e.Field, target.ID, body)
			}
		}
		for name, rows := range map[string]int{"incidents": len(u.Incidents), "sources": len(u.Sources), "translations": len(u.Translations)} {
			n := 0
			for k := range sent {
				if strings.HasPrefix(k, name+".") {
					n++
				}
			}
			if rows > n {
				t.Fatalf("%d %s kept from %d fields", rows, name, n)
			}
		}
		for i, in := range u.Incidents {
			if in.ID != 0 && in.ID != 70 && in.ID != 71 {
				t.Fatalf("incident %d has id %d, which no stored incident had", i, in.ID)
			}
		}
	})
}
