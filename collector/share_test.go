package collector

import (
	"bytes"
	"context"
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

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// slowSite answers once release is closed, and counts the requests.
func slowSite(t *testing.T) (url string, release chan struct{}, requests *atomic.Int64) {
	t.Helper()
	release, requests = make(chan struct{}), &atomic.Int64{}
	url = serveSite(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		page("application/json", `{"raised": 10}`)(w, r)
	})
	return url, release, requests
}

// waitSharing waits until c has a scrape of every campaign in flight.
func waitSharing(t *testing.T, c *Scraper) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		c.shareMu.Lock()
		s := c.sharing
		c.shareMu.Unlock()
		if s != nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no scrape in flight after 10 s")
		}
	}
}

// TestConcurrentScrapesShare starts a scrape while one is in flight: the
// second gets the first one's results (the same slice), unless it must end
// before the first may, and a client gone does not fail the scrape for
// those that joined it.
func TestConcurrentScrapesShare(t *testing.T) {
	fields := map[read.Field]read.FieldSpec{read.FieldRaised: selectors(t, "raised")}
	for _, tc := range []struct {
		name string
		// leader and joiner return the contexts of the two scrapes.
		leader, joiner func(context.Context) (context.Context, context.CancelFunc)
		// cancelLeader cancels the first scrape's context once the
		// second has started.
		cancelLeader bool
		share        bool
	}{
		{name: "no deadlines", leader: context.WithCancel, joiner: context.WithCancel, share: true},
		{name: "joiner with a later deadline", leader: timeout(time.Minute), joiner: timeout(2 * time.Minute), share: true},
		{name: "joiner with an earlier deadline", leader: timeout(2 * time.Minute), joiner: timeout(time.Minute), share: false},
		{name: "leader gone", leader: context.WithCancel, joiner: context.WithCancel, cancelLeader: true, share: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, release, _ := slowSite(t)
			c := newTestCollector(t, []source.Campaign{campaign("slow", url, read.KindJSON, fields)}, &bytes.Buffer{})
			leaderCtx, cancelLeader := tc.leader(t.Context())
			defer cancelLeader()
			first := make(chan []Result, 1)
			go func() { first <- c.Scrape(leaderCtx) }()
			waitSharing(t, c)
			joinerCtx, cancelJoiner := tc.joiner(t.Context())
			defer cancelJoiner()
			second := make(chan []Result, 1)
			go func() { second <- c.Scrape(joinerCtx) }()
			if tc.cancelLeader {
				time.Sleep(20 * time.Millisecond) // the joiner has joined
				cancelLeader()
			}
			time.Sleep(20 * time.Millisecond)
			close(release)
			a, b := <-first, <-second
			if len(a) != 1 || len(b) != 1 {
				t.Fatalf("results %d and %d, want 1 each", len(a), len(b))
			}
			if shared := &a[0] == &b[0]; shared != tc.share {
				t.Errorf("shared %v, want %v", shared, tc.share)
			}
			if b[0].Err != nil {
				t.Errorf("the second scrape failed: %v", b[0].Err)
			}
		})
	}
}

func timeout(d time.Duration) func(context.Context) (context.Context, context.CancelFunc) {
	return func(ctx context.Context) (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, d) }
}

// TestBoundedPage guards a page like the scrape paths: a request over the
// in-flight limit is answered 503, another method 405, HEAD is served, and
// the page's context ends at the time limit.
func TestBoundedPage(t *testing.T) {
	c := newTestCollector(t, nil, &bytes.Buffer{})
	entered, release := make(chan struct{}, 1), make(chan struct{})
	var deadline atomic.Value
	h := c.Bounded(promhttp.HandlerOpts{MaxRequestsInFlight: 1, Timeout: 3 * time.Second}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d, ok := r.Context().Deadline(); ok {
			deadline.Store(d)
		}
		if r.URL.Query().Get("hold") != "" {
			entered <- struct{}{}
			<-release
		}
		_, _ = w.Write([]byte("page"))
	}))
	serve := func(method, target string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
		return rec
	}
	held := make(chan *httptest.ResponseRecorder)
	go func() { held <- serve(http.MethodGet, "/?hold=1") }()
	<-entered
	if rec := serve(http.MethodGet, "/"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("a page over the limit: status %d, want 503", rec.Code)
	}
	close(release)
	if rec := <-held; rec.Code != http.StatusOK || rec.Body.String() != "page" {
		t.Errorf("the page held: status %d, %q", rec.Code, rec.Body)
	}
	if rec := serve(http.MethodPost, "/"); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", rec.Code)
	}
	begin := time.Now()
	if rec := serve(http.MethodHead, "/"); rec.Code != http.StatusOK {
		t.Errorf("HEAD: status %d, want 200", rec.Code)
	}
	d, ok := deadline.Load().(time.Time)
	if !ok || d.Before(begin) || d.After(begin.Add(3*time.Second+time.Second)) {
		t.Errorf("the page's deadline %v, want within 3 s of %v", d, begin)
	}
}

// TestConcurrentMetricsShareAnswer serves two /metrics at once while the
// scrape is in flight: both get the same answer, built once (a campaign
// left out is logged once, not per request); a third asking for another
// format gets its own.
func TestConcurrentMetricsShareAnswer(t *testing.T) {
	url, release, _ := slowSite(t)
	fields := map[read.Field]read.FieldSpec{read.FieldRaised: selectors(t, "raised")}
	bad := campaign("bad", url, read.KindJSON, fields)
	bad.Labels = map[string]string{"team": "\xff"}
	var logs testsupport.LogBuffer
	c := NewScraper(Config{
		Campaigns: []source.Campaign{campaign("slow", url, read.KindJSON, fields), bad},
		Fetcher:   newTestCollector(t, nil, &bytes.Buffer{}).cfg.Fetcher,
		Logger:    slog.New(slog.NewTextHandler(&logs, nil)),
	})
	h := c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{EnableOpenMetrics: true})
	accepts := []string{"", "", acceptOpenMetrics}
	answers := make([]*httptest.ResponseRecorder, len(accepts))
	var wg sync.WaitGroup
	for i, accept := range accepts {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if i == 0 {
			wg.Go(func() { answers[i] = httptest.NewRecorder(); h.ServeHTTP(answers[i], req) })
			waitSharing(t, c)
			continue
		}
		wg.Go(func() { answers[i] = httptest.NewRecorder(); h.ServeHTTP(answers[i], req) })
	}
	time.Sleep(50 * time.Millisecond) // the others have joined
	close(release)
	wg.Wait()
	for i, a := range answers {
		if a.Code != http.StatusOK || !strings.Contains(a.Body.String(), `donation_up{campaign="slow",team=""} 1`) {
			t.Fatalf("answer %d: status %d:\n%s", i, a.Code, a.Body)
		}
	}
	if answers[0].Body.String() != answers[1].Body.String() {
		t.Errorf("the two text answers differ:\n%s", diffLines(answers[0].Body.String(), answers[1].Body.String()))
	}
	if !strings.HasSuffix(answers[2].Body.String(), "# EOF\n") {
		t.Errorf("the OpenMetrics answer does not end with # EOF:\n%s", answers[2].Body)
	}
	if n := strings.Count(logs.String(), "campaign left out of the metrics"); n != 2 {
		t.Errorf("the campaign left out was logged %d times, want 2 (once per format):\n%s", n, logs.String())
	}
}
