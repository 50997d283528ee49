package i18n

//go:generate go run ../tools/cldrnames

import (
	"sort"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// civicusNames are the names the CIVICUS Monitor uses where CLDR's differ:
// the long forms CLDR keeps in parentheses or abbreviations ("Myanmar
// (Birmanie)", "ОАЭ"), CLDR's distinguishing "Congo - Kinshasa", and names
// that changed after the CLDR data x/text ships (North Macedonia,
// Eswatini). The English names are the database's own.
var civicusNames = map[Lang]map[string]string{
	French: {
		"CD": "République démocratique du Congo",
		"CG": "République du Congo",
		"CZ": "République tchèque",
		"HK": "Hong Kong",
		"MK": "Macédoine du Nord",
		"MM": "Myanmar",
		"PS": "Palestine",
		"SZ": "Eswatini",
	},
	Spanish: {
		"CZ": "República Checa",
		"HK": "Hong Kong",
		"MK": "Macedonia del Norte",
		"MM": "Myanmar",
		"PS": "Palestina",
		"SZ": "Esuatini",
	},
	Russian: {
		"AE": "Объединённые Арабские Эмираты",
		"BN": "Бруней",
		"CD": "Демократическая Республика Конго",
		"CG": "Республика Конго",
		"CZ": "Чешская Республика",
		"HK": "Гонконг",
		"KP": "Северная Корея",
		"KR": "Южная Корея",
		"MK": "Северная Македония",
		"MM": "Мьянма",
		"PS": "Палестина",
		"SZ": "Эсватини",
		"US": "Соединённые Штаты",
	},
}

// CountryName is the name of the country with ISO 3166-1 alpha-2 code in
// the language: the CIVICUS name where it differs from CLDR, else CLDR's,
// else english (the database's name, which English pages show).
func (l Lang) CountryName(code, english string) string {
	if n, ok := civicusNames[l][code]; ok {
		return n
	}
	if n, ok := cldrCountries[l][code]; ok {
		return n
	}
	return english
}

// collators are built once per language: a collator is not safe for
// concurrent use, so each use takes the lock.
var collators struct {
	sync.Mutex
	m map[Lang]*collate.Collator
}

// collator returns the language's collator; the caller holds the lock.
func collator(l Lang) *collate.Collator {
	if collators.m == nil {
		collators.m = map[Lang]*collate.Collator{}
	}
	c := collators.m[l]
	if c == nil {
		c = collate.New(language.Make(string(l)))
		collators.m[l] = c
	}
	return c
}

// SortBy sorts s by the names key gives, in the language's alphabetical
// order (CLDR collation: "Éthiopie" between "Espagne" and "Fidji", "Чад"
// after "Хорватия"), stably.
func SortBy[T any](l Lang, s []T, key func(*T) string) {
	collators.Lock()
	c := collator(l)
	keys := make([]string, len(s))
	var buf collate.Buffer
	for i := range s {
		keys[i] = string(c.KeyFromString(&buf, key(&s[i])))
		buf.Reset()
	}
	collators.Unlock()
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	out := make([]T, len(s))
	for i, j := range idx {
		out[i] = s[j]
	}
	copy(s, out)
}

// Compare orders two strings in the language's alphabetical order.
func (l Lang) Compare(a, b string) int {
	collators.Lock()
	defer collators.Unlock()
	return collator(l).CompareString(a, b)
}
