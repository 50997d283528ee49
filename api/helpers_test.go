package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/civicmon/civicmon/webtest"
)

// The API's tests run on webtest's environment: the demo data, an account
// and an API token per role (env.Tokens, their accounts env.Service), a
// draft by the researcher and by the editor (env.Drafts) and a revoked
// token (env.Revoked). A call is sent as it is, token and all, so that the
// tests can send malformed, unknown and revoked tokens too.

// canary marks every secret the public reads must not show.
const canary = "zqcanary"

// call is one request: method, path, token, body, and extra headers.
type call struct {
	method, path, token string
	body                any // a string is sent as it is; anything else as JSON
	header              map[string]string
}

// request builds the call's request to the server at base.
func (c call) request(t testing.TB, base string) *http.Request {
	t.Helper()
	var body io.Reader
	if c.body != nil {
		b, ok := c.body.(string)
		if !ok {
			j, err := json.Marshal(c.body)
			if err != nil {
				t.Fatal(err)
			}
			b = string(j)
		}
		body = strings.NewReader(b)
	}
	req, err := http.NewRequest(c.method, base+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	return req
}

// do sends the call to the environment's server, with a new client.
func do(t testing.TB, env *webtest.Env, c call) *webtest.Response {
	t.Helper()
	return env.Client(t).Send(c.request(t, env.URL))
}

// decode reads a JSON answer into v.
func decode(t testing.TB, r *webtest.Response, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("%v in %s", err, r.Body)
	}
}

// problem reads a problem details answer, failing on any other.
func problem(t testing.TB, r *webtest.Response) map[string]any {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("%d with Content-Type %q, want a problem: %s", r.Status, ct, r.Body)
	}
	var p map[string]any
	decode(t, r, &p)
	return p
}

// ifMatch is the If-Match header for the update as it is stored now.
func ifMatch(t testing.TB, env *webtest.Env, uid string) map[string]string {
	t.Helper()
	u, err := env.Store.UpdateByUID(context.Background(), uid)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"If-Match": fmt.Sprintf(`"v%d"`, u.Version)}
}
