package storetest

// Relevance on a judged set: queries over the demo data and fixtures of
// our own in English, French, Spanish, Russian and Kazakh, each with the
// updates that should come first (grade 2) or be found (grade 1), in
// testdata/judged.json. The test prints nDCG@10 and recall per query and
// on average, on every engine, and fails when the averages fall below the
// floors, set from the first good run: a change that hurts relevance
// fails here.

import (
	_ "embed"
	"encoding/json"
	"math"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/demo"
	"github.com/civicmon/civicmon/sqldb"
)

//go:embed testdata/judged.json
var judgedJSON []byte

// The floors of the judged set's averages (first good run, the same on
// both engines: nDCG@10 0.968, recall 0.990).
const (
	judgedNDCGFloor   = 0.96
	judgedRecallFloor = 0.98
)

type judgedSet struct {
	Fixtures []struct {
		Slug, Lang, Date, Title, Summary, Body string
	}
	Queries []struct {
		Q        string
		Relevant map[string]int
	}
}

func testSearchJudged(t *testing.T, db *sqldb.DB) {
	var js judgedSet
	if err := json.Unmarshal(judgedJSON, &js); err != nil {
		t.Fatal(err)
	}
	s := db.Store()
	if _, err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	for _, f := range js.Fixtures {
		u := civicmon.Update{Slug: f.Slug, CountryCode: "KZ", Status: civicmon.StatusPublished, Language: f.Lang,
			PublishedOn: civicmon.MustDate(f.Date), Title: f.Title, Summary: f.Summary, Body: f.Body,
			Freedoms: civicmon.NewFreedomSet(civicmon.Expression)}
		if err := s.CreateUpdate(ctx, &u); err != nil {
			t.Fatalf("CreateUpdate(%s): %v", f.Slug, err)
		}
	}
	var sumNDCG, sumRecall float64
	for _, jq := range js.Queries {
		res := searchFor(t, s, civicmon.SearchQuery{Text: jq.Q, Limit: 100})
		got := hitSlugs(res)
		ndcg, recall := judge(got, jq.Relevant)
		t.Logf("%-24q nDCG@10 %.3f  recall %.3f  %d found", jq.Q, ndcg, recall, len(got))
		sumNDCG += ndcg
		sumRecall += recall
	}
	n := float64(len(js.Queries))
	t.Logf("judged set, %d queries: nDCG@10 %.3f, recall %.3f (floors %.2f, %.2f)", len(js.Queries), sumNDCG/n, sumRecall/n,
		judgedNDCGFloor, judgedRecallFloor)
	if sumNDCG/n < judgedNDCGFloor || sumRecall/n < judgedRecallFloor {
		t.Errorf("relevance fell: nDCG@10 %.3f (floor %.2f), recall %.3f (floor %.2f)", sumNDCG/n, judgedNDCGFloor,
			sumRecall/n, judgedRecallFloor)
	}
}

// judge scores a ranked list against graded judgements: nDCG@10 with gain
// 2^grade-1, and the share of the judged updates found at all.
func judge(ranked []string, relevant map[string]int) (ndcg, recall float64) {
	dcg := 0.0
	found := 0
	for i, slug := range ranked {
		g, ok := relevant[slug]
		if !ok {
			continue
		}
		found++
		if i < 10 {
			dcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
		}
	}
	var grades []int
	for _, g := range relevant {
		grades = append(grades, g)
	}
	// Ideal: the highest grades first.
	for i := range grades {
		for j := i + 1; j < len(grades); j++ {
			if grades[j] > grades[i] {
				grades[i], grades[j] = grades[j], grades[i]
			}
		}
	}
	idcg := 0.0
	for i, g := range grades[:min(10, len(grades))] {
		idcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
	}
	if idcg > 0 {
		ndcg = dcg / idcg
	}
	if len(relevant) > 0 {
		recall = float64(found) / float64(len(relevant))
	}
	return ndcg, recall
}
