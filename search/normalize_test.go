package search

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Côte d'Ivoire", "cote d ivoire"},
		{"CÔTE D’IVOIRE", "cote d ivoire"},
		{"Қазақстан", "қазақстан"},
		{"ҚАЗАҚСТАН Жаңаөзен", "қазақстан жаңаөзен"},
		{"свобода СВОБОДА Свобода", "свобода свобода свобода"},
		{"Ёлка, ёж и йод", "елка еж и йод"},
		{"и\u0306од", "йод"}, // й typed as и + combining breve
		{"e\u0301cole École ÉCOLE", "ecole ecole ecole"},
		{"Straße ẞ", "strasse ss"},
		{"Łódź, Ærø, Þingvellir, Đakovo", "lodz aero thingvellir dakovo"},
		{"İstanbul", "istanbul"},
		{"Ἀθῆναι", "αθηναι"},
		{"ΟΔΟΣ οδός", "οδοσ οδοσ"},
		{"مُحَمَّد", "محمد"},
		{"Ｆｕｌｌ－ｗｉｄｔｈ ﬁle", "full width file"},
		{"北京市 人权", "北 京 市 人 权"},
		{"ｺﾙﾅ ㋐㍿", "コ ル ナ ア 株 式 会 社"},
		{"e-mail, self-censorship; #FreeThem @user", "e mail self censorship freethem user"},
		{"(NEAR) AND * ^ : {title} \"x\"", "near and title x"},
		{"2021-06-21 ½ 3²", "2021 06 21 32"},
		{"  \t\n ", ""},
		{"", ""},
		{"\xff\xfe bad utf8 \xc3", "bad utf8"},
	} {
		if got := Normalize(c.in); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNormalizeLongToken(t *testing.T) {
	long := strings.Repeat("a", 100) + " b " + strings.Repeat("ж", 40)
	toks := Tokens(long)
	if len(toks) != 3 || toks[0] != strings.Repeat("a", MaxTokenBytes) || toks[1] != "b" || toks[2] != strings.Repeat("ж", MaxTokenBytes/2) {
		t.Fatalf("Tokens = %q", toks)
	}
}

func TestTokenizeSpans(t *testing.T) {
	s := "Côte d'Ivoire — свобода!"
	var got []string
	Tokenize(s, func(tok string, start, end int) bool {
		got = append(got, tok+"="+s[start:end])
		return true
	})
	want := []string{"cote=Côte", "d=d", "ivoire=Ivoire", "свобода=свобода"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("spans %q, want %q", got, want)
	}
}

// goldenInputs exercise every rule of Normalize.
var goldenInputs = []string{
	"Côte d'Ivoire", "Қазақстан ӘҒҚҢӨҰҮҺІ", "Ёлка йод ї ў", "Straße Æ Ø Ł Đ Þ ı ſ ς",
	"e\u0301cole", "Ａｂｃ ﬁ ½ ² Ⅻ", "北京 ひらがな カタカナ ｶﾀｶﾅ ㋐㍿ 한국어", "مُحَمَّد", "हिंदी", "ไทย",
	"עִבְרִית", "Ἀθῆναι", "Tiếng Việt", "İstanbul", "a-b_c.d,e;f:g!h?i'j\"k(l)m[n]o{p}q<r>s/t\\u|v",
	strings.Repeat("x", 80), "\u200b\u00a0\u2028zero width", "😀 emoji ✊🏽", "١٢٣ ٤٥٦",
}

// goldenHashes records the hash of Normalize over goldenInputs for each
// NormalizerVersion.
var goldenHashes = map[int]string{
	1: "f6c022d29be285e4cd445540724a6ba5c48195aebbd6d4e27b6203869376e3b0",
}

func TestNormalizerGolden(t *testing.T) {
	h := sha256.New()
	for _, s := range goldenInputs {
		h.Write([]byte(Normalize(s)))
		h.Write([]byte{0})
	}
	got := hex.EncodeToString(h.Sum(nil))
	if want := goldenHashes[NormalizerVersion]; got != want {
		t.Fatalf("Normalize's output over the golden inputs changed (hash %s, recorded %q for version %d).\n"+
			"Indexes built by the old rules no longer match queries normalised by the new ones: bump NormalizerVersion "+
			"and record the new hash (stores then ask for `civicmon reindex`).", got, want, NormalizerVersion)
	}
}

func BenchmarkNormalize(b *testing.B) {
	text := strings.Repeat("Authorities detained the journalists in Almaty, said the ministry; "+
		"Қазақстан свобода митинг. ", 40)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Normalize(text)
	}
}
