package read

import (
	"fmt"
	"time"
)

// Trace tells how a page was read.
type Trace struct {
	// Kind is the kind of document the page was read as.
	Kind Kind
	// Fields trace the configured fields; empty when the page could not
	// be decoded or parsed.
	Fields []FieldTrace
}

// Page reads the figures spec describes out of a page: its body as the
// server sent it, with the Content-Type it named (for the charset, and
// for the kind of document when kind is KindAuto). Dates that cannot be
// (a start after the deadline, a start in the future with money already
// raised) fail the read: now is when they are judged. It does no I/O.
func Page(body []byte, contentType string, kind Kind, spec Spec, now time.Time) (Values, Trace, error) {
	trace := Trace{Kind: kind}
	if trace.Kind == KindAuto {
		trace.Kind = kindForContentType(contentType)
	}
	utf8Body, err := toUTF8(body, contentType)
	if err != nil {
		return Values{}, trace, fmt.Errorf("read %s page: %w", trace.Kind, err)
	}
	doc, err := parsePageDoc(utf8Body, trace.Kind)
	if err != nil {
		return Values{}, trace, fmt.Errorf("read %s page: %w", trace.Kind, err)
	}
	vals, fields, err := extract(doc, spec)
	trace.Fields = fields
	if err == nil {
		err = spec.checkDates(vals, now) // dates that cannot be fail the read (docs/lifecycle.md)
	}
	return vals, trace, err
}
