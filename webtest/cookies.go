package webtest

import (
	"net/http"
	"net/url"
)

// Cookies returns the cookies the client would send with a request for
// path: a signed-in client's session and anti-forgery cookies are under
// /admin.
func (c *Client) Cookies(path string) []*http.Cookie {
	u, err := url.Parse(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.c.Jar.Cookies(u)
}
