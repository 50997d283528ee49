// Package browser holds the browser tests of the public website, run
// against the demo data in a real Chromium:
//
//   - every page loads with its status and shows its content, with
//     JavaScript on and off, and asks no host but this server for anything;
//   - at 320 CSS px no page scrolls sideways;
//   - a click on a country of the world map opens its page, also from the
//     map embedded in another site's frame;
//   - the keyboard reaches the skip link first and the updates' links;
//   - axe-core finds no WCAG 2.0/2.1 A or AA violation.
//
// The tests drive Debian's chromium (or the binary named by
// CIVICMON_CHROMIUM) with chromedp. Without a chromium binary they skip,
// saying so. axe-core comes from npm, pinned in testdata/package.json and
// package-lock.json; install it with
//
//	npm ci --prefix web/browser/testdata
//
// and without it the accessibility checks skip, saying so.
//
// The package has no code of its own: everything is in its tests.
package browser
