package site_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TestExplorePage: a search finds what has the words and marks them, the
// facets are links that add a filter, the same URL answers JSON, and bad
// input gets a clear message, never a 500.
func TestExplorePage(t *testing.T) {
	env := newEnv(t)
	r := get(t, env.URL+"/updates?q=internet")
	if r.status != 200 || !strings.Contains(r.body, "Muffled protests") || !strings.Contains(r.body, "<mark>") {
		t.Fatalf("search for internet: %d", r.status)
	}
	if strings.Contains(r.body, "Changes ahead or status quo") {
		t.Fatal("an update without the word is found")
	}
	// Facets are links that add a filter, and the URL holds the state.
	if !strings.Contains(r.body, `href="/updates?country=KZ&amp;q=internet"`) {
		t.Fatal("no facet link to filter by Kazakhstan")
	}
	r = get(t, env.URL+"/updates?country=KZ&freedom=peaceful-assembly&sort=oldest")
	if r.status != 200 || !strings.Contains(r.body, "Kazakhstan") {
		t.Fatalf("filters only: %d", r.status)
	}
	// Every form of a word, and a misspelt word widened with a line that
	// says so; a word found as typed gets no such line.
	r = get(t, env.URL+"/updates?q=protester")
	if r.status != 200 || !strings.Contains(r.body, "<mark>") || strings.Contains(r.body, `class="widened"`) {
		t.Fatalf("search for protester: %d", r.status)
	}
	r = get(t, env.URL+"/updates?q=internte")
	if r.status != 200 || !strings.Contains(r.body, "Muffled protests") ||
		!strings.Contains(r.body, "No update has “internte”. Showing results for “internet”.") {
		t.Fatalf("search for internte: %d, no line saying it was widened", r.status)
	}
	r = get(t, env.URL+"/updates?q=internte&lang=ru")
	if r.status != 200 || !strings.Contains(r.body, "Показаны результаты для «internet»") {
		t.Fatalf("search for internte in Russian: %d, no line saying it was widened", r.status)
	}
	// JSON for the same URL.
	j := get(t, env.URL+"/updates?q=%22political+prisoner%22", "Accept", "application/json")
	var res struct {
		Total int `json:"total"`
		Hits  []struct {
			Slug string `json:"slug"`
		} `json:"hits"`
		Facets struct {
			Countries []struct {
				Value string `json:"value"`
				Count int    `json:"count"`
			} `json:"countries"`
		} `json:"facets"`
	}
	if err := json.Unmarshal([]byte(j.body), &res); err != nil || j.status != 200 {
		t.Fatalf("JSON: %d %v %q", j.status, err, j.body[:min(200, len(j.body))])
	}
	if res.Total < 1 || res.Hits[0].Slug == "" || len(res.Facets.Countries) == 0 || res.Facets.Countries[0].Value != "KZ" {
		t.Fatalf("JSON result: %+v", res)
	}
	// Bad input: a clear message, never a 500.
	for _, q := range []string{"q=%22unbalanced", "q=" + url.QueryEscape(strings.Repeat("word ", 2100)), "q=***%5E%3A(NEAR", "q=the+a+of",
		"country=ZZZ", "year=abc", "since=2021-02-30", "rating=free", "bogus=1", "sort=random"} {
		r := get(t, env.URL+"/updates?"+q)
		if r.status >= 500 {
			t.Errorf("/updates?%s: %d", q[:min(40, len(q))], r.status)
		}
		if r.status == 400 && !strings.Contains(r.body, "This search cannot be run") {
			t.Errorf("/updates?%s: 400 without a message", q[:min(40, len(q))])
		}
	}
	if r := get(t, env.URL+"/updates?year=abc"); r.status != 400 || !strings.Contains(r.body, "is not a year") {
		t.Errorf("year=abc: %d", r.status)
	}
}

// TestSearchBoxOnEveryPage: the header's search box is on every page, in
// the reader's language, and leads to the explore page in that language.
func TestSearchBoxOnEveryPage(t *testing.T) {
	env := newEnv(t)
	for _, path := range []string{"/", "/countries", "/countries/kazakhstan", "/watchlist", "/methodology", "/updates?q=internet"} {
		r := get(t, env.URL+path)
		if r.status != 200 || !strings.Contains(r.body, `<form class="site-search" method="get" action="/updates" role="search" aria-label="Search updates">`) ||
			!strings.Contains(r.body, `<label class="vh" for="site-q">Search updates</label>`) {
			t.Errorf("%s: %d, no search box in the header", path, r.status)
		}
	}
	r := get(t, env.URL+"/countries?lang=fr")
	if !strings.Contains(r.body, `<input type="hidden" name="lang" value="fr">`) || !strings.Contains(r.body, "Rechercher dans les mises à jour") {
		t.Error("/countries?lang=fr: the search box does not keep the language")
	}
	r = get(t, env.URL+"/updates?lang=fr&q=journalistes")
	if r.status != 200 || !strings.Contains(r.body, `<html lang="fr"`) || !strings.Contains(r.body, "<mark>") {
		t.Errorf("the search box's request: %d", r.status)
	}
}
