// Package gen generates synthetic civic space updates for benchmarks and
// load tests: `civicmon gen`.
//
// The data is clearly synthetic — every title starts with "[synthetic] ",
// slugs are "synthetic-<seed>-<n>", partners are "Synthetic Partner N",
// sources live on example.org — and reproducible: update n of a run of seed
// s over N updates is the same bytes on every run, batch size and machine,
// given the same countries. Randomness comes from math/rand/v2's PCG, seeded
// afresh for every update from the seed and n.
//
// Sizes and distributions follow the real monitor closely enough for search
// and paging benchmarks to mean something: countries, violations, targets,
// partners and words are drawn from skewed (Zipf-like) distributions;
// publication dates spread over 2016-01-01..2026-10-31 in the order of n,
// more of them recent; about 97% of updates are published; summaries are
// 300–600 bytes and bodies 1.5–3 KB of Markdown over a vocabulary of 3,600
// words (English, pseudo-words and about 1% Russian and Kazakh); updates
// carry 0–5 incidents (2.5 on average). The fixed Phrases appear on a fixed
// schedule, so a search test knows exactly how many updates contain each.
package gen

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
)

// Options control a run.
type Options struct {
	// Updates is how many updates to generate.
	Updates int
	// Seed selects the data set: the same seed gives the same updates.
	Seed uint64
	// BatchSize is how many updates go into one InsertUpdates call, and so
	// one transaction. Default DefaultBatchSize.
	BatchSize int
	// Progress, when set, is called after each batch is stored.
	Progress func(done, total int)
}

// DefaultBatchSize is the batch size when Options.BatchSize is zero.
const DefaultBatchSize = 5000

// Stats reports what a run stored and how long it took.
type Stats struct {
	Updates, Incidents int
	Elapsed            time.Duration
}

// Rate is the number of updates stored per second.
func (s Stats) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Updates) / s.Elapsed.Seconds()
}

func (s Stats) String() string {
	return fmt.Sprintf("%d updates with %d incidents in %s (%.0f updates/s)",
		s.Updates, s.Incidents, s.Elapsed.Round(time.Millisecond), s.Rate())
}

// Run stores opt.Updates synthetic updates in s, numbered 1 to opt.Updates,
// one transaction per batch. It first loads the reference countries when the
// store has none. Batches stored before an error stay stored.
//
// A store that already holds update 1 of the seed (or any other update of
// it) gives an ECONFLICT error that says to use another seed or a fresh
// database.
func Run(ctx context.Context, s civicmon.Store, opt Options) (Stats, error) {
	start := time.Now()
	var st Stats
	if opt.Updates < 0 {
		return st, civicmon.Errorf(civicmon.EINVALID, "the number of updates is %d; it must be 0 or more", opt.Updates)
	}
	batchSize := opt.BatchSize
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	countries, err := s.Countries(ctx)
	if err != nil {
		return st, err
	}
	if len(countries) == 0 {
		if _, err := demo.LoadCountries(ctx, s); err != nil {
			return st, fmt.Errorf("load the reference countries: %w", err)
		}
		if countries, err = s.Countries(ctx); err != nil {
			return st, err
		}
	}
	if opt.Updates == 0 {
		st.Elapsed = time.Since(start)
		return st, nil
	}
	// Fail before generating anything when the seed was used already.
	if _, err := s.UpdateBySlug(ctx, Slug(opt.Seed, 1)); err == nil {
		return st, seedUsed(opt.Seed, Slug(opt.Seed, 1), nil)
	} else if civicmon.ErrorCode(err) != civicmon.ENOTFOUND {
		return st, err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A generator goroutine fills batch N+1 while batch N is being stored.
	// Batches are recycled through free to spare the allocator.
	type batch struct {
		first int
		us    []civicmon.Update
	}
	ready := make(chan batch, 1)
	free := make(chan []civicmon.Update, 3)
	go func() {
		defer close(ready)
		g := NewGenerator(opt.Seed, opt.Updates, countries)
		for first := 1; first <= opt.Updates; first += batchSize {
			var us []civicmon.Update
			select {
			case us = <-free:
			default:
				us = make([]civicmon.Update, 0, batchSize)
			}
			us = us[:min(batchSize, opt.Updates-first+1)]
			for i := range us {
				g.Update(first+i, &us[i])
			}
			select {
			case ready <- batch{first, us}:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() {
		cancel()
		for range ready { // let the generator finish
		}
	}()
	store := func(committed func() error) error {
		for b := range ready {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := s.InsertUpdates(ctx, b.us); err != nil {
				if civicmon.ErrorCode(err) == civicmon.ECONFLICT {
					return seedUsed(opt.Seed, "", err)
				}
				return fmt.Errorf("store updates %d to %d: %w", b.first, b.first+len(b.us)-1, err)
			}
			if err := committed(); err != nil {
				return err
			}
			st.Updates += len(b.us)
			for i := range b.us {
				st.Incidents += len(b.us[i].Incidents)
			}
			if opt.Progress != nil {
				opt.Progress(st.Updates, opt.Updates)
			}
			select {
			case free <- b.us:
			default:
			}
		}
		return ctx.Err()
	}
	if bl, ok := s.(bulkLoader); ok {
		err = bl.BulkLoad(ctx, store)
	} else {
		err = store(func() error { return nil })
	}
	st.Elapsed = time.Since(start)
	return st, err
}

// bulkLoader is a store that can tune itself for many InsertUpdates calls
// (sqldb.Store: SQLite checkpoints in the background).
type bulkLoader interface {
	BulkLoad(ctx context.Context, fn func(committed func() error) error) error
}

func seedUsed(seed uint64, slug string, err error) error {
	what := "an update with slug " + strconv.Quote(slug) + " already exists"
	if err != nil {
		what = err.Error()
	}
	return civicmon.Errorf(civicmon.ECONFLICT,
		"the database already holds synthetic updates of seed %d (%s): use another --seed or a fresh database",
		seed, what)
}

// Slug is the slug of synthetic update n of seed.
func Slug(seed uint64, n int) string {
	b := make([]byte, 0, 48)
	b = append(b, "synthetic-"...)
	b = strconv.AppendUint(b, seed, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(n), 10)
	return string(b)
}

var uidEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// UID is the stable id of synthetic update n of seed: 20 lower-case base32
// characters, 8 that count n up and 12 of a SHA-256 hash of seed and n.
// Counting up puts a run's ids into the unique index in order, where random
// ones would touch a page of it per update (and, at a million updates, write
// twice as much to the disk).
func UID(seed uint64, n int) string {
	var in [64]byte
	b := append(in[:0], "civicmon-synthetic:"...)
	b = strconv.AppendUint(b, seed, 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(n), 10)
	h := sha256.Sum256(b)
	// 5 bytes of n, then the hash: 15 bytes make 24 characters, of which
	// the first 8 are n's 40 bits.
	var raw [15]byte
	copy(raw[5:], h[:])
	for i := range 5 {
		raw[i] = byte(uint64(n) >> (8 * (4 - i)))
	}
	var out [24]byte
	uidEncoding.Encode(out[:], raw[:])
	return string(out[:20])
}

// Phrase is a fixed phrase written into the body of update n exactly when
// n % Every == Offset. Its marker word appears nowhere else in the generated
// text, so a search for the phrase (or the marker word) matches exactly
// Count(n) of the first n updates of a seed.
type Phrase struct {
	Text          string
	Every, Offset int
}

// Phrases are the scheduled phrases.
var Phrases = []Phrase{
	{"peaceful assembly", 5, 1},     // 20%; marker "peaceful"
	{"journalists detained", 11, 2}, // 9.1%; marker "detained"
	{"internet shutdown", 17, 3},    // 5.9%; marker "shutdown"
	{"мирный митинг", 23, 4},        // 4.3%; marker "мирный"
}

// In reports whether update n carries the phrase.
func (p Phrase) In(n int) bool { return n%p.Every == p.Offset }

// Count is how many of updates 1..n carry the phrase.
func (p Phrase) Count(n int) int {
	if p.Offset == 0 {
		return n / p.Every
	}
	if n < p.Offset {
		return 0
	}
	return (n-p.Offset)/p.Every + 1
}

var (
	firstDay  = civicmon.NewDate(2016, 1, 1)
	lastDay   = civicmon.NewDate(2026, 10, 31)
	spanDays  = int(lastDay.Time().Sub(firstDay.Time()).Hours()/24) + 1
	dateTable = func() []civicmon.Date {
		t := make([]civicmon.Date, spanDays+400)
		for i := range t {
			t[i] = firstDay.AddDays(i - 400)
		}
		return t
	}()
)

// day returns firstDay + i, for -400 <= i < spanDays, without date arithmetic.
func day(i int) civicmon.Date { return dateTable[i+400] }

const partners = 40

var (
	partnerNames = func() []string {
		s := make([]string, partners)
		for i := range s {
			s[i] = "Synthetic Partner " + strconv.Itoa(i+1)
		}
		return s
	}()
	partnerPick   = newAlias(zipfWeights(partners, 1.0, 1))
	violationPick = newAlias(zipfWeights(len(civicmon.DefaultViolations), 0.9, 1.5))
	targetPick    = newAlias(zipfWeights(len(civicmon.DefaultTargets), 1.0, 1))
	// urlWords are the ASCII words, for source URLs.
	urlWords = func() []string {
		var out []string
		for _, w := range vocab.words[len(functionWords):] {
			if strings.Trim(w, "abcdefghijklmnopqrstuvwxyz-") == "" {
				out = append(out, w)
			}
			if len(out) == 500 {
				break
			}
		}
		return out
	}()
)

func zipfWeights(n int, s, q float64) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / math.Pow(float64(i)+q, s)
	}
	return w
}

// Generator makes synthetic updates. Update n depends only on the seed, n,
// the total and the set of countries, so any update can be made alone, in
// any order. A Generator is not safe for concurrent use; make one per
// goroutine.
type Generator struct {
	seed        uint64
	total       int
	countries   []civicmon.Country // in rank order: the first is the most reported on
	countryPick alias
	pcg         *rand.PCG
	r           *rand.Rand
	bits        uint64 // of which the high half is unused when spare
	spare       bool
	buf         []byte
}

// NewGenerator returns a generator for updates 1 to total of seed, over the
// given countries. Which countries get the most updates depends on the seed;
// the total spreads the updates over the date range.
func NewGenerator(seed uint64, total int, countries []civicmon.Country) *Generator {
	cs := slices.Clone(countries)
	slices.SortFunc(cs, func(a, b civicmon.Country) int { return strings.Compare(a.Code, b.Code) })
	pcg := rand.NewPCG(mix(seed^0x636f756e74726965), 0x72616e6b)
	r := rand.New(pcg)
	r.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
	return &Generator{
		seed:        seed,
		total:       max(total, 1),
		countries:   cs,
		countryPick: newAlias(zipfWeights(len(cs), 0.9, 2.5)),
		pcg:         pcg,
		r:           r,
		buf:         make([]byte, 0, 4096),
	}
}

// mix is SplitMix64's finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// Update fills u with synthetic update n (1 or more). It reuses u's slices.
func (g *Generator) Update(n int, u *civicmon.Update) {
	g.pcg.Seed(mix(g.seed), mix(uint64(n)^0x7570646174650000))
	g.spare = false
	r := g.r
	incidents, sources, violations := u.Incidents[:0], u.Sources[:0], u.Violations[:0]
	*u = civicmon.Update{}

	ci := g.countryPick.draw(g.pcg.Uint64())
	country := &g.countries[ci]
	u.UID = UID(g.seed, n)
	u.Slug = Slug(g.seed, n)
	u.CountryCode = country.Code
	u.Language = "en"

	d := g.day(n)
	date := day(d)

	switch x := r.IntN(1000); {
	case x < 970:
		u.Status = civicmon.StatusPublished
	case x < 982:
		u.Status = civicmon.StatusDraft
	case x < 990:
		u.Status = civicmon.StatusInReview
	default:
		u.Status = civicmon.StatusArchived
	}
	if u.Status == civicmon.StatusPublished || u.Status == civicmon.StatusArchived {
		u.PublishedOn = date
		u.DateApproximate = r.IntN(100) < 3
	}
	created := date.Time().Add(time.Duration(7*3600+r.IntN(12*3600)) * time.Second)
	u.CreatedAt = created
	u.UpdatedAt = created
	if r.IntN(100) < 20 {
		u.UpdatedAt = created.Add(time.Duration(r.IntN(30*24*3600)) * time.Second)
	}

	// Reporting period: a month or a quarter before the date, for 25%.
	if x := r.IntN(100); x < 25 {
		t := date.Time()
		months := 1
		if x < 10 {
			months = 3
		}
		end := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
		start := time.Date(end.Year(), end.Month()-time.Month(months-1), 1, 0, 0, 0, 0, time.UTC)
		u.PeriodStart = civicmon.DateOf(start)
		u.PeriodEnd = civicmon.DateOf(end)
	}

	// Freedoms: 1 (60%), 2 (30%) or 3 (10%), expression the most common.
	nf := 1
	if x := r.IntN(10); x >= 9 {
		nf = 3
	} else if x >= 6 {
		nf = 2
	}
	var fs []civicmon.Freedom
	for len(fs) < nf {
		var f civicmon.Freedom
		switch x := r.IntN(100); {
		case x < 45:
			f = civicmon.Expression
		case x < 75:
			f = civicmon.Association
		default:
			f = civicmon.Assembly
		}
		if !slices.Contains(fs, f) {
			fs = append(fs, f)
		}
	}
	u.Freedoms = civicmon.NewFreedomSet(fs...)

	// Violations: 1 (45%), 2 (30%), 3 (17%) or 4 (8%), skewed.
	nv := 1
	switch x := r.IntN(100); {
	case x >= 92:
		nv = 4
	case x >= 75:
		nv = 3
	case x >= 45:
		nv = 2
	}
	for len(violations) < nv {
		v := civicmon.DefaultViolations[violationPick.draw(g.pcg.Uint64())].Slug
		if !slices.Contains(violations, v) {
			violations = append(violations, v)
		}
	}
	u.Violations = violations

	if r.IntN(100) < 85 {
		u.Partner = partnerNames[partnerPick.draw(g.pcg.Uint64())]
	}

	u.Title = g.title(country)
	u.Summary = g.text(300+r.IntN(301), false, nil, "")
	var phrases []string
	for _, p := range Phrases {
		if p.In(n) {
			phrases = append(phrases, p.Text)
		}
	}
	u.Body = g.text(1500+r.IntN(1501), true, phrases, country.Name)

	// Sources: 0 (20%), 1 (35%), 2 (30%) or 3 (15%).
	ns := 0
	switch x := r.IntN(100); {
	case x >= 85:
		ns = 3
	case x >= 55:
		ns = 2
	case x >= 20:
		ns = 1
	}
	for k := range ns {
		sources = append(sources, g.source(n, k, d))
	}
	if len(sources) > 0 {
		u.Sources = sources
	}
	if r.IntN(100) < 10 {
		u.InternalNotes = "Synthetic internal note: " + g.sentence(6, 12)
	}

	// Incidents: 0–5, 2.5 on average.
	ni := 0
	switch x := r.IntN(100); {
	case x >= 90:
		ni = 5
	case x >= 74:
		ni = 4
	case x >= 50:
		ni = 3
	case x >= 26:
		ni = 2
	case x >= 10:
		ni = 1
	}
	for range ni {
		incidents = append(incidents, g.incident(ci, d, fs, u.Violations))
	}
	if len(incidents) > 0 {
		u.Incidents = incidents
	}
}

// day returns the day (after firstDay) of update n: the updates of a run
// follow each other in time, as a monitor's do, over the whole range, with
// a density half uniform and half growing towards the end (the cumulative
// share of updates by time t in [0,1] is (t+t²)/2), give or take a week.
// Following n keeps the date indexes growing at their ends rather than
// everywhere at once.
func (g *Generator) day(n int) int {
	u := min((float64(n-1)+g.r.Float64())/float64(g.total), 1)
	t := math.Sqrt(0.25+2*u) - 0.5
	d := int(t*float64(spanDays)) + g.r.IntN(15) - 7
	return min(max(d, 0), spanDays-1)
}

func (g *Generator) title(c *civicmon.Country) string {
	b := append(g.buf[:0], "[synthetic] "...)
	b = append(b, c.Name...)
	b = append(b, ": "...)
	b = g.appendWords(b, 5+g.r.IntN(7), true)
	g.buf = b
	return string(b)
}

// bits32 returns 32 random bits, half of one PCG output.
func (g *Generator) bits32() uint32 {
	if g.spare {
		g.spare = false
		return uint32(g.bits >> 32)
	}
	g.bits = g.pcg.Uint64()
	g.spare = true
	return uint32(g.bits)
}

var le = binary.LittleEndian

// appendWord appends a space and word w.
func appendWord(b []byte, w int) []byte {
	n := len(b)
	s := &vocab.slots[w]
	l := int(s[len(s)-1])
	b = b[:n+len(s)] // the caller grew b
	// Two 8-byte moves cover most words; a call to memmove would cost more.
	le.PutUint64(b[n:], le.Uint64(s[0:]))
	le.PutUint64(b[n+8:], le.Uint64(s[8:]))
	if l > 16 {
		copy(b[n+16:], s[16:l])
	}
	return b[:n+l]
}

// sentence returns one sentence of lo to hi words.
func (g *Generator) sentence(lo, hi int) string {
	g.buf = g.appendSentence(g.buf[:0], lo+g.r.IntN(hi-lo+1), "", 1<<30)
	return string(g.buf)
}

// appendSentence appends a sentence of nw words with the phrase (if any)
// in its middle, and a comma now and then. The sentence ends early, after
// four words at least, once b reaches limit bytes.
func (g *Generator) appendSentence(b []byte, nw int, phrase string, limit int) []byte {
	b = slices.Grow(b, (nw+2)*len(wordSlot{})+len(phrase)+4)
	at, comma := -1, -1
	if phrase != "" {
		at = 1 + g.r.IntN(nw-1)
	}
	if x := g.r.IntN(10 * nw); x < 4*nw && nw > 6 {
		comma = 2 + x%(nw-5)
	}
	b = append(b, vocab.capitals[vocab.draw32(g.bits32())]...)
	for i := 1; i < nw; i++ {
		if len(b) >= limit && i >= 4 && i > at {
			break
		}
		if i == comma {
			b = append(b, ',')
		}
		b = appendWord(b, vocab.draw32(g.bits32()))
		if i == at {
			b = append(b, ' ')
			b = append(b, phrase...)
		}
	}
	return append(b, '.')
}

// text returns sentences of Markdown until it is at least size bytes long:
// one paragraph for a summary, several with the odd heading or list for a
// body. The phrases go into the body's first sentences; country, when set,
// opens the body.
func (g *Generator) text(size int, markdown bool, phrases []string, country string) string {
	b := g.buf[:0]
	sentences, paragraph := 0, 3+g.r.IntN(3)
	for len(b) < size || len(phrases) > 0 {
		switch {
		case markdown && sentences == paragraph:
			paragraph += 3 + g.r.IntN(3)
			b = append(b, "\n\n"...)
			switch x := g.r.IntN(100); {
			case x < 12:
				b = append(b, "### "...)
				b = g.appendWords(b, 2+g.r.IntN(3), true)
				b = append(b, "\n\n"...)
			case x < 22:
				for range 2 + g.r.IntN(3) {
					b = append(b, "- "...)
					b = g.appendWords(b, 3+g.r.IntN(6), true)
					b = append(b, '\n')
				}
				b = append(b, '\n')
			}
		case sentences > 0:
			b = append(b, ' ')
		}
		if sentences == 0 && country != "" && g.r.IntN(2) == 0 {
			b = append(b, "In "...)
			b = append(b, country...)
			b = append(b, ',')
			b = g.appendWords(b, 6+g.r.IntN(10), false)
			b = append(b, '.')
		} else {
			phrase := ""
			if len(phrases) > 0 {
				phrase, phrases = phrases[0], phrases[1:]
			}
			b = g.appendSentence(b, 8+g.r.IntN(15), phrase, size)
		}
		sentences++
	}
	g.buf = b
	return string(b)
}

// appendWords appends nw words; the first with a capital letter and no
// space before it when capital is set.
func (g *Generator) appendWords(b []byte, nw int, capital bool) []byte {
	b = slices.Grow(b, (nw+1)*len(wordSlot{}))
	for i := range nw {
		w := vocab.draw32(g.bits32())
		if i == 0 && capital {
			b = append(b, vocab.capitals[w]...)
		} else {
			b = appendWord(b, w)
		}
	}
	return b
}

func (g *Generator) source(n, k, d int) civicmon.Source {
	r := g.r
	pub := day(d - r.IntN(30))
	b := append(g.buf[:0], "https://example.org/news/"...)
	b = strconv.AppendInt(b, int64(pub.Year()), 10)
	b = append(b, '/')
	for range 3 {
		b = append(b, urlWords[r.IntN(len(urlWords))]...)
		b = append(b, '-')
	}
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(k+1), 10)
	s := civicmon.Source{URL: string(b), PublishedOn: pub}
	g.buf = g.appendWords(b[:0], 4+r.IntN(6), true)
	s.Title = string(g.buf)
	s.Publisher = "Synthetic Publisher " + strconv.Itoa(1+partnerPick.draw(g.pcg.Uint64()))
	if r.IntN(100) < 10 {
		s.Contact = "synthetic-contact-" + strconv.Itoa(r.IntN(1000)) + "@example.org"
	}
	return s
}

func (g *Generator) incident(ci, d int, fs []civicmon.Freedom, violations []string) civicmon.Incident {
	r := g.r
	in := civicmon.Incident{
		Freedom:   fs[r.IntN(len(fs))],
		Violation: violations[r.IntN(len(violations))],
	}
	if r.IntN(100) < 90 {
		in.Target = civicmon.DefaultTargets[targetPick.draw(g.pcg.Uint64())].Slug
	}
	if r.IntN(100) < 75 {
		in.OccurredOn = day(d - r.IntN(120))
		in.DateApproximate = r.IntN(100) < 10
	}
	// People affected: unknown for 25%, else log-uniform on 1..500.
	if r.IntN(100) >= 25 {
		in.PeopleAffected = min(500, int(math.Exp(r.Float64()*math.Log(501))))
	}
	// Each country has a handful of places where most things happen.
	in.Place = places[(ci*7+r.IntN(6))%len(places)]
	in.Description = g.sentence(8, 20)
	if r.IntN(100) < 15 {
		in.VictimName = "Synthetic Person " + strconv.Itoa(1+r.IntN(100000))
	}
	return in
}
