package collector

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// countingSite serves <p class="raised">$N</p> pages with an ETag, answers
// If-None-Match with 304, and records every request.
type countingSite struct {
	url string

	mu       sync.Mutex
	requests []string // path, plus " conditional" for If-None-Match
	retry    map[string]bool
}

func newCountingSite(t *testing.T) *countingSite {
	t.Helper()
	s := &countingSite{retry: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		req := r.URL.Path
		if r.Header.Get("If-None-Match") != "" {
			req += " conditional"
		}
		s.requests = append(s.requests, req)
		retry := s.retry[r.URL.Path]
		s.mu.Unlock()
		if retry {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		etag := `"v1"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<p class="raised">$%d</p>`, len(r.URL.Path)*100)
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// take returns the requests since the last call, sorted by arrival.
func (s *countingSite) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	got := s.requests
	s.requests = nil
	return got
}

func (s *countingSite) campaign(name, definition string, minInterval time.Duration, labels map[string]string) source.Campaign {
	return source.Campaign{
		Name: name, URL: s.url + "/" + name, Kind: read.KindHTML, MinInterval: minInterval,
		Spec: read.Spec{AmountScale: 1, Location: time.UTC, Fields: map[read.Field]read.FieldSpec{
			read.FieldRaised: {Selectors: []read.Selector{read.MustParseSelector(".raised")}},
		}},
		Labels: labels, Definition: definition,
	}
}

func requestSet(reqs []string) map[string]int {
	m := map[string]int{}
	for _, r := range reqs {
		m[r]++
	}
	return m
}

func TestReloadKeepsUnchangedPollers(t *testing.T) {
	site := newCountingSite(t)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	coll := NewScraper(Config{
		Campaigns: []source.Campaign{
			site.campaign("etag", "etag v1", 0, nil),
			site.campaign("interval", "interval v1", time.Hour, nil),
			site.campaign("retry", "retry v1", 0, nil),
			site.campaign("changed", "changed v1", 0, nil),
			site.campaign("removed", "removed v1", 0, nil),
		},
		Fetcher: fetch.NewFetcher(fetch.FetcherConfig{}),
		Now:     clock,
	})
	ctx := context.Background()
	coll.Scrape(ctx)
	site.take()
	site.mu.Lock()
	site.retry["/retry"] = true
	site.mu.Unlock()
	advance(time.Second)
	coll.Scrape(ctx) // retry is now deferred for an hour
	site.take()

	stats := coll.Reload([]source.Campaign{
		site.campaign("etag", "etag v1", 0, map[string]string{"team": "north"}), // labels alone changed
		site.campaign("interval", "interval v1", time.Hour, nil),
		site.campaign("retry", "retry v1", 0, nil),
		site.campaign("changed", "changed v2", 0, nil),
		site.campaign("added", "added v1", 0, nil),
	})
	if want := (ReloadStats{Kept: 3, New: 2, Removed: 1}); stats != want {
		t.Errorf("reload stats %+v, want %+v", stats, want)
	}
	advance(time.Second)
	results := coll.Scrape(ctx)
	got := requestSet(site.take())
	want := map[string]int{
		"/etag conditional": 1, // kept its ETag
		"/changed":          1, // a new poller: no ETag
		"/added":            1,
		// interval: within its MinInterval; retry: within Retry-After
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("requests after the reload %v, want %v", got, want)
	}
	var names []string
	for _, r := range results {
		names = append(names, r.Campaign.Name)
		if r.Err != nil {
			t.Errorf("%s: %v", r.Campaign.Name, r.Err)
		}
		if r.Campaign.Name == "etag" && r.Campaign.Labels["team"] != "north" {
			t.Errorf("etag kept its old labels %v", r.Campaign.Labels)
		}
	}
	if strings.Join(names, ",") != "etag,interval,retry,changed,added" {
		t.Errorf("results for %v", names)
	}
	last, _ := coll.LastResults()
	if len(last) != 5 {
		t.Errorf("LastResults has %d campaigns after the reload, want 5 (the removed one gone)", len(last))
	}
	if _, ok := coll.ScrapeCampaign(ctx, "removed"); ok {
		t.Error("the removed campaign can still be probed")
	}
}

func TestExtraLabels(t *testing.T) {
	site := newCountingSite(t)
	coll := NewScraper(Config{
		Campaigns: []source.Campaign{
			site.campaign("north", "", 0, map[string]string{"appeal": "summer", "team": "north"}),
			site.campaign("south", "", 0, map[string]string{"appeal": "summer"}),
			site.campaign("plain", "", 0, nil),
		},
		Fetcher: fetch.NewFetcher(fetch.FetcherConfig{}),
		Now:     func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) },
	})
	results := coll.Scrape(context.Background())
	for i := range results {
		results[i].Duration = 0
	}
	want := `
# HELP donation_raised Amount the campaign reports raised, in currency units: so far, or per period as donation_campaign_info's raised_basis says.
# TYPE donation_raised gauge
donation_raised{appeal="summer",campaign="north",currency="USD",team="north"} 600
donation_raised{appeal="summer",campaign="south",currency="USD",team=""} 600
donation_raised{appeal="",campaign="plain",currency="USD",team=""} 600
# HELP donation_up 1 when the campaign's figures are current: its page was read (now, or within its minimum refresh interval or the site's Retry-After) with every configured field; 0 otherwise.
# TYPE donation_up gauge
donation_up{appeal="summer",campaign="north",team="north"} 1
donation_up{appeal="summer",campaign="south",team=""} 1
donation_up{appeal="",campaign="plain",team=""} 1
`
	if err := testutil.CollectAndCompare(coll.Metrics(results), strings.NewReader(want), "donation_raised", "donation_up"); err != nil {
		t.Error(err)
	}
	problems, err := testutil.CollectAndLint(coll.Metrics(results))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

func TestSDHandler(t *testing.T) {
	site := newCountingSite(t)
	coll := NewScraper(Config{
		Campaigns: []source.Campaign{
			site.campaign("north", "", 0, map[string]string{"appeal": "summer", "team": "north"}),
			site.campaign("plain", "", 0, nil),
		},
		Fetcher: fetch.NewFetcher(fetch.FetcherConfig{}),
	})
	// The Host a client sends is not where Prometheus is told to scrape.
	req := httptest.NewRequest(http.MethodGet, "http://attacker.example:80/sd", nil)
	rec := httptest.NewRecorder()
	coll.SDHandler("exporter.example:9366").ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var got []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := `[map[labels:map[__meta_donation_fetch_host:HOST __param_campaign:north appeal:summer team:north] targets:[exporter.example:9366]] map[labels:map[__meta_donation_fetch_host:HOST __param_campaign:plain] targets:[exporter.example:9366]]]`
	want = strings.ReplaceAll(want, "HOST", strings.TrimPrefix(site.url, "http://"))
	if fmt.Sprint(got) != want {
		t.Errorf("got  %v\nwant %s", got, want)
	}
	coll.Reload(nil)
	rec = httptest.NewRecorder()
	coll.SDHandler("exporter.example:9366").ServeHTTP(rec, req)
	if body, _ := io.ReadAll(rec.Body); strings.TrimSpace(string(body)) != "[]" {
		t.Errorf("no campaigns: %s, want []", body)
	}
}

// TestScrapesSpreadFetches: 100 campaigns with a 15 m MinInterval and at
// most 10 fetches per scrape. Scrapes answer from what was read, start
// never more than 10 fetches, read every campaign within 10 scrapes, and
// stay spread once the interval has passed.
func TestScrapesSpreadFetches(t *testing.T) {
	site := newCountingSite(t)
	var campaigns []source.Campaign
	for i := range 100 {
		campaigns = append(campaigns, site.campaign(fmt.Sprintf("c%03d", i), "", 15*time.Minute, nil))
	}
	var clockNanos atomic.Int64
	start := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	coll := NewScraper(Config{
		Campaigns: campaigns, Fetcher: fetch.NewFetcher(fetch.FetcherConfig{}), MaxFetchesPerScrape: 10,
		Now: func() time.Time { return start.Add(time.Duration(clockNanos.Load())) },
	})
	ctx := context.Background()
	for scrape := 1; scrape <= 25; scrape++ {
		results := coll.Scrape(ctx)
		fetched := len(site.take())
		switch {
		case fetched > 10:
			t.Fatalf("scrape %d fetched %d pages, want at most 10", scrape, fetched)
		case scrape <= 10 && len(results) != scrape*10:
			t.Errorf("scrape %d answered for %d campaigns, want the %d read so far", scrape, len(results), scrape*10)
		case scrape > 10 && len(results) != 100:
			t.Errorf("scrape %d answered for %d campaigns, want 100", scrape, len(results))
		case scrape > 10 && scrape <= 15 && fetched != 0:
			t.Errorf("scrape %d fetched %d pages within the MinInterval", scrape, fetched)
		case scrape > 15 && fetched != 10:
			t.Errorf("scrape %d, past the MinInterval, fetched %d pages, want 10 (spread)", scrape, fetched)
		}
		for _, r := range results {
			if r.Err != nil {
				t.Fatalf("scrape %d: %s: %v", scrape, r.Campaign.Name, r.Err)
			}
		}
		// A minute per scrape; the clock jumps past the MinInterval once
		// every campaign has been read.
		clockNanos.Add(int64(time.Minute))
		if scrape == 15 {
			clockNanos.Add(int64(15 * time.Minute))
		}
	}
}

// TestProbeFollowsReload: /probe serves the campaigns of now. It once
// checked the name against the campaigns of the start, so a campaign added
// by a reload was listed by /sd and answered 404 on /probe.
func TestProbeFollowsReload(t *testing.T) {
	site := newCountingSite(t)
	coll := NewScraper(Config{
		Campaigns: []source.Campaign{site.campaign("first", "first v1", 0, nil)},
		Fetcher:   fetch.NewFetcher(fetch.FetcherConfig{}),
	})
	probe := httptest.NewServer(coll.ProbeHandler(promhttp.HandlerOpts{}))
	defer probe.Close()
	status := func(name string) int {
		t.Helper()
		resp, err := http.Get(probe.URL + "/probe?campaign=" + name)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("added"); got != http.StatusNotFound {
		t.Errorf("before the reload: %d, want 404", got)
	}
	coll.Reload([]source.Campaign{site.campaign("first", "first v1", 0, nil), site.campaign("added", "added v1", 0, nil)})
	if got := status("added"); got != http.StatusOK {
		t.Errorf("after the reload added it: %d, want 200", got)
	}
	coll.Reload([]source.Campaign{site.campaign("added", "added v1", 0, nil)})
	if got := status("first"); got != http.StatusNotFound {
		t.Errorf("after the reload removed it: %d, want 404", got)
	}
}
