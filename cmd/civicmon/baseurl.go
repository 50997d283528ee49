package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/civicmon/civicmon/mail"
)

// checkBaseURL reads --base-url: an absolute http or https URL (without a
// trailing slash), and required when mail is configured, because links in
// mail are built from it alone — never from a request's Host header, which
// whoever asks for a password reset chooses.
func checkBaseURL(baseURL string, m mail.Config) (string, error) {
	baseURL = strings.TrimRight(strings.TrimSpace(baseURL), "/")
	if baseURL == "" {
		if m.Enabled() {
			return "", errors.New("an SMTP server is configured (CIVICMON_SMTP_HOST) but no public URL: pass --base-url https://monitor.example.org (or set CIVICMON_BASE_URL), from which password reset links are made")
		}
		return "", nil
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("--base-url %q is not a public URL: write it whole, e.g. https://monitor.example.org", baseURL)
	}
	return baseURL, nil
}
