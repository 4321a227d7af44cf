package e2e

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/donation-exporter/donation_exporter/collector"
	"github.com/donation-exporter/donation_exporter/config"
	"github.com/donation-exporter/donation_exporter/fetch"
)

// countingSite answers every path with a small JSON total after delay, and
// counts the requests it serves at the same time.
type countingSite struct {
	*httptest.Server
	mu                  sync.Mutex
	now, most, served   int
	firstStart, lastEnd time.Time
}

func newCountingSite(t *testing.T, delay time.Duration) *countingSite {
	t.Helper()
	s := &countingSite{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.now++
		s.most = max(s.most, s.now)
		if s.firstStart.IsZero() {
			s.firstStart = time.Now()
		}
		s.mu.Unlock()
		time.Sleep(delay)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"raised": 125}`)
		s.mu.Lock()
		s.now--
		s.served++
		s.lastEnd = time.Now()
		s.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *countingSite) stats() (most, served int, firstStart, lastEnd time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.most, s.served, s.firstStart, s.lastEnd
}

// TestOneBudgetPerSite configures 20 campaigns on one slow host and 3 on
// another, as a person would, and scrapes /metrics once: the slow host
// never sees more than DONATION_MAX_FETCHES_PER_HOST requests at once, and
// the other host's campaigns are fetched at once, not after the slow
// host's queue.
func TestOneBudgetPerSite(t *testing.T) {
	const slowDelay = 300 * time.Millisecond
	tests := []struct {
		name     string
		perHost  string // DONATION_MAX_FETCHES_PER_HOST; "" leaves the default
		wantMost int
	}{
		{name: "default bound", wantMost: fetch.DefaultMaxFetchesPerHost},
		{name: "bound of 2", perHost: "2", wantMost: 2},
		// Without a bound all 20 are in flight at once: the counting
		// above sees a bound, not its own limits.
		{name: "no bound", perHost: "0", wantMost: 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			slow, fast := newCountingSite(t, slowDelay), newCountingSite(t, 0)
			var environ []string
			add := func(i int, site *countingSite) {
				p := "DONATION_CAMPAIGN_" + strconv.Itoa(i) + "_"
				environ = append(environ, p+"NAME=c"+strconv.Itoa(i), p+"URL="+site.URL+"/campaign/"+strconv.Itoa(i),
					p+"PLATFORM=json", p+"RAISED_SELECTOR=$.raised", p+"TIMEOUT=20s")
			}
			for i := range 20 {
				add(i, slow)
			}
			for i := 20; i < 23; i++ {
				add(i, fast)
			}
			if tc.perHost != "" {
				environ = append(environ, "DONATION_MAX_FETCHES_PER_HOST="+tc.perHost)
			}
			cfg, err := config.Load(environ)
			if err != nil {
				t.Fatal(err)
			}
			coll := collector.NewScraper(collector.Config{
				Campaigns: cfg.Campaigns,
				Fetcher:   fetch.NewFetcher(cfg.FetcherConfig("donation_exporter/test")),
				Logger:    slog.New(slog.DiscardHandler),
			})
			exporter := httptest.NewServer(coll.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{}))
			defer exporter.Close()

			start := time.Now()
			resp, err := http.Get(exporter.URL)
			if err != nil {
				t.Fatal(err)
			}
			parser := expfmt.NewTextParser(model.UTF8Validation)
			families, err := parser.TextToMetricFamilies(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			up := 0
			for _, m := range families["donation_up"].GetMetric() {
				if m.GetGauge().GetValue() == 1 {
					up++
				}
			}
			if up != 23 {
				t.Errorf("%d campaigns up, want all 23", up)
			}

			most, served, _, slowEnd := slow.stats()
			if most != tc.wantMost || served != 20 {
				t.Errorf("slow host: %d requests at once at most (want %d), %d served (want 20)", most, tc.wantMost, served)
			}
			fastMost, fastServed, _, fastEnd := fast.stats()
			if fastServed != 3 || fastMost > tc.wantMost {
				t.Errorf("other host: %d served, %d at once", fastServed, fastMost)
			}
			// The other host is not queued behind the slow one: its
			// campaigns are answered before the first slow request is.
			if took := fastEnd.Sub(start); took >= slowDelay {
				t.Errorf("other host's last answer %v after the scrape began, want before the slow host's first (%v)", took, slowDelay)
			}
			if tc.wantMost < 20 {
				// 20 requests, at most wantMost at a time, of slowDelay each.
				waves := (20 + tc.wantMost - 1) / tc.wantMost
				if took := slowEnd.Sub(start); took < time.Duration(waves)*slowDelay {
					t.Errorf("slow host done after %v, less than %d rounds of %v: more than %d were in flight", took, waves, slowDelay, tc.wantMost)
				}
			}
		})
	}
}
