package dataio

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"unicode/utf8"

	"github.com/civicmon/civicmon"
)

// decodeUpdate decodes one NDJSON update record into r without reflection,
// in one pass: the import's hot path (encoding/json's strict decoding took
// about a third of an import's CPU time). It handles records as civicmon
// writes them — the exported fields, each once, with their JSON types — and
// reports false for anything else: an unknown, repeated or differently
// spelled key, a null other than for a list, a number that is not a plain integer, a string with
// invalid UTF-8 or an escaped surrogate, bytes after the record, or invalid
// JSON. The caller then decodes the record with strictJSON, which accepts
// or refuses it and words the error. So whenever decodeUpdate reports true,
// r is what strictJSON would have made of the record (FuzzDecodeUpdate
// checks this).
func decodeUpdate(b []byte, r *UpdateRecord) bool {
	d := decoder{b: b}
	*r = UpdateRecord{}
	p := &r.PublicUpdate
	var seen uint32
	ok := d.object(func(key []byte) bool {
		bit, ok := updateKeys[string(key)]
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		switch string(key) {
		case "type":
			r.Type, ok = d.str()
		case "id":
			p.UID, ok = d.str()
		case "slug":
			p.Slug, ok = d.str()
		case "country":
			p.CountryCode, ok = d.str()
		case "title":
			p.Title, ok = d.str()
		case "summary":
			p.Summary, ok = d.str()
		case "body":
			p.Body, ok = d.str()
		case "published_on":
			p.PublishedOn, ok = d.date()
		case "date_approximate":
			p.DateApproximate, ok = d.boolean()
		case "period_start":
			p.PeriodStart, ok = d.date()
		case "period_end":
			p.PeriodEnd, ok = d.date()
		case "freedoms":
			if d.null() {
				break
			}
			p.Freedoms = []civicmon.Freedom{}
			ok = d.array(func() bool {
				s, ok := d.str()
				p.Freedoms = append(p.Freedoms, civicmon.Freedom(s))
				return ok
			})
		case "violations":
			if d.null() {
				break
			}
			p.Violations = []string{}
			ok = d.array(func() bool {
				s, ok := d.str()
				p.Violations = append(p.Violations, s)
				return ok
			})
		case "partner":
			p.Partner, ok = d.str()
		case "sources":
			if d.null() {
				break
			}
			p.Sources = []civicmon.PublicSource{}
			ok = d.array(func() bool {
				var s civicmon.PublicSource
				ok := d.source(&s)
				p.Sources = append(p.Sources, s)
				return ok
			})
		case "language":
			p.Language, ok = d.str()
		case "translations":
			if d.null() {
				break
			}
			p.Translations = []civicmon.Translation{}
			ok = d.array(func() bool {
				var t civicmon.Translation
				ok := d.translation(&t)
				p.Translations = append(p.Translations, t)
				return ok
			})
		case "incidents":
			if d.null() {
				break
			}
			p.Incidents = []civicmon.PublicIncident{}
			ok = d.array(func() bool {
				var in civicmon.PublicIncident
				ok := d.incident(&in)
				p.Incidents = append(p.Incidents, in)
				return ok
			})
		}
		return ok
	})
	if !ok {
		return false
	}
	d.space()
	return d.i == len(d.b)
}

var updateKeys = map[string]uint32{
	"type": 1 << 0, "id": 1 << 1, "slug": 1 << 2, "country": 1 << 3, "title": 1 << 4, "summary": 1 << 5,
	"body": 1 << 6, "published_on": 1 << 7, "date_approximate": 1 << 8, "period_start": 1 << 9,
	"period_end": 1 << 10, "freedoms": 1 << 11, "violations": 1 << 12, "partner": 1 << 13,
	"sources": 1 << 14, "language": 1 << 15, "translations": 1 << 16, "incidents": 1 << 17,
}

func (d *decoder) source(s *civicmon.PublicSource) bool {
	var seen uint8
	return d.object(func(key []byte) (ok bool) {
		var bit uint8
		switch string(key) {
		case "url":
			bit = 1
			s.URL, ok = d.str()
		case "title":
			bit = 2
			s.Title, ok = d.str()
		case "publisher":
			bit = 4
			s.Publisher, ok = d.str()
		case "published_on":
			bit = 8
			s.PublishedOn, ok = d.date()
		default:
			return false
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return ok
	})
}

func (d *decoder) translation(t *civicmon.Translation) bool {
	var seen uint8
	return d.object(func(key []byte) (ok bool) {
		var bit uint8
		switch string(key) {
		case "language":
			bit = 1
			t.Language, ok = d.str()
		case "title":
			bit = 2
			t.Title, ok = d.str()
		case "summary":
			bit = 4
			t.Summary, ok = d.str()
		case "body":
			bit = 8
			t.Body, ok = d.str()
		default:
			return false
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return ok
	})
}

func (d *decoder) incident(in *civicmon.PublicIncident) bool {
	var seen uint8
	return d.object(func(key []byte) (ok bool) {
		var bit uint8
		switch string(key) {
		case "occurred_on":
			bit = 1
			in.OccurredOn, ok = d.date()
		case "date_approximate":
			bit = 2
			in.DateApproximate, ok = d.boolean()
		case "freedom":
			bit = 4
			var s string
			s, ok = d.str()
			in.Freedom = civicmon.Freedom(s)
		case "violation":
			bit = 8
			in.Violation, ok = d.str()
		case "target":
			bit = 16
			in.Target, ok = d.str()
		case "people_affected":
			bit = 32
			in.PeopleAffected, ok = d.integer()
		case "place":
			bit = 64
			in.Place, ok = d.str()
		case "description":
			bit = 128
			in.Description, ok = d.str()
		default:
			return false
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return ok
	})
}

// decoder reads JSON values from b at i. Its methods skip the white space
// before the value and report false for anything decodeUpdate leaves to
// encoding/json.
type decoder struct {
	b []byte
	i int
}

func (d *decoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips white space and consumes c if it comes next.
func (d *decoder) next(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// object reads an object, calling member with each key (valid until the
// next read) to read its value.
func (d *decoder) object(member func(key []byte) bool) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	for {
		key, ok := d.key()
		if !ok || !d.next(':') || !member(key) {
			return false
		}
		if d.next(',') {
			continue
		}
		return d.next('}')
	}
}

// array reads an array, calling elem to read each element.
func (d *decoder) array(elem func() bool) bool {
	if !d.next('[') {
		return false
	}
	if d.next(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if d.next(',') {
			continue
		}
		return d.next(']')
	}
}

// key reads a key of plain ASCII without escapes (an escaped key is left
// to encoding/json).
func (d *decoder) key() ([]byte, bool) {
	if !d.next('"') {
		return nil, false
	}
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return d.b[start : d.i-1], true
		case c < ' ' || c == '\\' || c >= utf8.RuneSelf:
			return nil, false
		}
		d.i++
	}
	return nil, false
}

// str reads a string.
func (d *decoder) str() (string, bool) {
	if !d.next('"') {
		return "", false
	}
	// Find the closing quote: the first one not escaped.
	start, at, escaped := d.i, d.i, false
	end := -1
	for {
		q := bytes.IndexByte(d.b[at:], '"')
		if q < 0 {
			return "", false
		}
		bs := bytes.IndexByte(d.b[at:at+q], '\\')
		if bs < 0 {
			end = at + q
			break
		}
		escaped = true
		at += bs + 2 // the escaped character cannot end the string
		if at > len(d.b) {
			return "", false
		}
	}
	raw := d.b[start:end]
	d.i = end + 1
	// No control characters, and valid UTF-8: encoding/json replaces
	// invalid bytes with U+FFFD, which is left to it. Escapes are ASCII,
	// so checking the raw bytes checks the rest.
	ascii, ok := plain(raw)
	if !ok || (!ascii && !utf8.Valid(raw)) {
		return "", false
	}
	if !escaped {
		return string(raw), true
	}
	return unescape(raw)
}

// plain reports whether b holds only ASCII, and false for ok when it holds
// a control character (which a JSON string may not).
func plain(b []byte) (ascii, ok bool) {
	const (
		lo = 0x0101010101010101
		hi = 0x8080808080808080
	)
	ascii = true
	for len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b)
		if x&hi != 0 {
			ascii = false
		}
		// A byte under 0x20 in an ASCII word: (x - 0x20…) borrows into
		// its top bit.
		if (x-0x20*lo)&^x&hi != 0 {
			for _, c := range b[:8] {
				if c < ' ' {
					return ascii, false
				}
			}
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < ' ' {
			return ascii, false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	return ascii, true
}

// unescape decodes the escapes of a string's raw bytes. An escaped
// surrogate (half of a UTF-16 pair) is left to encoding/json.
func unescape(raw []byte) (string, bool) {
	out := make([]byte, 0, len(raw))
	for {
		i := bytes.IndexByte(raw, '\\')
		if i < 0 {
			out = append(out, raw...)
			return string(out), true
		}
		out = append(out, raw[:i]...)
		if i+1 == len(raw) {
			return "", false
		}
		n := 2
		switch raw[i+1] {
		case '"', '\\', '/':
			out = append(out, raw[i+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if i+6 > len(raw) {
				return "", false
			}
			var r rune
			for _, h := range raw[i+2 : i+6] {
				switch {
				case '0' <= h && h <= '9':
					r = r<<4 | rune(h-'0')
				case 'a' <= h && h <= 'f':
					r = r<<4 | rune(h-'a'+10)
				case 'A' <= h && h <= 'F':
					r = r<<4 | rune(h-'A'+10)
				default:
					return "", false
				}
			}
			if 0xD800 <= r && r < 0xE000 {
				return "", false
			}
			out = utf8.AppendRune(out, r)
			n = 6
		default:
			return "", false
		}
		raw = raw[i+n:]
	}
}

// null consumes a null if one comes next: a list that is null is nil,
// as encoding/json makes it.
func (d *decoder) null() bool {
	d.space()
	if len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return d.delimited()
	}
	return false
}

// boolean reads true or false.
func (d *decoder) boolean() (bool, bool) {
	d.space()
	rest := d.b[d.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		d.i += 4
		return true, d.delimited()
	case len(rest) >= 5 && string(rest[:5]) == "false":
		d.i += 5
		return false, d.delimited()
	}
	return false, false
}

// integer reads a whole number of at most 18 digits, without fraction or
// exponent.
func (d *decoder) integer() (int, bool) {
	d.space()
	start := d.i
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	digits := d.i
	for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
		d.i++
	}
	n := d.i - digits
	if n == 0 || n > 18 || (n > 1 && d.b[digits] == '0') || !d.delimited() {
		return 0, false
	}
	v, err := strconv.Atoi(string(d.b[start:d.i]))
	return v, err == nil
}

// delimited reports whether a literal just read ends where a value may
// end ("truex" and "12.5" are not values for the fast path).
func (d *decoder) delimited() bool {
	if d.i == len(d.b) {
		return true
	}
	switch d.b[d.i] {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// date reads a date string, as civicmon.Date's UnmarshalText would; a
// string that is not a date is left to encoding/json, which words the
// error.
func (d *decoder) date() (civicmon.Date, bool) {
	s, ok := d.str()
	if !ok {
		return civicmon.Date{}, false
	}
	v, err := civicmon.ParseDate(s)
	return v, err == nil
}
