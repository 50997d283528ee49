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
		// The tokenizer, not the tree parser: a body may nest deeper than
		// the parser's 512 open elements, and each tag is what is checked.
		z := html.NewTokenizer(strings.NewReader(out))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			if !slices.Contains(allowed, tok.Data) {
				t.Fatalf("element <%s> in the output of %q:\n%s", tok.Data, src, out)
			}
			for _, a := range tok.Attr {
				switch {
				case tok.Data == "a" && a.Key == "href":
					if s := scheme(a.Val); s != "" && s != "http" && s != "https" && s != "mailto" {
						t.Fatalf("link to %q in the output of %q", a.Val, src)
					}
				case tok.Data == "a" && a.Key == "rel":
				case (tok.Data == "td" || tok.Data == "th") && a.Key == "align":
				default:
					t.Fatalf("attribute %s on <%s> in the output of %q:\n%s", a.Key, tok.Data, src, out)
				}
			}
		}
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
