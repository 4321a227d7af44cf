package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/read"
)

// pollClock is a clock tests move by hand.
type pollClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *pollClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *pollClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// pollSite is a JSON donation endpoint whose answer a test changes. Each
// 200 answer reports the number of the request as the amount raised, so a
// test can tell a fetched figure from a reused one.
type pollSite struct {
	srv   *httptest.Server
	hits  atomic.Int32
	mu    sync.Mutex
	reply func(w http.ResponseWriter, r *http.Request, hit int32) bool // true: answered
	etag  string
}

func newPollSite(t *testing.T) *pollSite {
	t.Helper()
	s := &pollSite{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hit := s.hits.Add(1)
		s.mu.Lock()
		reply, etag := s.reply, s.etag
		s.mu.Unlock()
		if reply != nil && reply(w, r, hit) {
			return
		}
		if etag != "" {
			if r.Header.Get("If-None-Match") == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", etag)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"raised": %d}`, hit)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *pollSite) set(reply func(w http.ResponseWriter, r *http.Request, hit int32) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reply = reply
}

func (s *pollSite) poller(clock *pollClock, minInterval time.Duration) *Poller {
	c := Campaign{Name: "c", URL: s.srv.URL, Kind: read.KindJSON, Timeout: 5 * time.Second, MinInterval: minInterval,
		Spec: read.Spec{AmountScale: 1, Fields: map[read.Field]read.FieldSpec{read.FieldRaised: {Selectors: []read.Selector{read.MustParseSelector("raised")}}}}}
	return NewPoller(&c, fetch.NewFetcher(fetch.FetcherConfig{}), clock.Now)
}

// want checks an outcome's figure (0: an error), reuse and fetch count.
func (s *pollSite) want(t *testing.T, out Outcome, raised float64, reused bool, hits int32) {
	t.Helper()
	switch {
	case raised == 0 && out.Err == nil:
		t.Errorf("outcome %+v, want an error", out)
	case raised != 0 && (out.Err != nil || out.Values.Raised == nil || *out.Values.Raised != raised):
		t.Errorf("outcome raised %v err %v, want raised %v", fmtRaised(out.Values.Raised), out.Err, raised)
	}
	if out.Reused != reused {
		t.Errorf("Reused = %v, want %v", out.Reused, reused)
	}
	if got := s.hits.Load(); got != hits {
		t.Errorf("site fetched %d times, want %d", got, hits)
	}
}

var pollStart = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

func TestPollerSharesConcurrentFetches(t *testing.T) {
	site := newPollSite(t)
	release := make(chan struct{})
	site.set(func(w http.ResponseWriter, r *http.Request, hit int32) bool {
		<-release
		return false
	})
	p := site.poller(&pollClock{now: pollStart}, 0)
	const polls = 20
	var started, done sync.WaitGroup
	outcomes := make([]Outcome, polls)
	for i := range polls {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			outcomes[i] = pollNow(p)
		}()
	}
	started.Wait()
	for site.hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // the other polls join the fetch in flight
	close(release)
	done.Wait()
	for i, out := range outcomes {
		if out.Err != nil || *out.Values.Raised != 1 || out.Reused {
			t.Errorf("poll %d: %+v", i, out)
		}
	}
	if got := site.hits.Load(); got != 1 {
		t.Errorf("site fetched %d times for %d concurrent polls, want 1", got, polls)
	}
	// Once the fetch is over, the next poll fetches again (no interval set).
	site.want(t, pollNow(p), 2, false, 2)
}

func TestPollerMinInterval(t *testing.T) {
	site := newPollSite(t)
	clock := &pollClock{now: pollStart}
	p := site.poller(clock, time.Minute)

	first := pollNow(p)
	site.want(t, first, 1, false, 1)
	if !first.LastSuccess.Equal(pollStart) {
		t.Errorf("LastSuccess %v, want %v", first.LastSuccess, pollStart)
	}
	clock.Advance(59 * time.Second)
	again := pollNow(p)
	site.want(t, again, 1, true, 1)
	if !again.LastSuccess.Equal(pollStart) {
		t.Errorf("reused LastSuccess %v, want %v", again.LastSuccess, pollStart)
	}
	clock.Advance(time.Second)
	site.want(t, pollNow(p), 2, false, 2)

	// A failure is an outcome too: it is served again within the interval.
	site.set(func(w http.ResponseWriter, _ *http.Request, _ int32) bool {
		http.Error(w, "down", http.StatusInternalServerError)
		return true
	})
	clock.Advance(time.Minute)
	failed := pollNow(p)
	site.want(t, failed, 0, false, 3)
	if !failed.LastSuccess.Equal(pollStart.Add(time.Minute)) {
		t.Errorf("failed LastSuccess %v, want the previous success", failed.LastSuccess)
	}
	clock.Advance(time.Second)
	site.want(t, pollNow(p), 0, true, 3)
}

func TestPollerConditionalRequests(t *testing.T) {
	site := newPollSite(t)
	site.etag = `"v1"`
	clock := &pollClock{now: pollStart}
	p := site.poller(clock, 0)

	site.want(t, pollNow(p), 1, false, 1)
	clock.Advance(time.Minute)
	confirmed := pollNow(p)
	// The site answered 304: the figures read from hit 1 are still current.
	site.want(t, confirmed, 1, false, 2)
	if !confirmed.LastSuccess.Equal(clock.Now()) {
		t.Errorf("LastSuccess %v after a 304, want %v", confirmed.LastSuccess, clock.Now())
	}
	site.mu.Lock()
	site.etag = `"v2"`
	site.mu.Unlock()
	site.want(t, pollNow(p), 3, false, 3)
}

func TestPollerRetryAfter(t *testing.T) {
	limited := func(code int, retryAfter string) func(http.ResponseWriter, *http.Request, int32) bool {
		return func(w http.ResponseWriter, _ *http.Request, _ int32) bool {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			http.Error(w, "not now", code)
			return true
		}
	}

	t.Run("last good figures served until then", func(t *testing.T) {
		site := newPollSite(t)
		clock := &pollClock{now: pollStart}
		p := site.poller(clock, 0)
		site.want(t, pollNow(p), 1, false, 1)

		site.set(limited(http.StatusTooManyRequests, "120"))
		clock.Advance(10 * time.Second)
		deferred := pollNow(p)
		site.want(t, deferred, 1, false, 2)
		if deferred.Deferred == nil || !strings.Contains(deferred.Deferred.Error(), "429") {
			t.Errorf("Deferred = %v, want the 429", deferred.Deferred)
		}
		if !deferred.LastSuccess.Equal(pollStart) {
			t.Errorf("LastSuccess %v, want the last good fetch %v", deferred.LastSuccess, pollStart)
		}
		clock.Advance(119 * time.Second)
		site.want(t, pollNow(p), 1, true, 2)

		site.set(nil)
		clock.Advance(time.Second)
		fresh := pollNow(p)
		site.want(t, fresh, 3, false, 3)
		if fresh.Deferred != nil || !fresh.LastSuccess.Equal(clock.Now()) {
			t.Errorf("after Retry-After: %+v", fresh)
		}
	})
	t.Run("no figures yet: an error until then", func(t *testing.T) {
		site := newPollSite(t)
		clock := &pollClock{now: pollStart}
		p := site.poller(clock, 0)
		site.set(limited(http.StatusServiceUnavailable, "60"))
		first := pollNow(p)
		site.want(t, first, 0, false, 1)
		var se *fetch.StatusError
		if !errors.As(first.Err, &se) || se.Code != http.StatusServiceUnavailable || !first.LastSuccess.IsZero() {
			t.Errorf("outcome %+v, want a 503 error and no last success", first)
		}
		clock.Advance(59 * time.Second)
		site.want(t, pollNow(p), 0, true, 1)
	})
	t.Run("without Retry-After the next poll fetches", func(t *testing.T) {
		site := newPollSite(t)
		clock := &pollClock{now: pollStart}
		p := site.poller(clock, 0)
		site.want(t, pollNow(p), 1, false, 1)
		site.set(limited(http.StatusTooManyRequests, ""))
		site.want(t, pollNow(p), 0, false, 2)
		site.want(t, pollNow(p), 0, false, 3)
	})
}

func TestPollerCallerGivesUp(t *testing.T) {
	site := newPollSite(t)
	site.set(func(http.ResponseWriter, *http.Request, int32) bool {
		time.Sleep(300 * time.Millisecond)
		return false
	})
	p := site.poller(&pollClock{now: pollStart}, 0)

	patient := make(chan Outcome)
	go func() { patient <- pollNow(p) }()
	for site.hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	hasty := p.Poll(ctx, time.Time{})
	if !errors.Is(hasty.Err, context.DeadlineExceeded) {
		t.Errorf("hasty poll: %v, want a deadline error", hasty.Err)
	}
	// The fetch went on for the poll that could wait.
	site.want(t, <-patient, 1, false, 1)
}

// pollNow polls for a scrape that begins now.
func pollNow(p *Poller) Outcome { return p.Poll(context.Background(), time.Time{}) }

func TestPollerSharesFetchEndedAfterScrapeBegan(t *testing.T) {
	site := newPollSite(t)
	clock := &pollClock{now: pollStart}
	p := site.poller(clock, 0)
	site.want(t, pollNow(p), 1, false, 1) // ends at pollStart

	// A scrape that began before that fetch ended (its poll came late)
	// takes its outcome: it would have shared the fetch had it come sooner.
	site.want(t, p.Poll(context.Background(), pollStart.Add(-time.Second)), 1, false, 1)
	// A scrape that began after it fetches.
	clock.Advance(time.Second)
	site.want(t, p.Poll(context.Background(), pollStart.Add(time.Millisecond)), 2, false, 2)
}

func fmtRaised(p *float64) any {
	if p == nil {
		return "unknown"
	}
	return *p
}
