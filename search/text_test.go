package search

import (
	"strings"
	"testing"
)

// TestAddWordsIsDocsWords: the words-only analysis that phrases are
// checked against holds exactly the words of the full analysis, in order.
func TestAddWordsIsDocsWords(t *testing.T) {
	type lang struct{ tag, title, summary, body string }
	docs := [][]lang{
		{{"en", "Journalists detained in Almaty", "Police detained 12 journalists.", "## Protests\n\nThe **protesters** were [dispersed](https://x.example).\n\n```\ncode block\n```\n- Tokayev's decree"}},
		{{"ru", "Задержаны журналисты", "Полиция задержала журналистов", "Мирный митинг в Алматы"}, {"kk", "Журналистер ұсталды", "", "Қазақстан"}},
		{{"fr", "Défenseurs des droits humains", "", ""}, {"es", "Periodistas detenidos", "Manifestación pacífica", "> cita\n\n***\n\n[a]: https://x.example"}},
	}
	for i, d := range docs {
		var full, words DocBuilder
		for _, l := range d {
			full.Add(l.tag, l.title, l.summary, l.body)
			words.AddWords(l.title, l.summary, l.body)
		}
		f, w := full.Doc(), words.Doc()
		unmarked := func(s string) string {
			var out []string
			for _, tok := range strings.Fields(s) {
				if !strings.HasPrefix(tok, StemMark) && !strings.HasPrefix(tok, NameMark) {
					out = append(out, tok)
				}
			}
			return strings.Join(out, " ")
		}
		for name, pair := range map[string][2]string{"title": {f.Title, w.Title}, "summary": {f.Summary, w.Summary}, "body": {f.Body, w.Body}} {
			if unmarked(pair[0]) != pair[1] {
				t.Errorf("doc %d %s: words %q, the full analysis' words %q", i, name, pair[1], unmarked(pair[0]))
			}
			if pair[1] == "" && pair[0] != "" && unmarked(pair[0]) != "" {
				t.Errorf("doc %d %s: no words", i, name)
			}
		}
	}
}
