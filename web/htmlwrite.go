package web

import (
	"bytes"
	"html/template"
	"strings"
)

// htmlWriter writes the HTML of what a static mirror renders by the tens
// of thousands — the layout around every page, the update page in every
// language, the lists of updates — in Go rather than through
// html/template. Each {{action}} of a template costs a few microseconds of
// reflection (the call, then html/template's escaper called the same way),
// and such a page has a hundred of them: that was a quarter of an export's
// CPU.
//
// It escapes every value as html/template escapes it in the same place,
// byte for byte: TestGoPagesMatchTemplates renders the pages both ways,
// with the templates these functions replaced (web/testdata/oracle), over
// the demo site and over hostile values, and FuzzUpdatePage goes on from
// there. The other pages, rendered once each, stay templates.
type htmlWriter struct{ b *bytes.Buffer }

// raw writes markup civicmon wrote itself, or that is already safe HTML
// (template.HTML: a rendered Markdown body, a badge).
func (w htmlWriter) raw(s string) { w.b.WriteString(s) }

// text writes a value as text or as a quoted attribute's value. html/template
// escapes these the same way in both places (its htmlEscaper and
// attrEscaper for plain strings; rcdataEscaper in <title>).
func (w htmlWriter) text(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		w.b.WriteString(s[last:i])
		w.b.WriteString(repl)
		last = i + 1
	}
	w.b.WriteString(s[last:])
}

// url writes a value that is a whole URL attribute (href="{{.}}"): a URL
// with a scheme other than http, https or mailto (javascript:) becomes
// "#ZgotmplZ", the rest is normalised and escaped for the attribute, as
// html/template's urlFilter, urlNormalizer and attrEscaper do.
func (w htmlWriter) url(s string) {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		s = "#ZgotmplZ"
	}
	w.urlPart(s)
}

// urlPart writes a value that continues a URL the markup began
// (href="/updates/{{.Slug}}/cite"): normalised and escaped, not filtered.
func (w htmlWriter) urlPart(s string) {
	const hex = "0123456789abcdef"
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case c == '-' || c == '.' || c == '_' || c == '~' ||
			c == '!' || c == '#' || c == '$' || c == '*' || c == ',' || c == '/' ||
			c == ':' || c == ';' || c == '=' || c == '?' || c == '@' || c == '[' || c == ']':
			continue // unreserved, or reserved and kept as they are
		case c == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			continue // an escape already
		case c == '&':
			// Kept in the URL, escaped for the attribute.
			w.b.WriteString(s[last:i])
			w.b.WriteString("&amp;")
		case c == '+':
			w.b.WriteString(s[last:i])
			w.b.WriteString("&#43;")
		default:
			w.b.WriteString(s[last:i])
			w.b.Write([]byte{'%', hex[c>>4], hex[c&15]})
		}
		last = i + 1
	}
	w.b.WriteString(s[last:])
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// html writes safe HTML as html/template writes a template.HTML value in
// text: as it is.
func (w htmlWriter) html(h template.HTML) { w.b.WriteString(string(h)) }
