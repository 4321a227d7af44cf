// Package read turns a donation page into a campaign's figures: raised,
// target, currency, start, deadline, donors. It is pure: a page's bytes and
// a Spec in, Values and a Trace of how each field was found out, with no
// I/O and nothing of the rest of the exporter.
//
// Entry points, each in the file of its name:
//   - Page (page.go) reads the figures a Spec describes out of one page;
//   - ParseSelector (selector.go) compiles the CSS, JSONPath and gjson
//     selectors a Spec and the presets are written in (docs/selectors.md);
//   - Fields and Field.Holds (fields.go) are the one table of the fields
//     and what each holds, which Values.Number and Values.Instant read;
//   - ParseDate and DateFromNumber (date.go) read one date the way Page
//     does, and CheckLiteral (extract.go) and CheckConfiguredDates
//     (date.go) check configured values before any page is read.
//
// The rest holds what those share: the fields and the Spec (fields.go), the
// extraction of each field and its checks (extract.go, convert.go,
// crosscheck.go, date.go), amounts (money.go, currency.go,
// digitgroups.go), the parsed document (document.go), the JSON a page
// carries for its own scripts (embedded.go, embedded_page.go, and merge.go
// and jslex.go for script data merged as the page's scripts would), and
// zero-config, which reads a page no preset or selector describes
// (zeroconfig.go and the zero_*.go files).
package read
