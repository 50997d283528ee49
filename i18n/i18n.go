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

// Date formats a date as people write it in the language: "21 June 2022",
// "21 juin 2022", "21 junio 2022", "21 июня 2022".
func (l Lang) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d %s %d", t.Day(), l.month("month-of:", t.Month()), t.Year())
}

// MonthYear formats "June 2022" in the language.
func (l Lang) MonthYear(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%s %d", l.month("month:", t.Month()), t.Year())
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
