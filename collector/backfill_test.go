package collector

import (
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/donations"
	"github.com/donation-exporter/donation_exporter/source"
)

func TestWriteBackfill(t *testing.T) {
	t0 := time.Date(2024, 11, 2, 10, 0, 0, 0, time.UTC)
	money := func(v float64) *float64 { return &v }
	points := []donations.Point{
		{Time: t0, Raised: money(5), Count: 1},
		{Time: t0.Add(150 * time.Minute), Raised: money(7.5), Count: 2},
		{Time: t0.Add(151 * time.Minute), Count: 3}, // after a hidden amount
	}
	tests := []struct {
		name string
		b    Backfill
		want string
	}{
		{name: "a hidden amount ends raised, the count goes on; labels escaped; no currency",
			b: Backfill{Campaign: source.Campaign{Name: `a "b"\c`, Labels: map[string]string{"team": "x\ny", "empty": ""}}, Points: points, Donors: true},
			want: `# HELP donation_raised Amount the campaign reports raised, in currency units: backfilled from its donation list.
# TYPE donation_raised gauge
donation_raised{campaign="a \"b\"\\c",team="x\ny"} 5 1730541600.000
donation_raised{campaign="a \"b\"\\c",team="x\ny"} 7.5 1730550600.000
# HELP donation_donors Number of donations: backfilled from the campaign's donation list.
# TYPE donation_donors gauge
donation_donors{campaign="a \"b\"\\c",team="x\ny"} 1 1730541600.000
donation_donors{campaign="a \"b\"\\c",team="x\ny"} 2 1730550600.000
donation_donors{campaign="a \"b\"\\c",team="x\ny"} 3 1730550660.000
# EOF
`},
		{name: "a step repeats the total on its grid between donations, not after the last",
			b: Backfill{Campaign: source.Campaign{Name: "c"}, Currency: "EUR", Points: points[:2], Step: time.Hour},
			want: `# HELP donation_raised Amount the campaign reports raised, in currency units: backfilled from its donation list.
# TYPE donation_raised gauge
donation_raised{campaign="c",currency="EUR"} 5 1730541600.000
donation_raised{campaign="c",currency="EUR"} 5 1730545200.000
donation_raised{campaign="c",currency="EUR"} 5 1730548800.000
donation_raised{campaign="c",currency="EUR"} 7.5 1730550600.000
# EOF
`},
		{name: "no donations", b: Backfill{Campaign: source.Campaign{Name: "c"}},
			want: "# HELP donation_raised Amount the campaign reports raised, in currency units: backfilled from its donation list.\n# TYPE donation_raised gauge\n# EOF\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if _, err := WriteBackfill(&b, tc.b); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), tc.want)
			}
		})
	}
}
