package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/civicmon/civicmon/storetest"
)

// TestMirrorCommands runs keygen, export site and verify-mirror as a
// reader and an organisation would: a signed mirror verifies against the
// organisation's key, and every changed, missing and extra file of a
// tampered copy is named, with a non-zero exit status.
func TestMirrorCommands(t *testing.T) {
	dsn := storetest.SQLitePath(t)
	if code, _, errs := runCLI(t, "", "demo", "--db", dsn); code != 0 {
		t.Fatalf("demo: %d %s", code, errs)
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "org.key")
	code, out, errs := runCLI(t, "", "keygen", "--out", key)
	if code != 0 {
		t.Fatalf("keygen: %d %s", code, errs)
	}
	fp := regexp.MustCompile(`fingerprint: (SHA256:\S+)`).FindStringSubmatch(out)
	if fp == nil {
		t.Fatalf("keygen prints no fingerprint: %s", out)
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("private key: %v %v", fi, err)
	}
	if code, _, errs := runCLI(t, "", "keygen", "--out", key); code != 1 || !strings.Contains(errs, "exists") {
		t.Errorf("keygen over a key: %d %s", code, errs)
	}

	site := filepath.Join(dir, "site")
	if code, _, errs := runCLI(t, "", "export", "site", "--db", dsn, "--base-url", "https://m.example.org", site); code != 1 || !strings.Contains(errs, "civicmon keygen") {
		t.Errorf("export site without a key: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "", "export", "site", "--db", dsn, "--key", key, site); code != 1 || !strings.Contains(errs, "--base-url") {
		t.Errorf("export site without a base URL: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "", "export", "site", "--db", dsn, "--key", key, "--langs", "en,de", "--base-url", "https://m.example.org", site); code != 1 || !strings.Contains(errs, `"de" is not a language`) {
		t.Errorf("export site --langs de: %d %s", code, errs)
	}
	code, out, errs = runCLI(t, "", "export", "site", "--db", dsn, "--key", key, "--langs", "en,ru", "--base-url", "https://m.example.org", site)
	if code != 0 || !strings.Contains(out, "signed with key "+fp[1]) {
		t.Fatalf("export site: %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(site, "ru", "countries", "kazakhstan.html")); err != nil {
		t.Errorf("no Russian country page: %v", err)
	}

	if code, out, errs := runCLI(t, "", "verify-mirror", "--pubkey", key+".pub", site); code != 0 || !strings.Contains(out, "OK: every file") {
		t.Errorf("verify-mirror --pubkey: %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs := runCLI(t, "", "verify-mirror", "--key-fingerprint", fp[1], site); code != 0 {
		t.Errorf("verify-mirror --key-fingerprint: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "", "verify-mirror", site)
	if code != 1 || !strings.Contains(out, fp[1]) || !strings.Contains(errs, "NOT VERIFIED") || !strings.Contains(errs, "proves nothing") {
		t.Errorf("verify-mirror without a trusted key: %d\n%s\n%s", code, out, errs)
	}
	other := filepath.Join(dir, "other.key")
	runCLI(t, "", "keygen", "--out", other)
	if code, out, _ := runCLI(t, "", "verify-mirror", "--pubkey", other+".pub", site); code != 1 || !strings.Contains(out, "NOT the key you gave") {
		t.Errorf("verify-mirror with another key: %d\n%s", code, out)
	}

	// A tampered copy: every problem is named.
	page := filepath.Join(site, "countries", "kazakhstan.html")
	b, _ := os.ReadFile(page)
	os.WriteFile(page, append(b, "<!-- changed -->"...), 0o644)
	os.WriteFile(filepath.Join(site, "feed.atom"), []byte("<feed/>"), 0o644)
	os.Remove(filepath.Join(site, "methodology.html"))
	os.WriteFile(filepath.Join(site, "static", "extra.js"), []byte("alert(1)"), 0o644)
	code, out, errs = runCLI(t, "", "verify-mirror", "--pubkey", key+".pub", site)
	if code != 1 || !strings.Contains(errs, "NOT genuine") {
		t.Errorf("verify-mirror of a tampered copy: %d\n%s", code, errs)
	}
	for _, want := range []string{"CHANGED  countries/kazakhstan.html", "CHANGED  feed.atom", "MISSING  methodology.html",
		"EXTRA    static/extra.js", "2 changed, 1 missing, 1 extra files"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify-mirror does not say %q:\n%s", want, out)
		}
	}
}
