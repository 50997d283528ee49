package site_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/gen"
)

// TestSitemapOfManyUpdates: an updates sitemap gathers its URLs over
// several of the store's 1,000-update pages, and names every published
// update once.
func TestSitemapOfManyUpdates(t *testing.T) {
	env := newEnv(t)
	if _, err := gen.Run(context.Background(), env.Store, gen.Options{Updates: 1100, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	published, total, err := env.Store.FindUpdates(context.Background(), civicmon.UpdateFilter{Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 1})
	if err != nil || len(published) == 0 || total <= 1000 {
		t.Fatalf("%d published updates, %v; want more than 1,000", total, err)
	}
	r := get(t, env.URL+"/sitemaps/updates-1.xml")
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	seen := map[string]int{}
	for _, m := range regexp.MustCompile(`<loc>[^<]*/updates/([^/<]+)</loc>`).FindAllStringSubmatch(r.body, -1) {
		seen[m[1]]++
	}
	if len(seen) != total {
		t.Fatalf("the sitemap names %d updates, %d are published", len(seen), total)
	}
	for slug, n := range seen {
		if n != 1 {
			t.Fatalf("%s named %d times", slug, n)
		}
	}
}
