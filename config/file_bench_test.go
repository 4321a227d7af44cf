package config

import (
	"fmt"
	"os"
	"path/filepath"
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
