package fetch

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
)

// concurrencySite is a slow site that counts the requests it serves at
// the same time, in its handler.
type concurrencySite struct {
	*httptest.Server
	running, most, served atomic.Int32
}

func newConcurrencySite(t *testing.T, delay time.Duration) *concurrencySite {
	t.Helper()
	s := &concurrencySite{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.running.Add(1)
		defer s.running.Add(-1)
		for m := s.most.Load(); n > m && !s.most.CompareAndSwap(m, n); m = s.most.Load() {
		}
		s.served.Add(1)
		time.Sleep(delay)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"raised": 1}`)
	}))
	t.Cleanup(s.Close)
	return s
}

// TestFetcherBoundsFetchesPerHost fetches 20 campaigns' pages on one slow
// host at once, beside a fast host: the slow host never serves more than
// MaxFetchesPerHost at once, and the fast host is not held up by the
// slow host's queue.
func TestFetcherBoundsFetchesPerHost(t *testing.T) {
	const delay = 100 * time.Millisecond
	tests := []struct {
		name     string
		perHost  int
		wantMost int32
	}{
		{name: "default of 4", perHost: 0, wantMost: DefaultMaxFetchesPerHost},
		{name: "2", perHost: 2, wantMost: 2},
		{name: "no bound", perHost: -1, wantMost: 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			slow := newConcurrencySite(t, delay)
			fast := newConcurrencySite(t, 0)
			f := NewFetcher(FetcherConfig{MaxFetchesPerHost: tc.perHost, MaxParses: 64})
			var wg sync.WaitGroup
			for i := range 20 {
				wg.Go(func() {
					if _, err := f.Do(t.Context(), Request{URL: fmt.Sprintf("%s/campaign/%d", slow.URL, i)}); err != nil {
						t.Error(err)
					}
				})
			}
			// Once the slow host's queue has formed, the fast host answers
			// at once: its fetches wait for no slot of the slow host's.
			time.Sleep(delay / 4)
			began := time.Now()
			for i := range 5 {
				if _, err := f.Do(t.Context(), Request{URL: fmt.Sprintf("%s/campaign/%d", fast.URL, i)}); err != nil {
					t.Error(err)
				}
			}
			fastTook := time.Since(began)
			wg.Wait()
			if got := slow.most.Load(); got != tc.wantMost {
				t.Errorf("the slow host served at most %d requests at once, want %d", got, tc.wantMost)
			}
			if got := slow.served.Load(); got != 20 {
				t.Errorf("the slow host served %d requests, want 20", got)
			}
			if fastTook >= delay {
				t.Errorf("5 fetches of the fast host took %v while the slow host was busy, want under %v", fastTook, delay)
			}
		})
	}
}

// TestFetcherHostWaitEndsWithContext checks that a fetch waiting for a
// slot of a busy host gives up with its context, saying what it waited
// for, and that the slot is free again once the fetches holding it end.
func TestFetcherHostWaitEndsWithContext(t *testing.T) {
	release := make(chan struct{})
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if r.URL.Path == "/hold" {
			<-release
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	f := NewFetcher(FetcherConfig{MaxFetchesPerHost: 1})
	held := make(chan error, 1)
	go func() {
		_, err := f.Do(context.Background(), Request{URL: srv.URL + "/hold"})
		held <- err
	}()
	for served.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := f.Do(ctx, Request{URL: srv.URL + "/next"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("fetch behind a held slot: %v, want a deadline exceeded", err)
	}
	if want := "wait for one of the 1 fetches"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if got := served.Load(); got != 1 {
		t.Errorf("the host served %d requests, want 1: the waiting one must not have been sent", got)
	}
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if _, err := f.Do(t.Context(), Request{URL: srv.URL + "/next"}); err != nil {
		t.Errorf("fetch after the slot was given back: %v", err)
	}
}

// TestHostBudgetKeepsIdleHostsBounded: an idle host's slots are kept for
// its next fetch, but no more than maxIdleHosts hosts are known; a host
// whose slot is held is never dropped, and its slot still counts.
func TestHostBudgetKeepsIdleHostsBounded(t *testing.T) {
	b := newHostBudget(1)
	held, err := b.acquire(context.Background(), "held.example:443")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 * maxIdleHosts {
		h, err := b.acquire(context.Background(), fmt.Sprintf("h%d.example:443", i))
		if err != nil {
			t.Fatal(err)
		}
		b.release(h)
		if n := len(b.hosts); n > maxIdleHosts+1 {
			t.Fatalf("%d hosts known after %d fetches, want at most %d", n, i+1, maxIdleHosts+1)
		}
	}
	if b.hosts["held.example:443"] != held {
		t.Fatal("the host whose slot is held was dropped")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.acquire(ctx, "held.example:443"); err == nil {
		t.Fatal("a second fetch got the held host's only slot")
	}
	b.release(held)
	if h, err := b.acquire(context.Background(), "held.example:443"); err != nil || h != held {
		t.Fatalf("after the release: %v, %v", h, err)
	}
}
