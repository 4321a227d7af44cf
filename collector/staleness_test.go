package collector

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// TestDeferredForEverGoesDown, through the collector: a site that keeps
// answering 429 with Retry-After once kept its campaign up with its first
// figures for ever. Past MAX_STALENESS the campaign is down, its figures are left out, its last success stays, and
// one error line says why, without a fetch the site asked us not to make.
func TestDeferredForEverGoesDown(t *testing.T) {
	site := newSwitchableSite(t)
	start := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	var elapsed atomic.Int64
	now := func() time.Time { return start.Add(time.Duration(elapsed.Load())) }
	logs, logger := testsupport.JSONLogger(slog.LevelDebug)
	campaign := hostileCampaign("c", site.url, read.KindAuto, time.Second, map[read.Field]string{read.FieldRaised: "#raised"})
	campaign.MaxStaleness = 30 * time.Minute
	c := NewScraper(Config{Campaigns: []source.Campaign{campaign}, Fetcher: fetch.NewFetcher(fetch.FetcherConfig{}), Logger: logger, Now: now})

	raisedLine := raisedHelp + "donation_raised{campaign=\"c\",currency=\"USD\"} 1234.5\n"
	lastSuccessLine := fmt.Sprintf("%sdonation_last_success_timestamp_seconds{campaign=\"c\"} %d\n", lastSuccessHelp, start.Unix())
	steps := []struct {
		name    string
		advance time.Duration
		up      int
		fetches int32
		errs    int
	}{
		{name: "good fetch", up: 1, fetches: 1},
		{name: "429: last figures", advance: 10 * time.Minute, up: 1, fetches: 2},
		{name: "429 renewed: last figures", advance: 10 * time.Minute, up: 1, fetches: 3},
		{name: "429 renewed at the ceiling: last figures", advance: 10 * time.Minute, up: 1, fetches: 4},
		{name: "past the ceiling, within Retry-After: down, logged once", advance: time.Minute, up: 0, fetches: 4, errs: 1},
		{name: "still within Retry-After: down, not logged again", advance: time.Minute, up: 0, fetches: 4, errs: 1},
	}
	for i, step := range steps {
		elapsed.Add(int64(step.advance))
		if i == 1 {
			site.set(status(http.StatusTooManyRequests, "Retry-After", "600"))
		}
		want := fmt.Sprintf("%sdonation_up{campaign=\"c\"} %d\n", upHelp, step.up) + lastSuccessLine
		if step.up == 1 {
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
		errs := logs.Records(t, "level", "ERROR")
		if len(errs) != step.errs {
			t.Errorf("%s: %d error lines, want %d", step.name, len(errs), step.errs)
		}
		for _, rec := range errs {
			if msg, _ := rec["err"].(string); !strings.Contains(msg, "older than the campaign's maximum staleness of 30m0s") {
				t.Errorf("%s: error line %q does not give the reason", step.name, msg)
			}
		}
	}
}
