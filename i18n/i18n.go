// Package i18n holds the user interface text in every language civicmon
// speaks. Messages are keyed by their English text, so templates stay
// readable and a missing translation falls back to English, never to a key.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Lang is a supported interface language, as a BCP 47 tag.
type Lang string

const (
	English Lang = "en"
	French  Lang = "fr"
	Spanish Lang = "es"
	Russian Lang = "ru"
)

// Supported lists the interface languages, the default first.
var Supported = []Lang{English, French, Spanish, Russian}

var nativeNames = map[Lang]string{English: "English", French: "Français", Spanish: "Español", Russian: "Русский"}

//go:embed locales/*.json
var localeFiles embed.FS

var catalogs = map[Lang]map[string]string{}

func init() {
	for _, l := range Supported[1:] {
		b, err := localeFiles.ReadFile("locales/" + string(l) + ".json")
		if err != nil {
			panic(fmt.Sprintf("i18n: %s: %v", l, err))
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: locales/%s.json: %v", l, err))
		}
		catalogs[l] = m
	}
}

// Parse returns the supported language tag s names ("fr", "fr-CA").
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i > 0 {
		s = s[:i]
	}
	for _, l := range Supported {
		if string(l) == s {
			return l, true
		}
	}
	return "", false
}

// Negotiate picks the best supported language for an Accept-Language
// header, English when none fits.
func Negotiate(accept string) Lang {
	type choice struct {
		lang Lang
		q    float64
		pos  int
	}
	var cs []choice
	for i, part := range strings.Split(accept, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if l, ok := Parse(tag); ok && q > 0 {
			cs = append(cs, choice{l, q, i})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].q > cs[j].q })
	if len(cs) == 0 {
		return English
	}
	return cs[0].lang
}

// Name is the language's name in itself: "Русский".
func (l Lang) Name() string { return nativeNames[l] }

// Dir is the writing direction of the language: "rtl" for the languages
// written right to left (none of the interface's yet; the layout is ready
// for them, see web/browser's RightToLeft), else "ltr".
func (l Lang) Dir() string {
	switch strings.ToLower(strings.SplitN(string(l), "-", 2)[0]) {
	case "ar", "he", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ckb":
		return "rtl"
	}
	return "ltr"
}

// T translates an English message; with args, the message is a format.
func (l Lang) T(msg string, args ...any) string {
	if tr, ok := catalogs[l][msg]; ok && tr != "" {
		msg = tr
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

var months = []string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// Date formats a date as CLDR's long date pattern of the language has it:
// "21 June 2022" (d MMMM y, as British English writes it), "21 juin 2022",
// "21 de junio de 2022", "21 июня 2022 г.".
func (l Lang) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	day, month, year := t.Day(), l.month("month-of:", t.Month()), t.Year()
	switch l {
	case Spanish:
		return fmt.Sprintf("%d de %s de %d", day, month, year)
	case Russian:
		return fmt.Sprintf("%d %s %d г.", day, month, year)
	}
	return fmt.Sprintf("%d %s %d", day, month, year)
}

// MonthYear formats a month of a year as CLDR's yMMMM pattern has it, with
// the month's name on its own (nominative): "June 2022", "juin 2022",
// "junio de 2022", "июнь 2022 г.".
func (l Lang) MonthYear(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	month, year := l.month("month:", t.Month()), t.Year()
	switch l {
	case Spanish:
		return fmt.Sprintf("%s de %d", month, year)
	case Russian:
		return fmt.Sprintf("%s %d г.", month, year)
	}
	return fmt.Sprintf("%s %d", month, year)
}

// Number is an integer that formats itself, under %d, with the digit
// grouping of its language (CLDR): 12,345 in English, 12 345 in French (a
// narrow no-break space), 12.345 in Spanish, which leaves four digits
// ungrouped (1234), 12 345 in Russian (a no-break space).
type Number struct {
	N    int64
	Lang Lang
}

// N is n as a Number of the language, for T("Updates found: %d", l.N(n)).
func (l Lang) N(n int) Number { return Number{int64(n), l} }

// N64 is N for a large count (people, a population).
func (l Lang) N64(n int64) Number { return Number{n, l} }

// Format writes the number for %d and %v; other verbs get the plain digits.
func (n Number) Format(f fmt.State, verb rune) {
	if verb != 'd' && verb != 'v' {
		fmt.Fprint(f, strconv.FormatInt(n.N, 10))
		return
	}
	fmt.Fprint(f, n.Lang.Decimal(float64(n.N), 0))
}

// The CLDR number symbols of the languages: the decimal separator, the
// grouping separator and what stands between a number and its percent
// sign. CLDR 48 (as ICU ships it) has French group with a narrow no-break
// space but put a no-break space before "%"; Spanish and Russian do too.
var decimalSep = map[Lang]string{English: ".", French: ",", Spanish: ",", Russian: ","}
var groupSep = map[Lang]string{English: ",", French: "\u202f", Spanish: ".", Russian: "\u00a0"}
var percentSep = map[Lang]string{English: "", French: "\u00a0", Spanish: "\u00a0", Russian: "\u00a0"}

// Decimal formats x with frac digits after the language's decimal
// separator (frac < 0: as many as x needs) and its integer part grouped in
// threes: 1,464,991,768.5 in English, 1 464 991 768,5 in French. Spanish
// leaves four-digit numbers ungrouped (CLDR's minimumGroupingDigits 2).
func (l Lang) Decimal(x float64, frac int) string {
	s := strconv.FormatFloat(x, 'f', frac, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	digits, fraction, _ := strings.Cut(s, ".")
	dsep, ok := decimalSep[l]
	if !ok {
		dsep = "."
	}
	out := sign + l.group(digits)
	if fraction != "" {
		out += dsep + fraction
	}
	return out
}

// Percent formats a share (0–1) as a percentage with frac decimals, as
// CLDR's percent pattern of the language writes it: "89.1%", "89,1 %".
func (l Lang) Percent(share float64, frac int) string {
	return l.Decimal(share*100, frac) + percentSep[l] + "%"
}

// group puts the language's grouping separator between threes of digits.
func (l Lang) group(digits string) string {
	sep, minGroup := groupSep[l], 1
	if l == Spanish {
		minGroup = 2 // CLDR's minimumGroupingDigits for Spanish
	}
	if sep == "" || len(digits) < 4+minGroup-1 {
		return digits
	}
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// month looks up a month name: "month:" keys are the name on its own
// (nominative), "month-of:" keys the form used after a day (genitive in
// Russian: "21 июня").
func (l Lang) month(prefix string, m time.Month) string {
	if tr, ok := catalogs[l][prefix+months[m-1]]; ok && tr != "" {
		return tr
	}
	return months[m-1]
}

// Keys lists the messages of a language's catalog, for completeness tests.
func Keys(l Lang) []string {
	var ks []string
	for k := range catalogs[l] {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// MonthKeys are the catalog keys of month names, which templates do not
// mention literally.
func MonthKeys() []string {
	var ks []string
	for _, m := range months {
		ks = append(ks, "month:"+m, "month-of:"+m)
	}
	return ks
}
