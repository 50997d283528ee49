package civicmon

import (
	"context"
	"strings"
)

// FieldKind names a translatable field of a record that is not an update
// (updates carry their translations themselves).
type FieldKind string

const (
	// FieldWatchlistTitle is an edition's title; the record is its date.
	FieldWatchlistTitle FieldKind = "watchlist-title"
	// FieldWatchlistNarrative is a country's narrative in an edition; the
	// record is the edition's date and the country's code: "2019-10-01/KZ".
	FieldWatchlistNarrative FieldKind = "watchlist-narrative"
	// FieldViolation and FieldTarget are vocabulary terms; the record is
	// the term's slug.
	FieldViolation FieldKind = "violation"
	FieldTarget    FieldKind = "target"
	// FieldRatingRationale is a rating's rationale; the record is the
	// rating's id.
	FieldRatingRationale FieldKind = "rating-rationale"
)

// FieldKinds lists the translatable fields in the order the workspace
// shows them.
var FieldKinds = []FieldKind{FieldWatchlistTitle, FieldWatchlistNarrative, FieldViolation, FieldTarget, FieldRatingRationale}

// TranslationStatus is how far a field's translation is: a machine draft
// to review, or reviewed by a person. A field with no translation in a
// language is missing it (TranslationMissing, never stored).
type TranslationStatus string

const (
	TranslationMissing  TranslationStatus = "missing"
	TranslationMachine  TranslationStatus = "machine"
	TranslationReviewed TranslationStatus = "reviewed"
)

// FieldTranslation is one field of one record in one language. Only
// reviewed translations reach the public site.
type FieldTranslation struct {
	Kind   FieldKind
	Record string
	Lang   string // a BCP 47 tag: "ru"
	Text   string
	Status TranslationStatus
	// Version counts the saves of the translation (1 for the first); 0
	// for one not stored yet. A save or removal names the version it was
	// made from, and is refused (*StaleError) when the stored one moved on.
	Version int64
}

// Validate checks the kind, record, language, text and status.
func (f *FieldTranslation) Validate() error {
	v := validator{prefix: "translation"}
	known := false
	for _, k := range FieldKinds {
		known = known || k == f.Kind
	}
	if !known {
		v.addf("kind", "%q is not a translatable field", f.Kind)
	}
	if strings.TrimSpace(f.Record) == "" || len(f.Record) > 200 {
		v.addf("record", "is required (at most 200 characters)")
	}
	if !validLangTag(f.Lang) {
		v.addf("lang", "%q is not a language tag (e.g. ru, fr, es)", f.Lang)
	}
	if strings.TrimSpace(f.Text) == "" {
		v.addf("text", "is required")
	} else if len(f.Text) > 20000 {
		v.addf("text", "is %d bytes; at most 20000", len(f.Text))
	}
	if f.Status != TranslationMachine && f.Status != TranslationReviewed {
		v.addf("status", "%q is not a status; allowed: machine, reviewed", f.Status)
	}
	return v.err()
}

// validLangTag accepts a BCP 47 language subtag with an optional region:
// "ru", "pt-BR".
func validLangTag(s string) bool {
	lang, region, _ := strings.Cut(s, "-")
	if len(lang) < 2 || len(lang) > 3 || (region != "" && (len(region) < 2 || len(region) > 4)) {
		return false
	}
	for _, r := range lang + region {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return strings.ToLower(lang) == lang
}

// FieldTranslations keeps the translations of records' fields.
type FieldTranslations interface {
	// FieldTranslations returns every stored translation, ordered by
	// kind, record and language.
	FieldTranslations(ctx context.Context) ([]FieldTranslation, error)
	// SaveFieldTranslation validates f and stores it: a new one when
	// f.Version is 0, otherwise over the stored one of its kind, record and
	// language at f.Version. A save whose version is not the stored one's
	// (0 when there is none) is refused with a *StaleError (ECONFLICT)
	// and changes nothing; on success f.Version is the new version.
	SaveFieldTranslation(ctx context.Context, f *FieldTranslation) error
	// DeleteFieldTranslation removes a translation at the version the
	// removal was made from, leaving the field missing in that language;
	// removing one that is not there is no error, and removing one saved
	// since (another version) is refused with a *StaleError.
	DeleteFieldTranslation(ctx context.Context, kind FieldKind, record, lang string, version int64) error
}
