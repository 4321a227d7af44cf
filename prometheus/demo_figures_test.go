package prometheus_test

import (
	"context"
	"math"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/collector"
	"github.com/donation-exporter/donation_exporter/demo"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/source"
)

// TestDemoFiguresAreTheDemos reads the real demo page, started at noon UTC,
// through the exporter's reading and projection, and checks that the demo
// series of the promtool tests hold those figures, and that README.md quotes the
// alert text promtool renders from them (the README once said 701.3k
// short and 37 days, but the demo's bare-date deadline counts to the end of
// its day).
func TestDemoFiguresAreTheDemos(t *testing.T) {
	noon := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	page := httptest.NewServer(demo.NewPage(noon, func() time.Time { return noon }))
	defer page.Close()
	vals, _, err := source.Scrape(context.Background(), fetch.NewFetcher(fetch.FetcherConfig{}), demo.Campaign(page.URL), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p, err := collector.Project(vals, demo.Campaign(page.URL).Curve, noon)
	if err != nil {
		t.Fatal(err)
	}

	var tests []byte
	for _, f := range []string{"alerts_test.yml", "alerts_history_test.yml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tests = append(tests, b...)
	}
	for _, tc := range []struct {
		metric string
		value  *float64
	}{
		{"donation_projected_shortfall", p.ProjectedShortfall},
		{"donation_projected_raised_low", p.ProjectedLow},
		{"donation_projected_raised_high", p.ProjectedHigh},
		{"donation_days_left", p.DaysLeft},
		{"donation_required_daily_rate", p.RequiredDailyRate},
		{"donation_target", vals.Target},
	} {
		t.Run(tc.metric, func(t *testing.T) {
			if tc.value == nil {
				t.Fatalf("the demo has no %s", tc.metric)
			}
			re := regexp.MustCompile(`series: '` + tc.metric + `\{[^}]*campaign="demo"[^}]*\}'\s+values: '([0-9.]+)\+0x`)
			m := re.FindAllSubmatch(tests, -1)
			if len(m) == 0 {
				t.Fatalf("the promtool tests have no constant demo series of %s", tc.metric)
			}
			for _, sub := range m {
				got, _ := strconv.ParseFloat(string(sub[1]), 64)
				if math.Abs(got-*tc.value) > 0.01 {
					t.Errorf("the promtool tests feed %s %v for demo; the demo at noon gives %.2f", tc.metric, got, *tc.value)
				}
			}
		})
	}

	// The description promtool checks for the demo's shortfall alert is
	// what README.md quotes.
	desc := regexp.MustCompile(`description: "(On its forecast curve \(linear\), campaign demo [^"]*)"`).FindSubmatch(tests)
	if desc == nil {
		t.Fatal("alerts_test.yml has no expected description of the demo's shortfall alert")
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(readme)), " ")
	if !strings.Contains(flat, string(desc[1])) {
		t.Errorf("README.md does not quote the demo's alert as promtool renders it: %q", desc[1])
	}
	t.Logf("demo at noon: %.2f days left, %.2f/day, projected %.2f, short %.2f, needs %.2f/day",
		*p.DaysLeft, *p.DailyRate, *p.ProjectedTotal, *p.ProjectedShortfall, *p.RequiredDailyRate)
}
