package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon/storetest"
)

// TestTwoServersOnePostgres: two `serve` processes on one PostgreSQL
// database. An update published through one is on the other's pages, in
// its search and in its feed within about a second (each server polls the
// data version and the search change feed every second), though the other
// had those pages cached.
func TestTwoServersOnePostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t) // skips, saying so, without PostgreSQL
	if code, _, errs := runCLI(t, "", "demo", "--db", dsn); code != 0 {
		t.Fatalf("demo: %s", errs)
	}
	code, token, errs := runCLI(t, "", "token", "create", "--db", dsn, "--name", "two servers", "--role", "editor")
	if code != 0 {
		t.Fatalf("token: %s", errs)
	}
	token = strings.TrimSpace(token)
	a, b := startServe(t, dsn, nil), startServe(t, dsn, nil)

	get := func(url string) string {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	post := func(url, body string) map[string]any {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		raw, _ := io.ReadAll(resp.Body)
		json.Unmarshal(raw, &out)
		if resp.StatusCode >= 300 {
			t.Fatalf("POST %s: %d %s", url, resp.StatusCode, raw)
		}
		return out
	}

	const word = "Zyxwvutsquorum"
	pages := map[string]string{
		"country page": b.URL + "countries/kazakhstan",
		"search":       b.URL + "updates?q=" + strings.ToLower(word),
		"feed":         b.URL + "feed.atom",
	}
	for what, url := range pages { // cached on b before the write
		if strings.Contains(get(url), word) {
			t.Fatalf("%s shows the update before it exists", what)
		}
	}
	created := post(a.URL+"api/v1/updates", `{"country":"KZ","title":"`+word+` assembly dispersed","summary":"Written through the first server."}`)
	id, _ := created["id"].(string)
	if id == "" {
		t.Fatalf("create answered %v", created)
	}
	post(a.URL+"api/v1/updates/"+id+"/actions/publish", `{}`)
	published := time.Now()
	for what, url := range pages {
		var took time.Duration
		for {
			if strings.Contains(get(url), word) {
				took = time.Since(published)
				break
			}
			if time.Since(published) > 5*time.Second {
				t.Fatalf("the second server's %s does not show the update 5 s after it was published on the first", what)
			}
			time.Sleep(25 * time.Millisecond)
		}
		t.Logf("on the second server's %s after %s", what, took.Round(time.Millisecond))
		// A second at most: its poll interval, with room for a loaded
		// machine's scheduling.
		if took > 2*time.Second {
			t.Errorf("the second server's %s took %s", what, took)
		}
	}
}
