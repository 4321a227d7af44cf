package read

import "time"

// extractValues is extract without the trace.
func extractValues(doc *pageDoc, spec Spec) (Values, error) {
	vals, _, err := extract(doc, spec)
	return vals, err
}

// pageSpec says how to read a whole page, as a campaign does.
type pageSpec struct {
	Name string
	Kind Kind
	Spec Spec
}

// testPage is a page as a server sent it.
type testPage struct {
	Body        []byte
	ContentType string
}

// Read reads p as a campaign with this spec would, now.
func (c pageSpec) Read(p testPage) (Values, error) {
	vals, _, err := Page(p.Body, p.ContentType, c.Kind, c.Spec, time.Now())
	return vals, err
}
