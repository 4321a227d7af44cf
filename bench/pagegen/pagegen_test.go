package pagegen_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/bench/pagegen"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// TestPages reads every field of generated pages of several sizes, and
// checks their size and that the figures are near the end.
func TestPages(t *testing.T) {
	f := pagegen.Figures{Raised: 1234567, Target: 2000000, Donors: 4321}
	start, _ := time.Parse(time.RFC3339, pagegen.Start)
	deadline := time.Date(2026, 7, 9, 0, 0, 0, 0, time.UTC) // the end of July 8
	kinds := []struct {
		name      string
		kind      read.Kind
		generate  func(int, pagegen.Figures) []byte
		selectors map[string]string
		figures   string // where the figures start
	}{
		{"html", read.KindHTML, pagegen.HTML, pagegen.HTMLSelectors(), `<aside class="campaign-progress"`},
		{"json", read.KindJSON, pagegen.JSON, pagegen.JSONSelectors(), `"campaign":`},
	}
	for _, k := range kinds {
		for _, size := range []int{0, 10 << 10, 1 << 20} {
			t.Run(fmt.Sprintf("%s/%dB", k.name, size), func(t *testing.T) {
				body := k.generate(size, f)
				if len(body) < size || len(body) > size+4<<10 {
					t.Errorf("%d bytes, want %d to %d", len(body), size, size+4<<10)
				}
				if i := bytes.Index(body, []byte(k.figures)); i < len(body)-2<<10 {
					t.Errorf("figures at byte %d of %d, want them in the last 2 KiB", i, len(body))
				}
				fields := map[read.Field]read.FieldSpec{}
				for name, sel := range k.selectors {
					fields[read.Field(name)] = read.FieldSpec{Selectors: []read.Selector{read.MustParseSelector(sel)}}
				}
				c := source.Campaign{Kind: k.kind, Spec: read.Spec{AmountScale: 1, Location: time.UTC, Fields: fields}}
				v, _, err := read.Page(body, "", c.Kind, c.Spec, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				// Every field but remaining, which pages give instead of a target.
				if len(fields) != len(read.Fields())-1 || v.Raised == nil || *v.Raised != 1234567 ||
					v.Target == nil || *v.Target != 2000000 || v.Donors == nil || *v.Donors != 4321 ||
					v.Currency != pagegen.Currency || v.Start == nil || !v.Start.Equal(start) ||
					v.Deadline == nil || !v.Deadline.Equal(deadline) {
					t.Errorf("read %d fields: %+v", len(fields), v)
				}
			})
		}
	}
}
