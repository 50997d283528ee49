package workspace_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/civicmon/civicmon/webtest"
)

// cookies are the cookies an answer sets.
func cookies(r *webtest.Response) []*http.Cookie {
	return (&http.Response{Header: r.Header}).Cookies()
}

// location checks where an answer redirects to.
func location(want string) func(t *testing.T, r *webtest.Response) {
	return func(t *testing.T, r *webtest.Response) {
		if got := r.Header.Get("Location"); got != want {
			t.Errorf("Location %q, want %q", got, want)
		}
	}
}

// formValues reads the current values of a form in a page: inputs,
// checked boxes, textareas and selected options.
func formValues(t *testing.T, page string) url.Values {
	v := url.Values{}
	valueRe := regexp.MustCompile(`\bvalue="([^"]*)"`)
	for _, m := range regexp.MustCompile(`(?s)<input\b([^>]*)>`).FindAllStringSubmatch(page, -1) {
		attrs := m[1]
		name := regexp.MustCompile(`\bname="([^"]+)"`).FindStringSubmatch(attrs)
		if name == nil {
			continue
		}
		if strings.Contains(attrs, `type="checkbox"`) && !strings.Contains(attrs, " checked") {
			continue
		}
		val := ""
		if vm := valueRe.FindStringSubmatch(attrs); vm != nil {
			val = html.UnescapeString(vm[1])
		}
		v.Add(name[1], val)
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea\b[^>]*\bname="([^"]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(page, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<select\b[^>]*\bname="([^"]+)"[^>]*>(.*?)</select>`).FindAllStringSubmatch(page, -1) {
		if sel := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(m[2]); sel != nil {
			v.Set(m[1], sel[1])
		} else {
			v.Set(m[1], "")
		}
	}
	return v
}
