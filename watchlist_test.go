package civicmon_test

import (
	"testing"

	"github.com/civicmon/civicmon"
)

// TestPublicEditions: an edition dated after today is scheduled and left
// out; one dated today is public.
func TestPublicEditions(t *testing.T) {
	eds := []civicmon.WatchlistEdition{
		{PublishedOn: civicmon.MustDate("2026-12-11"), Title: "later"},
		{PublishedOn: civicmon.MustDate("2026-12-10"), Title: "today"},
		{PublishedOn: civicmon.MustDate("2022-03-01"), Title: "earlier"},
	}
	today := civicmon.MustDate("2026-12-10")
	got := civicmon.PublicEditions(eds, today)
	if len(got) != 2 || got[0].Title != "today" || got[1].Title != "earlier" {
		t.Fatalf("PublicEditions = %+v, want today's and the earlier one, newest first", got)
	}
	if !eds[0].Scheduled(today) || eds[1].Scheduled(today) || eds[2].Scheduled(today) {
		t.Error("Scheduled: only the edition dated after today is")
	}
	if got := civicmon.PublicEditions(eds, civicmon.MustDate("2026-12-11")); len(got) != 3 {
		t.Errorf("on the later edition's day: %d editions, want 3", len(got))
	}
}
