package api_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/civicmon/civicmon"
	"github.com/civicmon/civicmon/webtest"
)

// incidents calls the incidents' operation for TestAPIConformsToOpenAPI.
func (c *conformance) incidents(t *testing.T) {
	t.Helper()
	c.publicRead(t, "/api/v1/incidents")
	first := c.get(t, "/api/v1/incidents?limit=2", 200)
	var page struct {
		Data       []map[string]any `json:"data"`
		NextCursor *string          `json:"next_cursor"`
	}
	decode(t, first, &page)
	if len(page.Data) != 2 || page.NextCursor == nil {
		t.Fatalf("first page of incidents: %d items, cursor %v", len(page.Data), page.NextCursor)
	}
	c.get(t, "/api/v1/incidents?limit=2&cursor="+*page.NextCursor, 200)
	c.get(t, "/api/v1/incidents?freedom=peaceful-assembly&country=KZ", 200)
	c.get(t, "/api/v1/incidents?target=martians&violation=x", 422)
	c.get(t, "/api/v1/incidents?limit=2&cursor=not-a-cursor", 400)
}

// TestAPIIncidentPaging: the pages of incidents, followed to the end, are
// the incidents of published updates, each once, in order.
func TestAPIIncidentPaging(t *testing.T) {
	env := webtest.New(t)
	ctx := context.Background()
	us, _, _ := env.Store.FindUpdates(ctx, civicmon.UpdateFilter{Statuses: []civicmon.Status{civicmon.StatusPublished}, Limit: 1000})
	var want []string
	for _, u := range us {
		full, _ := env.Store.UpdateByID(ctx, u.ID)
		for i := range full.Incidents {
			want = append(want, fmt.Sprintf("%s#%d", u.UID, i+1))
		}
	}
	if len(want) < 5 {
		t.Fatalf("the demo data has only %d incidents", len(want))
	}
	for _, limit := range []int{1, 2, 7, 100} {
		var got []string
		next := fmt.Sprintf("/api/v1/incidents?limit=%d", limit)
		for pages := 0; next != ""; pages++ {
			if pages > 1000 {
				t.Fatal("paging does not end")
			}
			var page struct {
				Data []struct {
					UpdateID string `json:"update_id"`
					Position int
				}
				NextCursor *string `json:"next_cursor"`
			}
			decode(t, do(t, env, call{method: "GET", path: next}), &page)
			if len(page.Data) > limit {
				t.Fatalf("limit %d: a page of %d", limit, len(page.Data))
			}
			for _, in := range page.Data {
				got = append(got, fmt.Sprintf("%s#%d", in.UpdateID, in.Position))
			}
			next = ""
			if page.NextCursor != nil {
				next = fmt.Sprintf("/api/v1/incidents?limit=%d&cursor=%s", limit, *page.NextCursor)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: incidents\n%v\nwant\n%v", limit, got, want)
		}
	}
}
