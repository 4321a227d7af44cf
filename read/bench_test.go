package read

import (
	"bytes"
	encjson "encoding/json"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"

	"github.com/donation-exporter/donation_exporter/bench/pagegen"
	"github.com/donation-exporter/donation_exporter/fetch"
)

// The benchmarks below are the CPU and allocation figures in
// docs/benchmarks.md: run them with
//
//	go test ./source -run '^$' -bench . -benchmem
//
// Each "floor" sub-benchmark is what reading the document cannot go below
// (the HTML parser goquery builds on, or encoding/json); "Read" is the
// exporter's whole read step on the same bytes: charset check, parse and
// every field extracted.

func BenchmarkParseMoney(b *testing.B) {
	for _, text := range []string{"$1,234,567.89", "1.234.567,89 €", "$65.0K raised", "₹12.5 lakh", "$254,245 raised of $100,000 goal"} {
		b.Run(text, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parseMoney(text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseDate(b *testing.B) {
	for _, text := range []string{"2026-07-08", "2026-03-01T09:00:00Z", "July 8th, 2026", "8 Jul 2026", "1504220400"} {
		b.Run(text, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseDate(text, time.UTC, EndOfDay); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchSpec is what a campaign reads a page with.
type benchSpec struct {
	Kind Kind
	Spec Spec
}

// benchRead times reading resp as c does, which must succeed.
func benchRead(b *testing.B, c benchSpec, resp fetch.Page) {
	b.Helper()
	if _, _, err := Page(resp.Body, resp.ContentType, c.Kind, c.Spec, time.Now()); err != nil {
		b.Fatalf("read: %v", err)
	}
	b.SetBytes(int64(len(resp.Body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Page(resp.Body, resp.ContentType, c.Kind, c.Spec, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// generated is a campaign reading every field of a generated page.
func generated(selectors map[string]string) benchSpec {
	fields := map[Field]FieldSpec{}
	for name, sel := range selectors {
		fields[Field(name)] = FieldSpec{Selectors: []Selector{MustParseSelector(sel)}}
	}
	return benchSpec{Spec: Spec{AmountScale: 1, Location: time.UTC, Fields: fields}}
}

var figures = pagegen.Figures{Raised: 123456, Target: 250000, Donors: 1234}

// BenchmarkHTMLPage reads every field of a generated 1 MiB page whose
// figures are near its end. Target: Read ≤ 1.5 × floor=html.Parse.
func BenchmarkHTMLPage(b *testing.B) {
	body := pagegen.HTML(1<<20, figures)
	c := generated(pagegen.HTMLSelectors())
	c.Kind = KindHTML
	b.Run("floor=html.Parse", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := xhtml.Parse(bytes.NewReader(body)); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, ct := range []struct{ name, contentType string }{
		{"Read", "text/html; charset=utf-8"},
		// No charset: the whole body is checked to be valid UTF-8.
		{"Read/undeclared-charset", "text/html"},
	} {
		b.Run(ct.name, func(b *testing.B) {
			benchRead(b, c, fetch.Page{Body: body, ContentType: ct.contentType})
		})
	}
}

// BenchmarkJSON reads every field of generated JSON documents whose
// figures are in the last member. Target: Read ≤ 1.5 × floor=json.Unmarshal.
func BenchmarkJSON(b *testing.B) {
	c := generated(pagegen.JSONSelectors())
	c.Kind = KindJSON
	for _, size := range []struct {
		name  string
		bytes int
	}{{"10KiB", 10 << 10}, {"1MiB", 1 << 20}} {
		body := pagegen.JSON(size.bytes, figures)
		b.Run(size.name+"/floor=json.Unmarshal", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var v any
				if err := encjson.Unmarshal(body, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(size.name+"/Read", func(b *testing.B) {
			benchRead(b, c, fetch.Page{Body: body, ContentType: "application/json"})
		})
	}
}
