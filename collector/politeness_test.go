package collector

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// switchableSite serves goodPage, or what the test sets, and counts fetches.
type switchableSite struct {
	url     string
	fetches atomic.Int32
	mu      sync.Mutex
	answer  http.HandlerFunc
}

func newSwitchableSite(t *testing.T) *switchableSite {
	t.Helper()
	s := &switchableSite{}
	s.url = serveSite(t, func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		answer := s.answer
		s.mu.Unlock()
		if answer == nil {
			answer = page("text/html", goodPage)
		}
		answer(w, r)
	})
	return s
}

func (s *switchableSite) set(h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer = h
}

const lastSuccessHelp = "# HELP donation_last_success_timestamp_seconds When the campaign's site last gave its figures (or confirmed them unchanged with a 304), as a Unix timestamp. " +
	"Figures are served from that result while the campaign's minimum refresh interval or the site's Retry-After has not passed, so this tells their age.\n" +
	"# TYPE donation_last_success_timestamp_seconds gauge\n"

// TestServedFromEarlierFetch follows one campaign through a good fetch, a
// 429 with Retry-After, the wait it asks for, and a real failure: what
// donation_up, donation_raised and donation_last_success_timestamp_seconds
// say, what is logged, and when the site is fetched.
func TestServedFromEarlierFetch(t *testing.T) {
	site := newSwitchableSite(t)
	start := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	var elapsed atomic.Int64 // since start, moved by the steps
	now := func() time.Time { return start.Add(time.Duration(elapsed.Load())) }
	logs, logger := testsupport.JSONLogger(slog.LevelDebug)
	c := NewScraper(Config{
		Campaigns: []source.Campaign{hostileCampaign("c", site.url, read.KindAuto, time.Second,
			map[read.Field]string{read.FieldRaised: "#raised"})},
		Fetcher: fetch.NewFetcher(fetch.FetcherConfig{}),
		Logger:  logger,
		Now:     now,
	})
	raisedLine := raisedHelp + "donation_raised{campaign=\"c\",currency=\"USD\"} 1234.5\n"
	lastSuccessLine := fmt.Sprintf("%sdonation_last_success_timestamp_seconds{campaign=\"c\"} %d\n", lastSuccessHelp, start.Unix())
	steps := []struct {
		name        string
		advance     time.Duration
		answer      http.HandlerFunc
		up          int
		raised      bool
		fetches     int32
		errs, warns int
	}{
		{name: "good fetch", up: 1, raised: true, fetches: 1},
		{name: "429 with Retry-After: last good figures, one warning", advance: time.Minute,
			answer: status(http.StatusTooManyRequests, "Retry-After", "300"), up: 1, raised: true, fetches: 2, warns: 1},
		{name: "within Retry-After: not fetched, not logged again", advance: 4 * time.Minute, up: 1, raised: true, fetches: 2, warns: 1},
		{name: "after Retry-After a failure: up 0, last success kept", advance: 2 * time.Minute,
			answer: status(http.StatusInternalServerError), up: 0, fetches: 3, errs: 1, warns: 1},
	}
	for _, step := range steps {
		elapsed.Add(int64(step.advance))
		if step.answer != nil {
			site.set(step.answer)
		}
		want := fmt.Sprintf("%sdonation_up{campaign=\"c\"} %d\n", upHelp, step.up) + lastSuccessLine
		if step.raised {
			want += raisedLine
		}
		results := c.Scrape(context.Background())
		if err := testutil.CollectAndCompare(c.Metrics(results), strings.NewReader(want),
			"donation_up", "donation_raised", "donation_last_success_timestamp_seconds"); err != nil {
			t.Errorf("%s: %v", step.name, err)
		}
		if got := site.fetches.Load(); got != step.fetches {
			t.Errorf("%s: site fetched %d times, want %d", step.name, got, step.fetches)
		}
		if errs, warns := len(logs.Records(t, "level", "ERROR")), len(logs.Records(t, "level", "WARN")); errs != step.errs || warns != step.warns {
			t.Errorf("%s: %d error and %d warning lines, want %d and %d", step.name, errs, warns, step.errs, step.warns)
		}
	}
}

func TestMinIntervalThroughHandler(t *testing.T) {
	site := newSwitchableSite(t)
	campaign := hostileCampaign("c", site.url, read.KindAuto, time.Second, map[read.Field]string{read.FieldRaised: "#raised"})
	campaign.MinInterval = time.Hour
	c := NewScraper(Config{Campaigns: []source.Campaign{campaign}, Fetcher: fetch.NewFetcher(fetch.FetcherConfig{})})
	exporter := httptest.NewServer(c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{}))
	defer exporter.Close()
	want := upHelp + "donation_up{campaign=\"c\"} 1\n" + raisedHelp + "donation_raised{campaign=\"c\",currency=\"USD\"} 1234.5\n"
	for i := range 5 {
		if err := testutil.ScrapeAndCompare(exporter.URL, strings.NewReader(want), "donation_up", "donation_raised"); err != nil {
			t.Errorf("scrape %d: %v", i, err)
		}
	}
	if got := site.fetches.Load(); got != 1 {
		t.Errorf("site fetched %d times in 5 scrapes within MIN_INTERVAL, want 1", got)
	}
}
