package civicmon

import (
	"strings"
)

// Term is one entry of a controlled vocabulary.
type Term struct {
	Slug string
	Name string
}

// Vocabulary holds the controlled vocabularies that researchers tag with.
type Vocabulary struct {
	Violations []Term
	Targets    []Term
	violations map[string]bool
	targets    map[string]bool
}

// NewVocabulary indexes the given terms.
func NewVocabulary(violations, targets []Term) *Vocabulary {
	v := &Vocabulary{Violations: violations, Targets: targets,
		violations: map[string]bool{}, targets: map[string]bool{}}
	for _, t := range violations {
		v.violations[t.Slug] = true
	}
	for _, t := range targets {
		v.targets[t.Slug] = true
	}
	return v
}

func (v *Vocabulary) HasViolation(slug string) bool { return v.violations[slug] }
func (v *Vocabulary) HasTarget(slug string) bool    { return v.targets[slug] }

// ViolationName returns the display name of a violation slug, or the slug.
func (v *Vocabulary) ViolationName(slug string) string { return termName(v.Violations, slug) }

// TargetName returns the display name of a target group slug, or the slug.
func (v *Vocabulary) TargetName(slug string) string { return termName(v.Targets, slug) }

func termName(ts []Term, slug string) string {
	for _, t := range ts {
		if t.Slug == slug {
			return t.Name
		}
	}
	return slug
}

func (v *Vocabulary) violationList() string { return termList(v.Violations) }
func (v *Vocabulary) targetList() string    { return termList(v.Targets) }

func termList(ts []Term) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.Slug
	}
	return strings.Join(s, ", ")
}

// ValidateTerm checks a new vocabulary term.
func ValidateTerm(kind string, t Term) error {
	v := validator{prefix: kind}
	if !ValidSlug(t.Slug) {
		v.addf("slug", "%q is not a slug (lower-case letters, digits and single hyphens)", t.Slug)
	}
	if strings.TrimSpace(t.Name) == "" {
		v.addf("name", "is required")
	}
	return v.err()
}

// DefaultViolations seeds the violation vocabulary: the types seen in the
// CIVICUS Monitor's reports, plus the few more its country updates describe.
var DefaultViolations = []Term{
	{"detention-of-protesters", "Detention of protesters"},
	{"excessive-force", "Excessive force"},
	{"protest-disruption", "Protest disruption"},
	{"detention-of-journalists", "Detention of journalists"},
	{"attack-on-journalists", "Attack on journalists"},
	{"intimidation", "Intimidation"},
	{"harassment", "Harassment"},
	{"censorship", "Censorship"},
	{"restrictive-law", "Restrictive law"},
	{"detention-of-hrds", "Detention of HRDs"},
	{"prosecution-of-hrds", "Prosecution of HRDs"},
	{"internet-shutdown", "Internet shutdown"},
	{"detention-of-activists", "Detention of activists"},
	{"prosecution-of-activists", "Prosecution of activists"},
	{"ban-on-organisation", "Ban on an organisation"},
	{"political-imprisonment", "Political imprisonment"},
}

// DefaultTargets seeds the target group vocabulary.
var DefaultTargets = []Term{
	{"protesters", "Protesters"},
	{"journalists", "Journalists"},
	{"hrds", "Human rights defenders"},
	{"trade-unionists", "Trade unionists"},
	{"opposition-members", "Opposition members"},
	{"csos", "Civil society organisations"},
	{"activists", "Activists"},
	{"bloggers", "Bloggers"},
	{"political-prisoners", "Political prisoners"},
	{"citizens", "Citizens"},
}

// DefaultVocabulary is the seeded vocabulary, for validation without a store.
func DefaultVocabulary() *Vocabulary { return NewVocabulary(DefaultViolations, DefaultTargets) }
