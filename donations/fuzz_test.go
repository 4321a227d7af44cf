package donations

import (
	"os"
	"testing"
	"time"
)

// FuzzParsePage: a page of any bytes is donations or an ErrPage error,
// never a panic; every donation read has a time in the accepted years and
// an amount that is hidden or a finite, non-negative number; and the
// windows of what was read never sum more than it holds.
func FuzzParsePage(f *testing.F) {
	real, err := os.ReadFile("testdata/donordrive-participant-297674-donations-2018.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real)
	for _, seed := range []string{
		`[]`, `{}`, `[{"createdDateUTC":"2024-11-02T10:00:00.000+0000"}]`,
		`[{"amount":"12.50","createdDateUTC":1730541600000}]`, `[{"amount":null,"createdDateUTC":"2024-11-02T10:00:00Z"}]`,
		`[{"amount":1e308,"createdDateUTC":"9999-12-31T23:59:59Z"}]`, `[[[[`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := ParsePage(body, donorDrive)
		if err != nil {
			return
		}
		total := 0.0
		for _, d := range page {
			if y := d.Time.Year(); y < 1970 || y > 9999 {
				t.Fatalf("time %v outside the accepted years", d.Time)
			}
			if d.Amount != nil {
				if *d.Amount < 0 || *d.Amount != *d.Amount {
					t.Fatalf("amount %v", *d.Amount)
				}
				total += *d.Amount
			}
		}
		l := List{Complete: true, Total: -1}
		l.Add(page)
		for _, r := range Summarize(l, time.Now(), nil).Recent {
			if r.Raised > total || r.Donations > len(page) {
				t.Fatalf("window %s: %v from %d donations, more than the page's %v from %d", r.Name, r.Raised, r.Donations, total, len(page))
			}
		}
	})
}
