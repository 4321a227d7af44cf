package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/collector"
	"github.com/donation-exporter/donation_exporter/config"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

// scaleFile returns a campaigns file of n campaigns; selector is the raised
// selector, so that two files differ in every campaign's definition.
func scaleFile(n int, selector string) string {
	var b strings.Builder
	b.WriteString("campaigns:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - name: c%d\n    url: http://127.0.0.1:8080/c/%d\n    platform: html\n    raised_selector: %s\n"+
			"    target_selector: .campaign-progress .goal\n    currency_selector: .campaign-progress@data-currency\n"+
			"    deadline_selector: time.deadline@datetime\n    labels: {appeal: a%d}\n", i, i, selector, i%7)
	}
	return b.String()
}

// BenchmarkReload10000 is POST /-/reload with 10,000 campaigns in the
// file: read, checked, built and swapped in. "unchanged" keeps every
// poller; "all changed" builds 10,000 new ones. docs/scale.md has figures.
func BenchmarkReload10000(b *testing.B) {
	path := filepath.Join(b.TempDir(), "campaigns.yml")
	files := []string{scaleFile(10000, "div[role=progressbar]@aria-valuenow"), scaleFile(10000, ".raised")}
	if err := os.WriteFile(path, []byte(files[0]), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load([]string{"DONATION_CONFIG_FILE=" + path}, testsupport.Presets())
	if err != nil {
		b.Fatal(err)
	}
	coll := collector.NewScraper(collector.Config{Campaigns: cfg.Campaigns, Fetcher: fetch.NewFetcher(fetch.FetcherConfig{})})
	r := newReloader(cfg, coll, nil, slog.New(slog.DiscardHandler))
	for _, bc := range []struct {
		name    string
		changed bool
	}{{"unchanged", false}, {"all changed", true}} {
		b.Run(bc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				b.StopTimer()
				if bc.changed {
					i++
					if err := os.WriteFile(path, []byte(files[i%2]), 0o600); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if err := r.reload(); err != nil {
					b.Fatal(err)
				}
			}
			if n := len(coll.Campaigns()); n != 10000 {
				b.Fatalf("%d campaigns", n)
			}
		})
	}
}
