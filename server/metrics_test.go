package server_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/metrics"
	"github.com/civicmon/civicmon/web"
	"github.com/civicmon/civicmon/webtest"
)

const metricsToken = "a-metrics-token-of-at-least-32-characters"

// scrape reads /metrics with the token.
func scrape(t *testing.T, env *webtest.Env) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics with the token: %d", resp.StatusCode)
	}
	return string(body)
}

// value returns the value of the sample named exactly so (name and
// labels), or -1 when there is none.
func value(text, sample string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// TestMetrics: /metrics is there only with the token; it counts requests
// by route pattern and status (never by path), times them, counts page
// cache hits and misses, times searches, shows the outbox's depth and the
// database pools' waits.
func TestMetrics(t *testing.T) {
	// Without a token configured there is no /metrics at all.
	if r := webtest.New(t).Client(t).Get("/metrics"); r.Status != http.StatusNotFound {
		t.Fatalf("/metrics without a token configured: %d", r.Status)
	}
	// (The outbox's depth is read from the last server built: one a
	// process, but two in this test.)
	env := webtest.New(t, webtest.Options{Configure: func(c *web.Config) { c.MetricsToken = metricsToken }})
	metrics.DBPools(map[string]*sql.DB{"read": env.DB.ReadDB(), "write": env.DB.WriteDB()})
	for _, auth := range []string{"", "Bearer wrong", "Bearer " + metricsToken + "x", metricsToken} {
		req, _ := http.NewRequest(http.MethodGet, env.URL+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("/metrics with %q: %d, want 404", auth, resp.StatusCode)
		}
	}

	before := scrape(t, env)
	const country = `civicmon_http_requests_total{route="GET /countries/{slug}",status="200"}`
	const missing = `civicmon_http_requests_total{route="GET /countries/{slug}",status="404"}`
	c := env.Client(t)
	c.Get("/countries/kazakhstan")
	c.Get("/countries/kazakhstan")
	c.Get("/countries/atlantis")
	c.Get("/updates?q=protest")
	if err := env.Store.EnqueueMail(context.Background(), &civicmon.OutboxMail{Kind: "notification", To: "a@example.org", Subject: "s", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	// A request is counted when its handler returns, a moment after the
	// client has the answer.
	after := scrape(t, env)
	const search = `civicmon_http_requests_total{route="GET /updates",status="200"}`
	for i := 0; i < 100 && value(after, search) <= value(before, search); i++ {
		time.Sleep(20 * time.Millisecond)
		after = scrape(t, env)
	}
	for _, c := range []struct {
		sample string
		more   float64
	}{
		{country, 2},
		{missing, 1},
		{`civicmon_http_request_duration_seconds_count{route="GET /countries/{slug}"}`, 3},
		{`civicmon_page_cache_total{result="hit"}`, 1},
		{`civicmon_page_cache_total{result="miss"}`, 2},
		{`civicmon_operation_duration_seconds_count{operation="search"}`, 1},
	} {
		b, a := max(value(before, c.sample), 0), value(after, c.sample)
		if a-b < c.more {
			t.Errorf("%s went from %v to %v, want %v more", c.sample, b, a, c.more)
		}
	}
	if v := value(after, "civicmon_outbox_pending"); v != 1 {
		t.Errorf("civicmon_outbox_pending = %v, want 1", v)
	}
	for _, s := range []string{`go_sql_wait_count_total{db_name="read"}`, `go_sql_wait_duration_seconds_total{db_name="write"}`,
		`go_sql_in_use_connections{db_name="read"}`, "process_resident_memory_bytes"} {
		if value(after, s) < 0 {
			t.Errorf("no %s", s)
		}
	}
	if strings.Contains(after, "kazakhstan") || strings.Contains(after, "atlantis") {
		t.Error("a path is a label: every reader's path would make a new series")
	}
}
