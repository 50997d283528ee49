package markdown

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// allowed are the elements the policy lets through; "a" for links.
var allowed = []string{"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote",
	"h2", "h3", "h4", "h5", "h6", "pre", "code", "hr", "del", "sup", "sub",
	"table", "thead", "tbody", "tr", "th", "td", "a"}

// FuzzToHTML holds every body, whatever its Markdown or raw HTML, to the
// policy: only the allowed elements, only href (http, https, mailto) and
// rel on links and align on cells, nothing that loads or runs anything.
func FuzzToHTML(f *testing.F) {
	for _, s := range []string{
		"**bold** [link](https://example.org)", "<script>alert(1)</script>", "[x](javascript:alert(1))",
		"![pic](https://tracker.example/p.png)", `<a href="https://x" onclick="y()">z</a>`,
		"| a | b |\n|:--|--:|\n| 1 | 2 |", "<svg><script>1</script></svg>", "<img src=x onerror=alert(1)>",
		"[a](  JaVaScRiPt:alert(1))", "<style>*{}</style>", "```\n<script>\n```", "www.example.org <b>x</b>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out := string(toHTML(src))
		doc, err := html.Parse(strings.NewReader(out))
		if err != nil {
			t.Fatalf("output does not parse: %v\n%q", err, out)
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode && !slices.Contains([]string{"html", "head", "body"}, n.Data) {
				if !slices.Contains(allowed, n.Data) {
					t.Fatalf("element <%s> in the output of %q:\n%s", n.Data, src, out)
				}
				for _, a := range n.Attr {
					switch {
					case n.Data == "a" && a.Key == "href":
						if s := scheme(a.Val); s != "" && s != "http" && s != "https" && s != "mailto" {
							t.Fatalf("link to %q in the output of %q", a.Val, src)
						}
					case n.Data == "a" && a.Key == "rel":
					case (n.Data == "td" || n.Data == "th") && a.Key == "align":
					default:
						t.Fatalf("attribute %s on <%s> in the output of %q:\n%s", a.Key, n.Data, src, out)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	})
}

// scheme is a URL's scheme as a browser reads it (lower case, surrounding
// space ignored), or "" for a relative URL.
func scheme(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	i := strings.IndexAny(u, ":/?#")
	if i < 0 || u[i] != ':' {
		return ""
	}
	return u[:i]
}
