package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

// TestMetricsTable: README's metrics table names every metric family the
// exporter exposes, and exposes every family it names. The exporter runs as
// main runs it, with the demo campaign (a page with every figure: raised,
// target, currency, start, deadline, donors, so every gauge is there) and a
// campaign whose site refuses connections (what a failing campaign adds).
// The Go and process collectors' families are every Go exporter's, and the
// table says so in one line instead of listing them.
func TestMetricsTable(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	extraLife := testsupport.ExtraLife(t, nil)
	base := runExporter(t, []string{
		"DONATION_DEMO=true",
		"DONATION_CAMPAIGN_0_NAME=unreachable",
		"DONATION_CAMPAIGN_0_URL=" + closed.URL + "/donate",
		"DONATION_CAMPAIGN_0_RAISED_SELECTOR=#raised",
		// A platform with a donation list adds the list's families.
		"DONATION_CAMPAIGN_1_NAME=extralife",
		"DONATION_CAMPAIGN_1_URL=" + extraLife.URL + "/participant/297674",
		"DONATION_CAMPAIGN_1_PLATFORM=donordrive",
		"DONATION_CAMPAIGN_1_CURRENCY=USD",
	})
	body := testsupport.WaitOK(t, base+"/metrics", 20*time.Second)
	for _, want := range []string{`donation_up{campaign="demo"} 1`, `donation_up{campaign="unreachable"} 0`,
		`donation_last_donation_timestamp_seconds{campaign="extralife"} 1.541201486283e+09`} {
		if !strings.Contains(body, want) {
			t.Fatalf("/metrics lacks %q: the test needs a campaign read and one failing\n%s", want, body)
		}
	}
	var exposed []string
	for _, m := range regexp.MustCompile(`(?m)^# TYPE (\S+) `).FindAllStringSubmatch(body, -1) {
		if !strings.HasPrefix(m[1], "go_") && !strings.HasPrefix(m[1], "process_") {
			exposed = append(exposed, m[1])
		}
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := metricsTableRows(string(readme))
	if len(documented) == 0 {
		t.Fatal("README.md has no metrics table: rows of the form | `metric_name` | labels | meaning | under ## Metrics")
	}
	for _, name := range exposed {
		if !slices.Contains(documented, name) {
			t.Errorf("the exporter exposes %s, but README.md's metrics table has no row for it: add | `%s` | labels | meaning |", name, name)
		}
	}
	for _, name := range documented {
		if !slices.Contains(exposed, name) {
			t.Errorf("README.md's metrics table lists %s, but the exporter does not expose it (on the demo and a failing campaign): remove or rename the row", name)
		}
	}
}

// metricsTableRows returns the metric names in the first column of the
// table under README's "## Metrics" heading.
func metricsTableRows(readme string) []string {
	_, section, ok := strings.Cut(readme, "\n## Metrics\n")
	if !ok {
		return nil
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var names []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_:]+)` \\|").FindAllStringSubmatch(section, -1) {
		names = append(names, m[1])
	}
	return names
}

func TestMetricsTableRows(t *testing.T) {
	for _, tc := range []struct {
		name, readme string
		want         []string
	}{
		{"no section", "# x\n| `a` | b |\n", nil},
		{"rows of the section only", "## Metrics\n\n| Metric | Labels |\n|---|---|\n| `donation_up` | campaign |\n| `donation_raised` | c |\n\n## Next\n| `other` | x |\n", []string{"donation_up", "donation_raised"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := metricsTableRows("\n" + tc.readme); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
