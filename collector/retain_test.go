package collector

import (
	"context"
	"runtime"
	"testing"
	"weak"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// TestReloadDropsReplacedCampaigns: once a reload replaced the campaigns the
// Scraper started with, nothing of the Scraper keeps them. It kept them in
// its Config, 28 MB at 10,000 campaigns (docs/benchmarks.md, "What each
// campaign keeps, cut").
func TestReloadDropsReplacedCampaigns(t *testing.T) {
	fields := map[read.Field]read.FieldSpec{read.FieldRaised: {Selectors: []read.Selector{read.MustParseSelector("#raised")}}}
	start := []source.Campaign{campaign("a", "http://127.0.0.1:1/a", read.KindHTML, fields)}
	started := weak.Make(&start[0])
	c := NewScraper(Config{Campaigns: start, Fetcher: fetch.NewFetcher(fetch.FetcherConfig{})})
	start = nil
	c.Reload([]source.Campaign{campaign("b", "http://127.0.0.1:1/b", read.KindHTML, fields)})
	runtime.GC()
	if started.Value() != nil {
		t.Error("the campaigns the Scraper started with are still reachable after a reload replaced them")
	}
	if got := c.Campaigns(); len(got) != 1 || got[0].Name != "b" {
		t.Errorf("campaigns after the reload: %+v", got)
	}
	runtime.KeepAlive(c)
}

// TestReloadKeepingPollersDropsTheOldSet: a reload that keeps a campaign's
// poller (its definition unchanged) points the poller at the new set's
// campaign, and scraping again drops the results of the old one: the old
// set is not kept for either.
func TestReloadKeepingPollersDropsTheOldSet(t *testing.T) {
	site := newCountingSite(t)
	start := []source.Campaign{site.campaign("kept", "kept v1", 0, nil)}
	started := weak.Make(&start[0])
	c := NewScraper(Config{Campaigns: start, Fetcher: fetch.NewFetcher(fetch.FetcherConfig{})})
	start = nil
	c.Scrape(context.Background())
	if stats := c.Reload([]source.Campaign{site.campaign("kept", "kept v1", 0, map[string]string{"team": "new"})}); stats.Kept != 1 {
		t.Fatalf("reload stats %+v, want the poller kept", stats)
	}
	if r := c.Scrape(context.Background()); len(r) != 1 || r[0].Err != nil || r[0].Campaign.Labels["team"] != "new" {
		t.Fatalf("scrape after the reload: %+v", r)
	}
	runtime.GC()
	if started.Value() != nil {
		t.Error("the campaign set the Scraper started with is still reachable after a reload that kept its poller")
	}
	runtime.KeepAlive(c)
}
