package postings

import (
	"reflect"
	"strconv"
	"testing"
)

func TestBuilderPairs(t *testing.T) {
	pairs := NewPairs([]string{"tear gas", "not-a-pair", "gas"})
	if pairs.Len() != 1 || !pairs.Has("tear", "gas") || pairs.Has("gas", "tear") {
		t.Fatalf("%d pairs: want only \"tear gas\", in that order", pairs.Len())
	}
	b := Builder{Pairs: pairs}
	b.Add(3, "tear gas", "", "tear gas was fired §stem tear")
	b.Add(9, "", "", "gas was")
	p := b.Postings()
	if got := p["tear gas"]; got == nil || !reflect.DeepEqual(got[Title].ToArray(), []uint32{3}) || !reflect.DeepEqual(got[Body].ToArray(), []uint32{3}) {
		t.Errorf("the popular pair's postings: %v", got)
	}
	if p["gas was"] != nil {
		t.Error("a pair that is not popular has postings of its own")
	}
	tok, exact := pairs.Token("gas", "was")
	if exact || tok[0] != ' ' {
		t.Fatalf("Token(gas, was) = %q, %v: want a bucket", tok, exact)
	}
	if got := p[tok]; got == nil || !reflect.DeepEqual(got[Body].ToArray(), []uint32{3, 9}) {
		t.Errorf("the bucket of \"gas was\": %v, want updates 3 and 9 in the body", got)
	}
	if tok, exact := pairs.Token("tear", "gas"); !exact || tok != "tear gas" {
		t.Errorf("Token(tear, gas) = %q, %v", tok, exact)
	}
	// A Builder without Pairs posts words only.
	var words Builder
	words.Add(1, "tear gas", "", "")
	for tok := range words.Postings() {
		if tok != "tear" && tok != "gas" {
			t.Errorf("a words-only builder posted %q", tok)
		}
	}
}

func TestPairCounter(t *testing.T) {
	c := NewPairCounter(2)
	c.Add("tear gas", "tear gas tear gas", "") // once per document
	c.Add("", "", "tear gas was fired")
	c.Add("", "", "gas was §stem fired")
	c.Add("", "", "was fired")
	c.Add("was fired", "", "")
	c.Add("fired was", "", "") // another pair
	got := c.Popular(10)
	// "was fired" in 3 documents ("gas was §stem fired" holds no pair of
	// them), "gas was" and "tear gas" in 2: most first, then in order.
	want := []string{"was fired", "gas was", "tear gas"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("popular pairs %q, want %q", got, want)
	}
	if got := c.Popular(1); !reflect.DeepEqual(got, []string{"was fired"}) {
		t.Errorf("the most popular pair: %q", got)
	}
}

// TestPairsLarge: a set of more words than the bit matrix takes answers
// as a small one does.
func TestPairsLarge(t *testing.T) {
	var list []string
	for i := range denseWords + 10 {
		list = append(list, Pair("w"+strconv.Itoa(i), "w"+strconv.Itoa(i+1)))
	}
	for _, p := range []*Pairs{NewPairs(list), NewPairs(list[:100])} {
		if (p.dense == nil) != (p.Len() > 100) {
			t.Errorf("%d pairs: bit matrix %v", p.Len(), p.dense != nil)
		}
		for i := range 99 {
			a, b := "w"+strconv.Itoa(i), "w"+strconv.Itoa(i+1)
			if !p.Has(a, b) || p.Has(b, a) || p.Has(a, a) {
				t.Errorf("%d pairs: Has(%s, %s) %v, Has(%s, %s) %v", p.Len(), a, b, p.Has(a, b), b, a, p.Has(b, a))
			}
		}
	}
}
