package civicmon

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Region is one of the five regions the CIVICUS Monitor groups countries in.
type Region string

const (
	RegionAfrica            Region = "africa"
	RegionAmericas          Region = "americas"
	RegionAsiaPacific       Region = "asia-pacific"
	RegionEuropeCentralAsia Region = "europe-central-asia"
	RegionMENA              Region = "middle-east-north-africa"
)

// Regions lists every region in display order.
var Regions = []Region{RegionAfrica, RegionAmericas, RegionAsiaPacific, RegionEuropeCentralAsia, RegionMENA}

var regionNames = map[Region]string{
	RegionAfrica:            "Africa",
	RegionAmericas:          "Americas",
	RegionAsiaPacific:       "Asia-Pacific",
	RegionEuropeCentralAsia: "Europe and Central Asia",
	RegionMENA:              "Middle East and North Africa",
}

// Name is the region's English display name.
func (r Region) Name() string { return regionNames[r] }

// Valid reports whether r is one of the five regions.
func (r Region) Valid() bool { _, ok := regionNames[r]; return ok }

// ParseRegion accepts a region's slug or its English name, in any case.
func ParseRegion(s string) (Region, bool) {
	s = strings.TrimSpace(s)
	for _, r := range Regions {
		if strings.EqualFold(s, string(r)) || strings.EqualFold(s, r.Name()) {
			return r, true
		}
	}
	return "", false
}

// Country is a country or territory rated by the monitor.
type Country struct {
	Code   string // ISO 3166-1 alpha-2, upper case: "KZ" (XK for Kosovo, as the Monitor uses)
	Code3  string // ISO 3166-1 alpha-3, upper case: "KAZ"
	Name   string // English short name: "Kazakhstan"
	Slug   string // URL slug: "kazakhstan"
	Region Region
}

var (
	alpha2 = regexp.MustCompile(`^[A-Z]{2}$`)
	alpha3 = regexp.MustCompile(`^[A-Z]{3}$`)
)

// Validate checks the country's codes, name, slug and region.
func (c *Country) Validate() error {
	v := validator{prefix: "country"}
	if !alpha2.MatchString(c.Code) {
		v.addf("code", "%q is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. KZ)", c.Code)
	}
	if !alpha3.MatchString(c.Code3) {
		v.addf("code3", "%q is not an ISO 3166-1 alpha-3 code (three upper-case letters, e.g. KAZ)", c.Code3)
	}
	if strings.TrimSpace(c.Name) == "" {
		v.addf("name", "is required")
	}
	if !ValidSlug(c.Slug) {
		v.addf("slug", "%q is not a slug (lower-case letters, digits and single hyphens, e.g. kazakhstan)", c.Slug)
	}
	if !c.Region.Valid() {
		v.addf("region", "%q is not a region; allowed: %s", c.Region, joinRegions())
	}
	return v.err()
}

func joinRegions() string {
	s := make([]string, len(Regions))
	for i, r := range Regions {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSlug reports whether s is a URL slug: lower-case ASCII letters and
// digits in runs joined by single hyphens.
func ValidSlug(s string) bool { return len(s) <= 200 && slugPattern.MatchString(s) }

// Slugify turns a title or name into a URL slug: accents are dropped
// ("Côte d'Ivoire" → "cote-divoire"), Cyrillic is transliterated, and
// everything else that is not a letter or digit becomes a hyphen.
func Slugify(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFKD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// combining mark left by NFKD: drop it
		case r == '\'' || r == '’' || r == '‘':
			// apostrophes join words: d'Ivoire → divoire
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			if t, ok := cyrillicLatin[r]; ok {
				if hyphen && b.Len() > 0 {
					b.WriteByte('-')
				}
				hyphen = false
				b.WriteString(t)
				continue
			}
			hyphen = true
		}
		if b.Len() >= 120 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

var cyrillicLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu",
	'я': "ia", 'ә': "a", 'ғ': "g", 'қ': "q", 'ң': "n", 'ө': "o", 'ұ': "u", 'ү': "u",
	'һ': "h", 'і': "i", 'є': "ie", 'ї': "i", 'ґ': "g",
}
