package collector

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// TestStalledSitesLeaveHealthyCampaignUp, as Prometheus sees it: with
// sites that send headers and then stall (more of them than page slots,
// and with a longer TIMEOUT), a healthy campaign that answers at once once
// failed with "wait for a slot to read the page in", and
// the log blamed it. Now it is up, and the only error lines are the
// stalled campaigns'.
func TestStalledSitesLeaveHealthyCampaignUp(t *testing.T) {
	done := make(chan struct{})
	stalled := serveSite(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		_ = http.NewResponseController(w).Flush()
		select {
		case <-done:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(done) }) // before the server closes
	healthy := serveSite(t, page("text/html", goodPage))

	fetcher := fetch.NewFetcher(fetch.FetcherConfig{MaxParses: 1, MaxPagesInMemory: 2})
	raised := map[read.Field]string{read.FieldRaised: "#raised"}
	var campaigns []source.Campaign
	const stalledCount = 8 // four times the page slots
	for i := range stalledCount {
		campaigns = append(campaigns, hostileCampaign(fmt.Sprintf("stalled%d", i), fmt.Sprintf("%s/%d", stalled, i), read.KindHTML, time.Minute, raised))
	}
	campaigns = append(campaigns, hostileCampaign("healthy", healthy, read.KindHTML, 2*time.Second, raised))
	logs, logger := testsupport.JSONLogger(slog.LevelDebug)
	c := NewScraper(Config{Campaigns: campaigns, Fetcher: fetcher, Logger: logger})

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	results := c.Scrape(ctx)
	if r := results[stalledCount]; r.Err != nil || r.Values.Raised == nil || *r.Values.Raised != 1234.5 {
		t.Errorf("healthy campaign beside %d stalled ones: %+v, %v", stalledCount, r.Values, r.Err)
	}
	errorLines := logs.Records(t, "level", "ERROR")
	if len(errorLines) != stalledCount {
		t.Errorf("%d error lines, want one per stalled campaign (%d)", len(errorLines), stalledCount)
	}
	for _, rec := range errorLines {
		if name, _ := rec["campaign"].(string); !strings.HasPrefix(name, "stalled") {
			t.Errorf("error line blames %q: %v", name, rec)
		}
	}
}
