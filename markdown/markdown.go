// Package markdown turns the Markdown that researchers write into HTML that
// is safe to put on a public page: rendered by goldmark, then sanitised by
// bluemonday, so that neither raw HTML nor script links survive.
package markdown

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	md     = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))
	policy = newPolicy()
)

// newPolicy allows text structure and links, and no images, media or
// embeds: they would make a reader's browser fetch from another host.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote",
		"h2", "h3", "h4", "h5", "h6", "pre", "code", "hr", "del", "sup", "sub",
		"table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoReferrerOnLinks(true)
	p.AllowAttrs("align").Matching(bluemonday.Paragraph).OnElements("th", "td")
	return p
}

// ToHTML renders Markdown into sanitised HTML.
func ToHTML(src string) template.HTML {
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(policy.SanitizeBytes(buf.Bytes()))
}
