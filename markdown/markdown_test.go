package markdown

import (
	"strings"
	"testing"
)

func TestToHTML(t *testing.T) {
	for _, c := range []struct{ in, want, not string }{
		{"**bold** and *it*", "<strong>bold</strong> and <em>it</em>", ""},
		{"[link](https://example.org)", `<a href="https://example.org" rel="noreferrer">link</a>`, ""},
		{"[x](javascript:alert(1))", "x", "javascript:"},
		{"<script>alert(1)</script>text", "", "alert"},
		{"![pic](https://tracker.example/p.png)", "", "<img"},
		{`<iframe src="https://x"></iframe>`, "", "<iframe"},
		{"| a | b |\n|---|---|\n| 1 | 2 |", "<td>1</td>", ""},
		{"<p onclick=\"x()\">hi</p>", "", "onclick"},
	} {
		got := string(ToHTML(c.in))
		if !strings.Contains(got, c.want) || (c.not != "" && strings.Contains(got, c.not)) {
			t.Errorf("ToHTML(%q) = %q; want it to contain %q and not %q", c.in, got, c.want, c.not)
		}
	}
}
