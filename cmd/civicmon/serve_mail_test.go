package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/civicmon/civicmon/storetest"
)

// TestServeRefusesMailWithoutBaseURL: links in mail come from --base-url
// only, so serve with an SMTP server and no base URL does not start.
func TestServeRefusesMailWithoutBaseURL(t *testing.T) {
	t.Setenv("CIVICMON_SMTP_HOST", "127.0.0.1")
	t.Setenv("CIVICMON_BASE_URL", "")
	db := storetest.SQLitePath(t)
	serve := func(args ...string) (int, string, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, errs := serve()
	if code != 1 || !strings.Contains(errs, "--base-url") || strings.Contains(out, "serving") {
		t.Fatalf("serve with mail and no base URL: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	for _, bad := range []string{"monitor.example.org", "ftp://monitor.example.org", "https://"} {
		code, _, errs = serve("--base-url", bad)
		if code != 1 || !strings.Contains(errs, "--base-url") {
			t.Errorf("serve --base-url %q: exit %d, stderr %q", bad, code, errs)
		}
	}
}
