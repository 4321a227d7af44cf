package read

import (
	"errors"
	"strings"
	"testing"
)

// A page of 5 MiB of "[" once took ~1 GB and, at 6 MB, a stack
// overflow that no recover() catches, taking every campaign down. Depth is
// now checked in one linear pass before anything recursive sees the JSON.
func TestDeeplyNestedJSON(t *testing.T) {
	deep := strings.Repeat("[", 6<<20)
	tests := []struct {
		name     string
		body     string
		kind     Kind
		selector string
		wantErr  string
	}{
		{name: "JSON document", body: deep, kind: KindJSON, selector: "a", wantErr: "nests deeper than 512 levels"},
		{name: "JSON document, closed", body: strings.Repeat("[", 1000) + strings.Repeat("]", 1000), kind: KindJSON, selector: "a", wantErr: "nests deeper than 512 levels"},
		{name: "script, read by a JSON path", body: "<script>window.x = " + deep + "</script>", kind: KindHTML, selector: `script | a.b`, wantErr: "holds no JSON"},
		{name: "script, page JSONPath", body: "<script>window.x = " + deep + "</script>", kind: KindHTML, selector: `$..a`, wantErr: "matched nothing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := parsePageDoc([]byte(tc.body), tc.kind)
			if err != nil {
				if !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, errTooDeep) {
					t.Fatalf("ParseDocument: %v, want %q", err, tc.wantErr)
				}
				return
			}
			_, err = doc.selectValue(MustParseSelector(tc.selector))
			if err == nil || (!strings.Contains(err.Error(), tc.wantErr) && !errors.Is(err, errScanBudget)) {
				t.Fatalf("select: %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

// BenchmarkHostileJSON measures what a hostile page costs to read: the
// allocations per page (B/op) stay a small multiple of its size. Figures
// in docs/reading.md.
//
//	go test ./source -run '^$' -bench HostileJSON -benchmem
func BenchmarkHostileJSON(b *testing.B) {
	size := 5 << 20
	pages := []struct {
		name, body string
		kind       Kind
		selector   string
	}{
		{"json-open-brackets", strings.Repeat("[", size), KindJSON, "a"},
		{"html-script-open-brackets", "<script>x = " + strings.Repeat("[", size) + "</script>", KindHTML, "$..a"},
		{"html-script-unclosed-objects", "<script>x = " + strings.Repeat(`{"a":`, size/5) + "</script>", KindHTML, "$..a"},
		{"html-script-nested-512", "<script>x = " + strings.Repeat(strings.Repeat("[", 500)+strings.Repeat("]", 500), size/1000) + "</script>", KindHTML, "$..a"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			sel := MustParseSelector(p.selector)
			b.SetBytes(int64(len(p.body)))
			b.ReportAllocs()
			for b.Loop() {
				doc, err := parsePageDoc([]byte(p.body), p.kind)
				if err == nil {
					_, _ = doc.selectValue(sel)
				}
			}
		})
	}
}
