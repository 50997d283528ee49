package civicmon

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Freedom is one of the three civic freedoms the monitor tracks.
type Freedom string

const (
	Association Freedom = "association"
	Assembly    Freedom = "peaceful-assembly"
	Expression  Freedom = "expression"
)

// Freedoms lists the three freedoms in display order.
var Freedoms = []Freedom{Association, Assembly, Expression}

var freedomNames = map[Freedom]string{
	Association: "Association",
	Assembly:    "Peaceful Assembly",
	Expression:  "Expression",
}

func (f Freedom) Name() string { return freedomNames[f] }
func (f Freedom) Valid() bool  { _, ok := freedomNames[f]; return ok }

// Bit is the freedom's bit in a FreedomSet.
func (f Freedom) Bit() FreedomSet {
	for i, x := range Freedoms {
		if x == f {
			return 1 << i
		}
	}
	return 0
}

// ParseFreedom accepts a freedom's slug or name ("assembly" too), in any case.
func ParseFreedom(s string) (Freedom, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "assembly" || s == "peaceful assembly" {
		return Assembly, true
	}
	for _, f := range Freedoms {
		if s == string(f) || s == strings.ToLower(f.Name()) {
			return f, true
		}
	}
	return "", false
}

// FreedomSet is a set of freedoms as a bit mask, which is how the stores keep
// it so that a filter on a freedom is one integer test.
type FreedomSet uint8

func NewFreedomSet(fs ...Freedom) FreedomSet {
	var s FreedomSet
	for _, f := range fs {
		s |= f.Bit()
	}
	return s
}

func (s FreedomSet) Has(f Freedom) bool { return s&f.Bit() != 0 }

// List returns the freedoms in the set in display order.
func (s FreedomSet) List() []Freedom {
	var out []Freedom
	for _, f := range Freedoms {
		if s.Has(f) {
			out = append(out, f)
		}
	}
	return out
}

// Status is where an update is in the editorial workflow.
type Status string

const (
	StatusDraft     Status = "draft"
	StatusInReview  Status = "in_review"
	StatusPublished Status = "published"
	StatusArchived  Status = "archived"
)

var Statuses = []Status{StatusDraft, StatusInReview, StatusPublished, StatusArchived}

func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Source is a reference an update cites.
type Source struct {
	URL         string `json:"url,omitempty"`
	Title       string `json:"title,omitempty"`
	Publisher   string `json:"publisher,omitempty"`
	PublishedOn Date   `json:"published_on,omitzero"`
	// Contact is how the researcher reaches the source. Private: never on a
	// public surface.
	Contact string `json:"contact,omitempty"`
}

// Translation is an update's text in another language. Translations are
// fields of the update they translate, not copies that drift apart.
type Translation struct {
	Language string `json:"language"`
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	Body     string `json:"body"`
}

// Update is a dated research update on one country.
type Update struct {
	ID          int64  // internal key, never shown
	UID         string // stable public id, survives exports and imports
	Slug        string
	CountryCode string
	Title       string
	Summary     string
	Body        string // Markdown
	PublishedOn Date   // zero until first published
	// DateApproximate marks a publication date that was inferred rather than
	// known (the demo dossier's dates are).
	DateApproximate bool
	PeriodStart     Date // optional reporting period
	PeriodEnd       Date
	Freedoms        FreedomSet
	Violations      []string // violation type slugs
	Partner         string   // public credit of the research partner
	Sources         []Source
	Language        string // BCP 47 tag of the main text: "en"
	Translations    []Translation
	Status          Status
	// InternalNotes are the editors' and researchers' private notes.
	InternalNotes string
	// AuthorID is the account that wrote the update. Private where the
	// partner asked to stay anonymous; the public projection never shows it.
	AuthorID  int64
	Incidents []Incident
	CreatedAt time.Time
	UpdatedAt time.Time
	// CorrectionNote is a public note for readers about this edit (SaveUpdate):
	// kept only in the edit's revision, never on the update row, and shown
	// as a correction when the update is published. Empty for none.
	CorrectionNote string `json:"-"`
	// Version counts the saves of the update: 1 when created, one more
	// with every save. A save names the version it was made from and the
	// store refuses it (a *StaleError) when the stored update has moved on.
	Version int64
}

// Incident is one event an update reports, tagged for statistics.
type Incident struct {
	ID              int64
	UpdateID        int64
	OccurredOn      Date // zero when the text gives no date
	DateApproximate bool
	Freedom         Freedom
	Violation       string // violation type slug
	Target          string // target group slug
	PeopleAffected  int    // 0 when unknown
	Place           string
	Description     string
	// VictimName is private: it never reaches a public surface.
	VictimName string
}

const (
	maxTitle   = 300
	maxSummary = 5000
	maxBody    = 500_000
)

var languageTag = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// Validate checks the update and its incidents against the vocabularies.
// It fills in defaults that follow from other fields (slug from title,
// language "en", status draft).
func (u *Update) Validate(vocab *Vocabulary) error {
	v := validator{prefix: "update"}
	if strings.TrimSpace(u.Title) == "" {
		v.addf("title", "is required")
	} else if n := utf8.RuneCountInString(u.Title); n > maxTitle {
		v.addf("title", "is %d characters long; at most %d are allowed", n, maxTitle)
	}
	if u.CountryCode == "" {
		v.addf("country", "is required (ISO 3166-1 alpha-2 code, e.g. KZ)")
	} else if !alpha2.MatchString(u.CountryCode) {
		v.addf("country", "%q is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. KZ)", u.CountryCode)
	}
	if u.Slug == "" {
		u.Slug = Slugify(u.Title)
	}
	if u.Slug != "" && !ValidSlug(u.Slug) {
		v.addf("slug", "%q is not a slug (lower-case letters, digits and single hyphens)", u.Slug)
	}
	if len(u.Summary) > maxSummary {
		v.addf("summary", "is %d bytes long; at most %d are allowed", len(u.Summary), maxSummary)
	}
	if len(u.Body) > maxBody {
		v.addf("body", "is %d bytes long; at most %d are allowed", len(u.Body), maxBody)
	}
	if u.Status == "" {
		u.Status = StatusDraft
	}
	if !u.Status.Valid() {
		v.addf("status", "%q is not a status; allowed: draft, in_review, published, archived", u.Status)
	}
	if u.Status == StatusPublished && u.PublishedOn.IsZero() {
		v.addf("published_on", "is required for a published update")
	}
	if !u.PeriodStart.IsZero() && !u.PeriodEnd.IsZero() && u.PeriodEnd.Before(u.PeriodStart) {
		v.addf("period_end", "%s is before period_start %s", u.PeriodEnd, u.PeriodStart)
	}
	if u.Freedoms>>len(Freedoms) != 0 {
		v.addf("freedoms", "holds an unknown freedom; allowed: association, peaceful-assembly, expression")
	}
	if u.Language == "" {
		u.Language = "en"
	}
	if !languageTag.MatchString(u.Language) {
		v.addf("language", "%q is not a language tag (e.g. en, ru, fr)", u.Language)
	}
	seen := map[string]bool{}
	for i, t := range u.Violations {
		if vocab != nil && !vocab.HasViolation(t) {
			v.addf(fmt.Sprintf("violations[%d]", i), "%q is not a violation type; allowed: %s", t, vocab.violationList())
		}
		if seen[t] {
			v.addf(fmt.Sprintf("violations[%d]", i), "%q is listed twice", t)
		}
		seen[t] = true
	}
	for i, s := range u.Sources {
		if s.URL == "" && s.Title == "" {
			v.addf(fmt.Sprintf("sources[%d]", i), "needs a URL or a title")
		}
		if s.URL != "" {
			if p, err := url.Parse(s.URL); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
				v.addf(fmt.Sprintf("sources[%d].url", i), "%q is not an http or https URL", s.URL)
			}
		}
	}
	langs := map[string]bool{u.Language: true}
	for i, t := range u.Translations {
		f := fmt.Sprintf("translations[%d]", i)
		if !languageTag.MatchString(t.Language) {
			v.addf(f+".language", "%q is not a language tag (e.g. en, ru, fr)", t.Language)
		} else if langs[t.Language] {
			v.addf(f+".language", "%q is already the update's language or another translation's", t.Language)
		}
		langs[t.Language] = true
		if strings.TrimSpace(t.Title) == "" {
			v.addf(f+".title", "is required")
		}
	}
	for i := range u.Incidents {
		sub := validator{prefix: fmt.Sprintf("update.incidents[%d]", i)}
		u.Incidents[i].validate(&sub, vocab)
		v.errs = append(v.errs, sub.errs...)
	}
	return v.err()
}

// Validate checks one incident on its own.
func (in *Incident) Validate(vocab *Vocabulary) error {
	v := validator{prefix: "incident"}
	in.validate(&v, vocab)
	return v.err()
}

func (in *Incident) validate(v *validator, vocab *Vocabulary) {
	if in.Freedom == "" {
		v.addf("freedom", "is required; allowed: association, peaceful-assembly, expression")
	} else if !in.Freedom.Valid() {
		v.addf("freedom", "%q is not a freedom; allowed: association, peaceful-assembly, expression", in.Freedom)
	}
	if in.Violation == "" {
		v.addf("violation", "is required")
	} else if vocab != nil && !vocab.HasViolation(in.Violation) {
		v.addf("violation", "%q is not a violation type; allowed: %s", in.Violation, vocab.violationList())
	}
	if in.Target != "" && vocab != nil && !vocab.HasTarget(in.Target) {
		v.addf("target", "%q is not a target group; allowed: %s", in.Target, vocab.targetList())
	}
	if in.PeopleAffected < 0 {
		v.addf("people_affected", "%d is negative; use 0 when the number is unknown", in.PeopleAffected)
	}
}

// Published reports whether the update is visible to the public.
func (u *Update) Published() bool { return u.Status == StatusPublished }
