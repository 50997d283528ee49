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
