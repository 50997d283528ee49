package search

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStemJoinsForms(t *testing.T) {
	for lang, groups := range map[string][][]string{
		"en": {{"journalist", "journalists"}, {"protest", "protests", "protester", "protesters", "protesting"},
			{"detain", "detained", "detaining"}, {"arrest", "arrests", "arrested"}},
		"fr": {{"journaliste", "journalistes"}, {"manifestation", "manifestations", "manifestant", "manifestants"}},
		"es": {{"periodista", "periodistas"}, {"detenido", "detenidos", "detenida"}, {"protesta", "protestas"}},
		"ru": {{"журналист", "журналисты", "журналистов", "журналиста"}, {"митинг", "митинги", "митингах"},
			{"задержан", "задержаны", "задержана"}},
		"kk": {{"қазақстан", "казакстан"}},
	} {
		for _, g := range groups {
			want, _ := Stem(g[0], lang)
			for _, w := range g[1:] {
				if got, ok := Stem(w, lang); !ok || got != want {
					t.Errorf("Stem(%q, %s) = %q, %v; want %q (the stem of %q)", w, lang, got, ok, want, g[0])
				}
			}
		}
	}
	// French and Spanish stemmers read the accents of words as written.
	for _, w := range []string{"arrêté", "arrêtés", "arrêtée", "Arrêtées"} {
		if s, ok := stemRaw(w, "fr"); !ok || s != "arret" {
			t.Errorf("stemRaw(%q, fr) = %q, %v; want arret", w, s, ok)
		}
	}
	for _, w := range []string{"manifestación", "manifestaciones"} {
		if s, ok := stemRaw(w, "es"); !ok || s != "manifest" {
			t.Errorf("stemRaw(%q, es) = %q, %v; want manifest", w, s, ok)
		}
	}
	// A stemmer only reads its own script.
	if _, ok := Stem("журналист", "en"); ok {
		t.Error("the English stemmer took a Cyrillic word")
	}
	if _, ok := Stem("journalist", "ru"); ok {
		t.Error("the Russian stemmer took a Latin word")
	}
	if _, ok := Stem("journalist", "de"); ok {
		t.Error("a stemmer for German, which the analysis does not know")
	}
	if s, ok := Stem("protesters", "en-GB"); !ok || s != "protest" {
		t.Errorf(`Stem("protesters", "en-GB") = %q, %v`, s, ok)
	}
}

func TestNameKey(t *testing.T) {
	for _, g := range [][]string{
		{"tokayev", "tokaev", "токаев", "tokaiev"},
		{"nazarbayev", "nazarbaev", "назарбаев"},
		{"dmitry", "dmitriy", "dmitrii", "дмитрий"},
		{"zhanaozen", "janaozen", "жанаозен", "жаңаөзен"},
		{"qazaqstan", "қазақстан", "kazakstan"},
		{"nursultan", "noursoultan", "нурсултан", "нұрсұлтан"},
		{"khabarovsk", "habarovsk", "хабаровск"},
	} {
		want := NameKey(g[0])
		for _, w := range g[1:] {
			if got := NameKey(w); got != want {
				t.Errorf("NameKey(%q) = %q, want %q (the key of %q)", w, got, want, g[0])
			}
		}
	}
	for _, w := range []string{"2024", "北京", "a1"} {
		if k := NameKey(w); k != "" {
			t.Errorf("NameKey(%q) = %q, want none", w, k)
		}
	}
}

func TestDocHoldsFormsAfterWords(t *testing.T) {
	var b DocBuilder
	b.Add("fr", "Des journalistes arrêtés", "", "Le président **Tokaïev**")
	b.Add("ru", "Журналисты задержаны", "", "")
	d := b.Doc()
	want := "des journalistes arretes журналисты задержаны §journal ¤jurnalistes §arret ¤aretes §журналист ¤jurnalisti §задержа ¤zaderjani"
	if d.Title != want {
		t.Errorf("title\n got %q\nwant %q", d.Title, want)
	}
	if d.Body != "le president tokaiev ¤tokaev" {
		t.Errorf("body %q", d.Body)
	}
	// The builder starts afresh.
	b.Add("en", "x", "", "")
	if d := b.Doc(); d.Title != "x" {
		t.Errorf("after Doc: %q", d.Title)
	}
}

func TestExpandKeepsPhrases(t *testing.T) {
	q := Parse(`protesters "tear gas" -Токаев`).Expand()
	if got := q.String(); !strings.Contains(got, `"tear gas"`) || strings.Contains(got, "§tear") {
		t.Errorf("Expand: %q", got)
	}
	if !hasAlt(q.Clauses[0], StemMark+"protest") {
		t.Errorf("protesters: %q", q.Clauses[0].Alts)
	}
	if !hasAlt(q.Clauses[2], "tokaev") || !q.Clauses[2].Not {
		t.Errorf("-Токаев: %+v", q.Clauses[2])
	}
	// Accents typed are read by the stemmer.
	if !hasAlt(Parse("(manifestación),").Expand().Clauses[0], StemMark+"manifest") {
		t.Errorf("manifestación: %q", Parse("manifestación").Expand().Clauses[0].Alts)
	}
}

func hasAlt(c Clause, tok string) bool {
	return slices.ContainsFunc(c.Alts, func(p Phrase) bool { return len(p) == 1 && p[0] == tok })
}

var analyzerGoldenInputs = []struct{ lang, text string }{
	{"en", "Authorities detained the journalists; protesters were arrested in Almaty (Kazakhstan)."},
	{"fr", "Des journalistes ont été arrêtés lors des manifestations à Abidjan. Le président Tokaïev."},
	{"es", "La policía detuvo a periodistas durante las manifestaciones en Santiago."},
	{"ru", "Журналисты задержаны на митингах в Алматы; Токаев и Назарбаев. Ёлка."},
	{"kk", "Қазақстандағы журналистер мен белсенділер ұсталды."},
	{"de", "Journalisten wurden festgenommen."},
}

// analyzerGoldenHashes records the analysis's output over the golden
// inputs, by IndexVersion.
var analyzerGoldenHashes = map[int]string{
	102: "e9b1e487165d73d250beeac67e8f4ded4e416eaf729f7f8e195b1000a0b5c9d6",
}

func TestAnalyzerGolden(t *testing.T) {
	h := sha256.New()
	var b DocBuilder
	for _, in := range analyzerGoldenInputs {
		b.Add(in.lang, in.text, in.text, in.text)
		d := b.Doc()
		h.Write([]byte(d.Title + "\x00" + d.Summary + "\x00" + d.Body + "\x00"))
		h.Write([]byte(strings.Join(WordForms(Normalize(in.text)), " ")))
	}
	got := hex.EncodeToString(h.Sum(nil))
	if want := analyzerGoldenHashes[IndexVersion]; got != want {
		t.Fatalf("the analysis's output over the golden inputs changed (hash %s, recorded %q for version %d).\n"+
			"Indexes built by the old analysis no longer match queries analysed by the new one: bump IndexVersion "+
			"and record the new hash (stores then ask for `civicmon reindex`).", got, want, IndexVersion)
	}
}

// FuzzAnalyze: any text in any language analyses without panicking into
// fields of well-formed tokens — the text's own, exactly as Normalize
// makes them, then marked stems and name keys — and every form the index
// holds is one that a query for a word of the text looks for, so that
// what is indexed can be found. CI runs it by a count of runs (.ci/run).
func FuzzAnalyze(f *testing.F) {
	for _, in := range analyzerGoldenInputs {
		f.Add(in.lang, in.text)
	}
	for _, s := range []string{"", "§ ¤", "e\u0301té", "и\u0306", "ÉTÉ", "straße", "İstanbul", "北京 人权", "\xff", "x-y'z"} {
		f.Add("fr", s)
	}
	f.Fuzz(func(t *testing.T, lang, text string) {
		var b DocBuilder
		b.Add(lang, text, "", text)
		d := b.Doc()
		for i, field := range []string{d.Title, d.Body} {
			if i == 1 {
				text = plainLines(text) // the body is Markdown
			}
			if field == "" {
				continue
			}
			toks := strings.Split(field, " ")
			words := Tokens(text)
			if len(toks) < len(words) || strings.Join(toks[:len(words)], " ") != Normalize(text) {
				t.Fatalf("field %q does not start with the text's tokens %q", field, Normalize(text))
			}
			// What a query for each word of the text looks for.
			reach := map[string]bool{}
			Tokenize(text, func(tok string, start, end int) bool {
				reach[tok] = true
				raw := ""
				if !isASCII(text[start:end]) {
					raw = strings.ToLower(text[start:end])
				}
				for _, f := range wordForms(tok, raw) {
					reach[f] = true
				}
				return true
			})
			for _, tok := range toks[len(words):] {
				var rest string
				switch {
				case strings.HasPrefix(tok, StemMark):
					rest = tok[len(StemMark):]
				case strings.HasPrefix(tok, NameMark):
					rest = tok[len(NameMark):]
				default:
					t.Fatalf("unmarked token %q after the text's in %q", tok, field)
				}
				if rest == "" || Normalize(rest) != rest || !utf8.ValidString(tok) {
					t.Fatalf("added token %q is not a normalised token", tok)
				}
				if !reach[tok] {
					t.Fatalf("added token %q: no query for a word of %q looks for it", tok, text)
				}
			}
		}
		q := Parse(text).Expand()
		for _, e := range []string{q.MatchFTS5(), q.ExcludeFTS5()} {
			if e != "" {
				if err := checkFTS5(e); err != nil {
					t.Fatalf("FTS5 expression %q: %v", e, err)
				}
			}
		}
		for _, e := range []string{q.MatchTS(), q.ExcludeTS()} {
			if e != "" {
				if err := checkTS(e); err != nil {
					t.Fatalf("tsquery %q: %v", e, err)
				}
			}
		}
		q.Matcher().Highlight(text)
	})
}

// BenchmarkAnalyze is BenchmarkNormalize's text analysed (stems and name
// keys added): the analysis's cost beside the normaliser's, in the same run.
func BenchmarkAnalyze(b *testing.B) {
	text := strings.Repeat("Authorities detained the journalists in Almaty, said the ministry; "+
		"Қазақстан свобода митинг. ", 40)
	b.SetBytes(int64(len(text)))
	var d DocBuilder
	for b.Loop() {
		d.Add("en", "", "", text)
		d.Doc()
	}
}

// TestNameKeyShortcut: the shortcut for plain words agrees with the rules.
func TestNameKeyShortcut(t *testing.T) {
	words := strings.Fields("the authorities detained journalists in almaty said ministry protest police government " +
		"kazakhstan khan zhanaozen you young queen week tokaev tokayev tokaiev piece pie address mullet " +
		"manifestation periodista detenidos arrete juge hue ouest zoo kh zh ou ie")
	for _, w := range words {
		if got, want := NameKey(w), nameKeySlow(w); got != want {
			t.Errorf("NameKey(%q) = %q, the rules give %q", w, got, want)
		}
	}
}

// nameKeySlow is NameKey without its shortcut.
func nameKeySlow(tok string) string {
	if tok == "" {
		return ""
	}
	k := NameKey("\u0431" + tok) // a Cyrillic б first: no shortcut, and no rule it joins (no word here starts with b)
	return k[1:]
}

func TestSurnameForms(t *testing.T) {
	// Every declined form of a Russian surname reaches the others' keys.
	forms := []string{"токаев", "токаева", "токаеву", "токаевым", "токаеве", "токаевой", "токаевы", "токаевых"}
	for _, a := range forms {
		reach := map[string]bool{}
		for _, f := range WordForms(a) {
			reach[f] = true
		}
		for _, b := range forms {
			if k := NameKey(b); b != a && !reach[NameMark+k] {
				t.Errorf("WordForms(%q) lacks the key of %q (%s): %q", a, b, k, WordForms(a))
			}
		}
	}
	if f := WordForms("tokayev"); !slices.Contains(f, NameMark+"tokaeva") || !slices.Contains(f, NameMark+"tokaevim") {
		t.Errorf("WordForms(Tokayev) = %q", f)
	}
	// Not a surname's shape: nothing added.
	if f := surnameForms("police"); f != nil {
		t.Errorf("surnameForms(police) = %q", f)
	}
}
