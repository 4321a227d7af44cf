package collector

import (
	"io"
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

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// heldSite holds every request until release is called (or the test
// ends), then serves goodPage. It counts requests.
func heldSite(t *testing.T) (url string, hits *atomic.Int32, release func()) {
	t.Helper()
	hits = &atomic.Int32{}
	gate := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-gate:
			page("text/html", goodPage)(w, r)
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release) // runs before srv.Close, which waits for handlers
	return srv.URL, hits, release
}

// TestScrapeDeadline checks that a scrape waits for a slow page no longer
// than the shortest of the campaign's TIMEOUT, Prometheus' scrape timeout
// minus the offset, and the handler's own timeout, and that the campaigns
// that answer in time are exposed.
func TestScrapeDeadline(t *testing.T) {
	tests := []struct {
		name            string
		campaignTimeout time.Duration
		header          string
		offset          time.Duration
		handlerTimeout  time.Duration
		want            time.Duration
		wantErr         string
	}{
		{name: "scrape timeout minus offset", campaignTimeout: 10 * time.Second, header: "1.3", offset: 300 * time.Millisecond,
			want: time.Second, wantErr: "gave up waiting for the page: context deadline exceeded"},
		{name: "campaign timeout", campaignTimeout: 300 * time.Millisecond, header: "10", offset: time.Second,
			want: 300 * time.Millisecond, wantErr: "within the campaign's timeout of 300ms"},
		{name: "handler timeout without header", campaignTimeout: 10 * time.Second, handlerTimeout: 300 * time.Millisecond,
			want: 300 * time.Millisecond, wantErr: "gave up waiting"},
		{name: "handler timeout shorter than header", campaignTimeout: 10 * time.Second, header: "10", handlerTimeout: 300 * time.Millisecond,
			want: 300 * time.Millisecond, wantErr: "gave up waiting"},
	}
	good := serveSite(t, page("text/html", goodPage))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			slow, _, _ := heldSite(t)
			logs, logger := testsupport.JSONLogger(slog.LevelDebug)
			c := NewScraper(Config{
				Campaigns: []source.Campaign{
					hostileCampaign("good", good, read.KindAuto, time.Second, map[read.Field]string{read.FieldRaised: "#raised"}),
					hostileCampaign("bad", slow, read.KindAuto, tc.campaignTimeout, map[read.Field]string{read.FieldRaised: "#raised"}),
				},
				Fetcher:             fetch.NewFetcher(fetch.FetcherConfig{}),
				Logger:              logger,
				ScrapeTimeoutOffset: tc.offset,
			})
			h := c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{Timeout: tc.handlerTimeout})
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			if tc.header != "" {
				req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", tc.header)
			}
			rec := httptest.NewRecorder()
			begin := time.Now()
			h.ServeHTTP(rec, req)
			took := time.Since(begin)
			if took < tc.want || took > tc.want+time.Second {
				t.Errorf("scrape took %v, want about %v", took, tc.want)
			}
			body := rec.Body.String()
			for _, line := range []string{`donation_up{campaign="bad"} 0`, `donation_up{campaign="good"} 1`,
				`donation_raised{campaign="good",currency="USD"} 1234.5`} {
				if rec.Code != http.StatusOK || !strings.Contains(body, line+"\n") {
					t.Errorf("status %d, output lacks %s", rec.Code, line)
				}
			}
			errs := logs.Records(t, "level", "ERROR")
			if len(errs) != 1 || !strings.Contains(errs[0]["err"].(string), tc.wantErr) {
				t.Errorf("error lines %v, want one with %q", errs, tc.wantErr)
			}
		})
	}
}

func TestMaxRequestsInFlight(t *testing.T) {
	slow, hits, release := heldSite(t)
	c := NewScraper(Config{
		Campaigns: []source.Campaign{hostileCampaign("slow", slow, read.KindAuto, 5*time.Second,
			map[read.Field]string{read.FieldRaised: "#raised"})},
		Fetcher: fetch.NewFetcher(fetch.FetcherConfig{}),
	})
	var entered atomic.Int32
	h := c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{MaxRequestsInFlight: 2})
	exporter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered.Add(1)
		h.ServeHTTP(w, r)
	}))
	defer exporter.Close()
	get := func() (int, string) {
		resp, err := http.Get(exporter.URL)
		if err != nil {
			t.Error(err)
			return 0, ""
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = get()
		}()
	}
	for entered.Load() < 2 || hits.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // both past the limit's gate
	code, body := get()
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "Limit of concurrent requests reached (2)") {
		t.Errorf("third request: %d %q, want 503 and the limit", code, body)
	}
	release()
	wg.Wait()
	if codes[0] != http.StatusOK || codes[1] != http.StatusOK {
		t.Errorf("requests within the limit: %v, want 200s", codes)
	}
	if hits.Load() != 1 {
		t.Errorf("site fetched %d times for two concurrent scrapes, want 1", hits.Load())
	}
	if code, _ := get(); code != http.StatusOK {
		t.Errorf("request after the others ended: %d", code)
	}
}
