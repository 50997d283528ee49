package civicmon_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/civicmon/civicmon"
)

// Each validation rule of the domain, with the bad input and the exact
// message a person sees.
func TestValidationErrors(t *testing.T) {
	vocab := civicmon.DefaultVocabulary()
	day := civicmon.MustDate("2022-06-21")
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"score above 100",
			(&civicmon.Rating{CountryCode: "KZ", EffectiveDate: day, Score: 101}).Validate(),
			"rating.score: 101 is outside the allowed range 1–100"},
		{"score below 1",
			(&civicmon.Rating{CountryCode: "KZ", EffectiveDate: day, Score: -4}).Validate(),
			"rating.score: -4 is outside the allowed range 1–100"},
		{"category outside the score's band",
			(&civicmon.Rating{CountryCode: "KZ", EffectiveDate: day, Score: 35, Category: civicmon.Obstructed}).Validate(),
			"rating.category: Obstructed does not match score 35: Obstructed is 41–60, score 35 is Repressed (21–40)"},
		{"unknown category",
			(&civicmon.Rating{CountryCode: "KZ", EffectiveDate: day, Category: "free"}).Validate(),
			`rating.category: "free" is not a category; allowed: open, narrowed, obstructed, repressed, closed`},
		{"rating without score or category",
			(&civicmon.Rating{CountryCode: "KZ", EffectiveDate: day}).Validate(),
			"rating.score: a score (1–100) or a category is required"},
		{"rating country code malformed",
			(&civicmon.Rating{CountryCode: "Kazakhstan", EffectiveDate: day, Score: 30}).Validate(),
			`rating.country: "Kazakhstan" is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. KZ)`},
		{"update without title",
			(&civicmon.Update{CountryCode: "KZ"}).Validate(vocab),
			"update.title: is required"},
		{"update without country",
			(&civicmon.Update{Title: "Protests in Almaty"}).Validate(vocab),
			"update.country: is required (ISO 3166-1 alpha-2 code, e.g. KZ)"},
		{"update with neither",
			(&civicmon.Update{}).Validate(vocab),
			"update.title: is required; update.country: is required (ISO 3166-1 alpha-2 code, e.g. KZ)"},
		{"update country code malformed",
			(&civicmon.Update{Title: "x", CountryCode: "kz"}).Validate(vocab),
			`update.country: "kz" is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. KZ)`},
		{"incident without freedom",
			(&civicmon.Update{Title: "x", CountryCode: "KZ", Incidents: []civicmon.Incident{{Violation: "censorship"}}}).Validate(vocab),
			"update.incidents[0].freedom: is required; allowed: association, peaceful-assembly, expression"},
		{"incident on its own without freedom",
			(&civicmon.Incident{Violation: "censorship"}).Validate(vocab),
			"incident.freedom: is required; allowed: association, peaceful-assembly, expression"},
		{"incident with an unknown freedom",
			(&civicmon.Incident{Freedom: "religion", Violation: "censorship"}).Validate(vocab),
			`incident.freedom: "religion" is not a freedom; allowed: association, peaceful-assembly, expression`},
		{"incident with an unknown target group",
			(&civicmon.Incident{Freedom: civicmon.Expression, Violation: "censorship", Target: "aliens"}).Validate(vocab),
			`incident.target: "aliens" is not a target group; allowed: protesters, journalists, hrds, trade-unionists, opposition-members, csos, activists, bloggers, political-prisoners, citizens`},
		{"published update without a date",
			(&civicmon.Update{Title: "x", CountryCode: "KZ", Status: civicmon.StatusPublished}).Validate(vocab),
			"update.published_on: is required for a published update"},
		{"reporting period backwards",
			(&civicmon.Update{Title: "x", CountryCode: "KZ", PeriodStart: civicmon.MustDate("2020-03-31"), PeriodEnd: civicmon.MustDate("2020-01-01")}).Validate(vocab),
			"update.period_end: 2020-01-01 is before period_start 2020-03-31"},
		{"source URL not http",
			(&civicmon.Update{Title: "x", CountryCode: "KZ", Sources: []civicmon.Source{{URL: "javascript:alert(1)"}}}).Validate(vocab),
			`update.sources[0].url: "javascript:alert(1)" is not an http or https URL`},
		{"translation repeats the main language",
			(&civicmon.Update{Title: "x", CountryCode: "KZ", Translations: []civicmon.Translation{{Language: "en", Title: "x"}}}).Validate(vocab),
			`update.translations[0].language: "en" is already the update's language or another translation's`},
		{"country with bad codes and region",
			(&civicmon.Country{Code: "KAZ", Code3: "KZ", Name: "Kazakhstan", Slug: "kazakhstan", Region: "central-asia"}).Validate(),
			`country.code: "KAZ" is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. KZ); ` +
				`country.code3: "KZ" is not an ISO 3166-1 alpha-3 code (three upper-case letters, e.g. KAZ); ` +
				`country.region: "central-asia" is not a region; allowed: africa, americas, asia-pacific, europe-central-asia, middle-east-north-africa`},
		{"watchlist entry listed twice",
			(&civicmon.WatchlistEdition{PublishedOn: day, Title: "June 2022", Entries: []civicmon.WatchlistEntry{{CountryCode: "KZ"}, {CountryCode: "KZ"}}}).Validate(),
			"watchlist.entries[1].country: KZ is listed twice"},
		{"user with a bad role",
			(&civicmon.User{Email: "a@example.org", Name: "A", Role: "owner", PasswordHash: "x"}).Validate(),
			`user.role: "owner" is not a role; allowed: admin, editor, researcher, reviewer`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.err == nil {
				t.Fatalf("accepted; want %q", c.want)
			}
			if got := c.err.Error(); got != c.want {
				t.Fatalf("error\n got %q\nwant %q", got, c.want)
			}
			if code := civicmon.ErrorCode(c.err); code != civicmon.EINVALID {
				t.Fatalf("code %q, want %q", code, civicmon.EINVALID)
			}
		})
	}
}

func TestValidRecordsPass(t *testing.T) {
	r := civicmon.Rating{CountryCode: "KZ", EffectiveDate: civicmon.MustDate("2022-06-21"), Score: 35}
	if err := r.Validate(); err != nil || r.Category != civicmon.Repressed {
		t.Fatalf("rating: %v, category %q (want derived Repressed)", err, r.Category)
	}
	u := civicmon.Update{Title: "Kazakhstan: Civil society activists intimidated", CountryCode: "KZ",
		Incidents: []civicmon.Incident{{Freedom: civicmon.Assembly, Violation: "detention-of-protesters", Target: "protesters"}}}
	if err := u.Validate(civicmon.DefaultVocabulary()); err != nil {
		t.Fatal(err)
	}
	if u.Slug != "kazakhstan-civil-society-activists-intimidated" || u.Status != civicmon.StatusDraft || u.Language != "en" {
		t.Fatalf("defaults not filled: %q %q %q", u.Slug, u.Status, u.Language)
	}
}

func TestCategoryBands(t *testing.T) {
	for score, want := range map[int]civicmon.Category{
		1: civicmon.Closed, 20: civicmon.Closed, 21: civicmon.Repressed, 40: civicmon.Repressed,
		41: civicmon.Obstructed, 60: civicmon.Obstructed, 61: civicmon.Narrowed, 80: civicmon.Narrowed,
		81: civicmon.Open, 100: civicmon.Open,
	} {
		if got, ok := civicmon.CategoryForScore(score); !ok || got != want {
			t.Errorf("CategoryForScore(%d) = %v, want %v", score, got, want)
		}
	}
	for _, bad := range []int{0, -1, 101} {
		if _, ok := civicmon.CategoryForScore(bad); ok {
			t.Errorf("CategoryForScore(%d) accepted", bad)
		}
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Côte d'Ivoire": "cote-divoire",
		"On the Watchlist: Widespread violations reported during ‘’Bloody January’’": "on-the-watchlist-widespread-violations-reported-during-bloody-january",
		"Қазақстан: свобода собраний":                                                "qazaqstan-svoboda-sobranii",
		"  --  ": "",
	} {
		if got := civicmon.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPublicProjectionDropsPrivateFields(t *testing.T) {
	u := civicmon.Update{Title: "t", CountryCode: "KZ", Status: civicmon.StatusPublished, PublishedOn: civicmon.MustDate("2022-01-01"),
		InternalNotes: "secret-note", AuthorID: 7,
		Sources:   []civicmon.Source{{URL: "https://example.org", Contact: "secret-contact"}},
		Incidents: []civicmon.Incident{{Freedom: civicmon.Expression, Violation: "censorship", VictimName: "secret-victim"}}}
	p, ok := u.Public()
	if !ok {
		t.Fatal("published update has no public projection")
	}
	if p.Sources[0].URL != "https://example.org" || p.Incidents[0].Violation != "censorship" {
		t.Fatalf("public fields lost: %+v", p)
	}
	b, _ := json.Marshal(p)
	if strings.Contains(string(b), "secret") {
		t.Fatalf("public projection carries a private field: %s", b)
	}
	u.Status = civicmon.StatusDraft
	if _, ok := u.Public(); ok {
		t.Fatal("a draft has a public projection")
	}
}
