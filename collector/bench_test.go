package collector

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/donation-exporter/donation_exporter/bench/pagegen"
	"github.com/donation-exporter/donation_exporter/demo"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// The benchmarks below are the scrape figures in docs/benchmarks.md: run them with
//
//	go test ./collector -run '^$' -bench . -benchmem
//
// Allocations are counted for the whole process, so they include what the
// local upstream server allocates to answer.

// benchCollector scrapes campaigns with the fetcher main builds.
func benchCollector(campaigns []source.Campaign) *Scraper {
	return NewScraper(Config{Campaigns: campaigns, Fetcher: fetch.NewFetcher(fetch.FetcherConfig{})})
}

// scrapeMetrics serves one /metrics request and checks it succeeded.
func scrapeMetrics(b *testing.B, h http.Handler) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

// BenchmarkCollect serves /metrics for 1, 10 and 100 campaigns whose
// 16 KiB pages (bench/pagegen) a local server answers at once. The fetcher
// keeps a connection per campaign between scrapes.
func BenchmarkCollect(b *testing.B) {
	body := pagegen.HTML(16<<10, pagegen.Figures{Raised: 123456, Target: 250000, Donors: 1234})
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(body)
	}))
	defer site.Close()
	fields := map[read.Field]read.FieldSpec{}
	for name, sel := range pagegen.HTMLSelectors() {
		fields[read.Field(name)] = read.FieldSpec{Selectors: []read.Selector{read.MustParseSelector(sel)}}
	}
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("campaigns=%d", n), func(b *testing.B) {
			var campaigns []source.Campaign
			for i := range n {
				campaigns = append(campaigns, campaign(fmt.Sprintf("c%d", i), fmt.Sprintf("%s/c/%d", site.URL, i), read.KindHTML, fields))
			}
			c := benchCollector(campaigns)
			h := c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{})
			scrapeMetrics(b, h) // connections open, and every campaign up
			for _, r := range c.Scrape(b.Context()) {
				if r.Err != nil {
					b.Fatalf("campaign %s: %v", r.Campaign.Name, r.Err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				scrapeMetrics(b, h)
			}
		})
	}
}

// BenchmarkDemoScrape scrapes the demo campaign: Scrape alone (fetch and
// read), and the whole /metrics request. Target: under 200 KiB a scrape.
func BenchmarkDemoScrape(b *testing.B) {
	launched := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	site := httptest.NewServer(demo.NewPage(launched, func() time.Time { return launched.Add(time.Hour) }))
	defer site.Close()
	c := benchCollector([]source.Campaign{demo.Campaign(site.URL + "/donate")})
	b.Run("Scrape", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if r := c.Scrape(b.Context())[0]; r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	})
	b.Run("metrics", func(b *testing.B) {
		h := c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{})
		b.ReportAllocs()
		for b.Loop() {
			scrapeMetrics(b, h)
		}
	})
}

// TestDemoScrapeAllocates checks the allocation target with margin to
// spare: a whole /metrics request for the demo campaign, the local demo
// server's work included, allocates less than 200 KiB (about half that was
// measured; see BenchmarkDemoScrape).
func TestDemoScrapeAllocates(t *testing.T) {
	if testing.Short() {
		t.Skip("measures allocations; skipped with -short")
	}
	launched := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	site := httptest.NewServer(demo.NewPage(launched, func() time.Time { return launched.Add(time.Hour) }))
	defer site.Close()
	c := benchCollector([]source.Campaign{demo.Campaign(site.URL + "/donate")})
	h := c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{})
	scrape := func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `donation_up{campaign="demo"} 1`) {
			t.Fatalf("status %d:\n%s", rec.Code, rec.Body)
		}
	}
	scrape() // the connection open
	const runs = 50
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		scrape()
	}
	runtime.ReadMemStats(&after)
	perScrape := (after.TotalAlloc - before.TotalAlloc) / runs
	t.Logf("%d bytes allocated per scrape of the demo campaign", perScrape)
	if perScrape >= 200<<10 {
		t.Errorf("a scrape of the demo campaign allocated %d bytes, want under %d", perScrape, 200<<10)
	}
}

// peerDocument is the JSON document of bench/harness peer: a donation
// API's two figures.
const peerDocument = `{"currentAmount": 192345.5, "goalAmount": 1000000}`

// BenchmarkProbe serves /probe for one campaign reading the two figures of
// a small JSON document, as bench/harness peer does against json_exporter
// (docs/benchmarks.md): the in-process part of its CPU per probe, to
// profile with
//
//	go test ./collector -run '^$' -bench Probe -benchmem -cpuprofile cpu.out && go tool pprof -top cpu.out
func BenchmarkProbe(b *testing.B) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, peerDocument)
	}))
	defer site.Close()
	fields := map[read.Field]read.FieldSpec{
		read.FieldRaised: {Selectors: []read.Selector{read.MustParseSelector("currentAmount")}},
		read.FieldTarget: {Selectors: []read.Selector{read.MustParseSelector("goalAmount")}},
	}
	c := NewScraper(Config{
		Campaigns: []source.Campaign{campaign("c0", site.URL+"/donations.json", read.KindJSON, fields)},
		Fetcher:   fetch.NewFetcher(fetch.FetcherConfig{}),
		// The level the exporter logs at by default: what a probe logs
		// is built but not written.
		Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})),
	})
	h := c.ProbeHandler(promhttp.HandlerOpts{MaxRequestsInFlight: 128})
	probe := func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/probe?campaign=c0", nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `donation_raised{campaign="c0",currency=""} 192345.5`) {
			b.Fatalf("status %d:\n%s", rec.Code, rec.Body)
		}
	}
	probe() // the connection open
	b.ReportAllocs()
	for b.Loop() {
		probe()
	}
}
