package civicmon

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Date is a calendar date without a time of day or zone: a publication date,
// a rating's effective date, the day of an incident. The zero Date means
// "no date".
type Date struct {
	t time.Time // always UTC midnight, or zero
}

const dateLayout = "2006-01-02"

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	return NewDate(t.Year(), t.Month(), t.Day())
}

// ParseDate parses YYYY-MM-DD. The empty string is the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// MustDate is ParseDate for literals known to be valid.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Date) IsZero() bool       { return d.t.IsZero() }
func (d Date) Time() time.Time    { return d.t }
func (d Date) Year() int          { return d.t.Year() }
func (d Date) Month() time.Month  { return d.t.Month() }
func (d Date) Day() int           { return d.t.Day() }
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }
func (d Date) After(o Date) bool  { return d.t.After(o.t) }
func (d Date) Equal(o Date) bool  { return d.t.Equal(o.t) }
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }
func (d Date) Compare(o Date) int { return d.t.Compare(o.t) }
func (d Date) Format(layout string) string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(layout)
}

// String returns YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string { return d.Format(dateLayout) }

func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Date) UnmarshalText(b []byte) error {
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Value stores a Date as YYYY-MM-DD text, which both SQLite (TEXT affinity)
// and PostgreSQL (DATE) accept, and NULL for the zero Date.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a date from either store: PostgreSQL's driver hands back a
// time.Time, SQLite's a string or a time.Time depending on the column type.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = NewDate(v.Year(), v.Month(), v.Day())
		return nil
	case string:
		return d.scanString(v)
	case []byte:
		return d.scanString(string(v))
	}
	return fmt.Errorf("cannot scan %T into a civicmon.Date", src)
}

func (d *Date) scanString(s string) error {
	if len(s) > len(dateLayout) {
		s = s[:len(dateLayout)] // tolerate "2022-06-21 00:00:00+00:00"
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}
