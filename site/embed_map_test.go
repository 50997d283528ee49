package site_test

import (
	"strings"
	"testing"

	"github.com/civicmon/civicmon/webtest"
)

// TestEmbedMap: the one page other sites may frame: the map and its
// legend without the site's menus, links opening in the top window.
func TestEmbedMap(t *testing.T) {
	env := newEnv(t)
	env.Run(t, webtest.Scenario{URL: "/embed/map",
		Contains:    []string{`<body class="embed">`, "<svg", `target="_top"`, `<ul class="legend"`},
		NotContains: []string{`<header class="site">`, `<footer class="site">`, `class="admin-nav"`},
		Check: func(t *testing.T, r *webtest.Response) {
			if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") {
				t.Errorf("the embeddable map may not be framed: %q", csp)
			}
			if r.Header.Get("X-Frame-Options") != "" {
				t.Errorf("X-Frame-Options %q on the embeddable map", r.Header.Get("X-Frame-Options"))
			}
		}},
		webtest.Scenario{URL: "/", Check: func(t *testing.T, r *webtest.Response) {
			if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("the home page may be framed: %q", csp)
			}
		}},
	)
}
