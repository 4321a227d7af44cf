package config

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

// CampaignsFile returns a campaigns file of n campaigns reading every field
// of pages at site/c/<i>, the shape bench/harness -scale uses.
func campaignsFileText(n int, site string) string {
	var b strings.Builder
	b.WriteString("campaigns:\n")
	for i := range n {
		fmt.Fprintf(&b, `  - name: c%d
    url: %s/c/%d
    platform: html
    raised_selector: div[role=progressbar]@aria-valuenow
    target_selector: .campaign-progress .goal
    currency_selector: .campaign-progress@data-currency
    start_selector: time.start@datetime
    deadline_selector: time.deadline@datetime
    donors_selector: .campaign-progress .donors
    timezone: Europe/Berlin
    labels: {appeal: a%d, team: t%d}
`, i, site, i, i%7, i%50)
	}
	return b.String()
}

// BenchmarkLoadCampaignsFile10000 is the configuration part of a start (or
// a reload) with 10,000 campaigns in the file. docs/scale.md has figures.
func BenchmarkLoadCampaignsFile10000(b *testing.B) {
	path := filepath.Join(b.TempDir(), "campaigns.yml")
	if err := os.WriteFile(path, []byte(campaignsFileText(10000, "http://127.0.0.1:8080")), 0o600); err != nil {
		b.Fatal(err)
	}
	environ := []string{"DONATION_CONFIG_FILE=" + path}
	b.ReportAllocs()
	for b.Loop() {
		cfg, err := Load(environ, testsupport.Presets())
		if err != nil {
			b.Fatal(err)
		}
		if len(cfg.Campaigns) != 10000 {
			b.Fatalf("%d campaigns", len(cfg.Campaigns))
		}
	}
}

// BenchmarkCampaignsRetained10000 is what 10,000 campaigns of the scale
// harness's shape keep live once built (the heap after a collection, less
// the heap before the load): a /metrics scrape's garbage then lets the heap
// grow to about twice what is live (GOGC=100). docs/benchmarks.md has
// figures.
func BenchmarkCampaignsRetained10000(b *testing.B) {
	const n = 10000
	path := filepath.Join(b.TempDir(), "campaigns.yml")
	if err := os.WriteFile(path, []byte(campaignsFileText(n, "http://127.0.0.1:8080")), 0o600); err != nil {
		b.Fatal(err)
	}
	environ := []string{"DONATION_CONFIG_FILE=" + path}
	var retained float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		cfg, err := Load(environ, testsupport.Presets())
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if len(cfg.Campaigns) != n {
			b.Fatalf("%d campaigns", len(cfg.Campaigns))
		}
		retained = float64(after.HeapAlloc) - float64(before.HeapAlloc)
		runtime.KeepAlive(cfg)
	}
	b.ReportMetric(retained/n, "retained-B/campaign")
	b.ReportMetric(retained/(1<<20), "retained-MiB")
}
