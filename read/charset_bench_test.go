package read

import (
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/donation-exporter/donation_exporter/bench/pagegen"
)

// BenchmarkToUTF8 is the cost of the charset step of every read, on a
// generated 1 MiB page (compare BenchmarkHTMLPage/floor=html.Parse): a page
// that declares UTF-8 is passed through, one that declares nothing is
// checked to be valid UTF-8, and a Windows-1252 page is decoded.
func BenchmarkToUTF8(b *testing.B) {
	page := pagegen.HTML(1<<20, pagegen.Figures{Raised: 123456, Target: 250000, Donors: 1234})
	cp1252, err := charmap.Windows1252.NewEncoder().Bytes(page)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name, contentType string
		body              []byte
	}{
		{"utf-8 declared", "text/html; charset=utf-8", page},
		{"utf-8 undeclared", "text/html", page},
		{"windows-1252 declared", "text/html; charset=windows-1252", cp1252},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := toUTF8(bc.body, bc.contentType); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
