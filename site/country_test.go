package site_test

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/civicmon/civicmon/i18n"
)

func seedTitles(t *testing.T) []string {
	f, err := os.Open("../demo/testdata/kazakhstan-country-page.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var titles []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	first := true
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || l == "Read more" {
			continue
		}
		if first {
			first = false
			continue
		}
		if seen[l] {
			titles = append(titles, l)
		}
		seen[l] = true
	}
	return titles
}

var readMore = regexp.MustCompile(`<h3 lang="[a-z-]+"><a href="(/updates/[a-z0-9-]+)">([^<]+)</a></h3>[\s\S]*?<a href="(/updates/[a-z0-9-]+)">Read more<span class="vh" lang="[a-z-]+">: ([^<]+)</span></a>`)

// TestKazakhstanPageReadsLikeTheSeed: the country page lists the ten seed
// updates in the seed's order with the seed's titles, each with a Read more
// link that opens its update page.
func TestKazakhstanPageReadsLikeTheSeed(t *testing.T) {
	env := newEnv(t)
	r := get(t, env.URL+"/countries/kazakhstan")
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	if !strings.Contains(r.body, "<h1>Kazakhstan</h1>") {
		t.Fatal("no Kazakhstan heading")
	}
	for _, want := range []string{"Repressed", "21–40", "21 June 2022", "Europe and Central Asia", "watchlist", "Rating history", "Obstructed"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("country page lacks %q", want)
		}
	}
	want := seedTitles(t)
	matches := readMore.FindAllStringSubmatch(r.body, -1)
	if len(matches) != len(want) || len(want) != 10 {
		t.Fatalf("%d updates with Read more, want the seed's %d", len(matches), len(want))
	}
	for i, m := range matches {
		title := htmlUnescape(m[2])
		if title != want[i] {
			t.Errorf("update %d: %q, want %q", i+1, title, want[i])
		}
		if m[1] != m[3] || htmlUnescape(m[4]) != title {
			t.Errorf("update %d: Read more goes to %s, title link to %s", i+1, m[3], m[1])
		}
		u := get(t, env.URL+m[3])
		if u.status != 200 || !strings.Contains(u.body, "<h1>"+m[2]+"</h1>") {
			t.Errorf("Read more of %q: status %d, no title heading", title, u.status)
		}
	}
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#39;", "'", "&amp;", "&", "&quot;", `"`, "&lt;", "<", "&gt;", ">", "&#34;", `"`).Replace(s)
}

// TestCountryPageBudget: the Kazakhstan page with everything it loads is at
// most 40 KB compressed on the wire, in every language (Russian's Cyrillic
// takes two bytes a letter).
func TestCountryPageBudget(t *testing.T) {
	env := newEnv(t)
	var page response
	for _, lang := range i18n.Supported {
		page = get(t, env.URL+"/countries/kazakhstan?lang="+string(lang), "Accept-Encoding", "gzip")
		if page.header.Get("Content-Encoding") != "gzip" {
			t.Fatal("page not compressed")
		}
		total := page.wire
		assets := regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(page.body, -1)
		if len(assets) == 0 {
			t.Fatal("no stylesheet found")
		}
		for _, a := range assets {
			r := get(t, env.URL+a[1], "Accept-Encoding", "gzip")
			if r.status != 200 || r.header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("%s: %d, encoding %q", a[1], r.status, r.header.Get("Content-Encoding"))
			}
			total += r.wire
		}
		t.Logf("Kazakhstan page in %s: %d bytes compressed, with %d assets", lang, total, len(assets))
		if total > 40*1024 {
			t.Errorf("Kazakhstan page in %s with assets is %d bytes compressed, over the 40 KB budget", lang, total)
		}
	}
	if regexp.MustCompile(`<script|<img|<iframe|@import|url\(http`).MatchString(page.body) {
		t.Fatal("the page loads a script, image or frame")
	}
}
