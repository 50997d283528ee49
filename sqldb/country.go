package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/civicmon/civicmon"
)

const countryColumns = `code, code3, name, slug, region`

func scanCountry(sc interface{ Scan(...any) error }, c *civicmon.Country) error {
	return sc.Scan(&c.Code, &c.Code3, &c.Name, &c.Slug, &c.Region)
}

func (s *Store) Countries(ctx context.Context) ([]civicmon.Country, error) {
	rows, err := s.reader().QueryContext(ctx, `SELECT `+countryColumns+` FROM countries ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civicmon.Country
	for rows.Next() {
		var c civicmon.Country
		if err := scanCountry(rows, &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Store) CountryByCode(ctx context.Context, code string) (*civicmon.Country, error) {
	return s.country(ctx, `code = ?`, code, "no country with code %q")
}

func (s *Store) CountryBySlug(ctx context.Context, slug string) (*civicmon.Country, error) {
	return s.country(ctx, `slug = ?`, slug, "no country with slug %q")
}

func (s *Store) country(ctx context.Context, where, arg, missing string) (*civicmon.Country, error) {
	var c civicmon.Country
	err := scanCountry(s.reader().QueryRowContext(ctx, s.q(`SELECT `+countryColumns+` FROM countries WHERE `+where), arg), &c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(missing, arg)
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func (s *Store) PutCountry(ctx context.Context, c *civicmon.Country) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.tx.ExecContext(ctx, tx.q(`INSERT INTO countries (code, code3, name, slug, region) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET code3 = excluded.code3, name = excluded.name, slug = excluded.slug, region = excluded.region`),
			c.Code, c.Code3, c.Name, c.Slug, c.Region)
		if err != nil {
			return tx.conflict(err, "another country already has code3 %q or slug %q", c.Code3, c.Slug)
		}
		return tx.audit(ctx, "country.put", "country", c.Code, c.Name)
	})
}

// knownCountry checks that code names a stored country, for errors that
// name the field instead of a foreign key failure.
func (s *Store) knownCountry(ctx context.Context, code, field string) error {
	var n int
	if err := s.reader().QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM countries WHERE code = ?`), code).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return unknownCountry(field, code)
	}
	return nil
}

func unknownCountry(field, code string) error {
	return &civicmon.ValidationError{Fields: []civicmon.FieldError{{
		Field: field, Message: "\"" + code + "\" is not a known country code (load the countries with `civicmon demo`, or check the code)",
	}}}
}
