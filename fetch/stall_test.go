package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// stallingSite serves the ways a site can hold a fetch without finishing
// it, until the test ends:
//
//	/stalled       headers, then nothing
//	/trickle       headers, then a byte every 20 ms
//	/stalled-large more than DefaultSmallPageBytes at once, then nothing
//	/page          a healthy page of size bytes (?size=N)
func stallingSite(t *testing.T) string {
	t.Helper()
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		rc := http.NewResponseController(w)
		switch r.URL.Path {
		case "/stalled":
			w.WriteHeader(http.StatusOK)
			_ = rc.Flush()
		case "/trickle":
			for {
				if _, err := w.Write([]byte("<")); err != nil {
					return
				}
				_ = rc.Flush()
				select {
				case <-done:
					return
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		case "/stalled-large":
			_, _ = w.Write([]byte(strings.Repeat("<p>padding</p>\n", (DefaultSmallPageBytes+64<<10)/15)))
			_ = rc.Flush()
		case "/page":
			var size int
			_, _ = fmt.Sscan(r.URL.Query().Get("size"), &size)
			body := `<p id="raised">$1,234</p>`
			_, _ = w.Write([]byte(body + strings.Repeat("x", max(size-len(body), 0))))
			return
		}
		select {
		case <-done:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) }) // runs first: the handlers return
	return srv.URL
}

// TestHealthyPageBesideStalledSites: sites that send headers and then
// stall or trickle once held every page slot until their timeout, and a
// healthy campaign that answers at once failed with "wait
// for a slot to read the page in". Now it is read beside any number of
// them: its page is not over SmallPageBytes, so it needs no page slot, and
// large bodies that stall give theirs back at the rate rule.
func TestHealthyPageBesideStalledSites(t *testing.T) {
	site := stallingSite(t)
	tests := []struct {
		name string
		cfg  FetcherConfig
		// pageBytes is the healthy page's size.
		pageBytes int
	}{
		// The largest donation page seen is a Next.js page of about 110 KiB.
		{name: "real-sized page, default settings", pageBytes: 110 << 10},
		{name: "page over SmallPageBytes", pageBytes: 1 << 20,
			cfg: FetcherConfig{BodyRateGrace: 100 * time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The stalled "sites" share one test host: lift the bound
			// per host, which would queue them, to test the page slots.
			cfg := tc.cfg
			cfg.MaxFetchesPerHost = -1
			f := NewFetcher(cfg)
			stallCtx, stopStalls := context.WithCancel(t.Context())
			var wg sync.WaitGroup
			defer wg.Wait()
			defer stopStalls()
			slowErrs := make(chan error, 100)
			stall := func(path string, n int) {
				for range n {
					wg.Go(func() {
						_, err := f.Do(stallCtx, Request{URL: site + path})
						if path == "/stalled-large" {
							slowErrs <- err
						}
					})
				}
			}
			stall("/stalled", 4*cap(f.pages))
			stall("/trickle", 4*cap(f.pages))
			stall("/stalled-large", 2*cap(f.pages))
			// Let them all get their headers first, as in the report.
			for deadline := time.Now().Add(10 * time.Second); len(f.pages) < cap(f.pages) && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}

			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			resp, err := f.Do(ctx, Request{URL: fmt.Sprintf("%s/page?size=%d", site, tc.pageBytes)})
			if err != nil {
				t.Fatalf("healthy page beside %d stalled sites: %v", 10*cap(f.pages), err)
			}
			if len(resp.Body) != tc.pageBytes || !strings.HasPrefix(string(resp.Body), `<p id="raised">$1,234</p>`) {
				t.Errorf("healthy page: %d bytes %.40q", len(resp.Body), resp.Body)
			}
			for range 2 * cap(f.pages) {
				err := <-slowErrs
				if !errors.Is(err, ErrSlowBody) {
					t.Errorf("large stalled body: %v, want ErrSlowBody", err)
				}
			}
		})
	}
}

// TestSlowBodyGivesSlotBack checks the rate rule: a body over
// SmallPageBytes that stops arriving, or arrives below MinBodyRate, fails
// with ErrSlowBody once BodyRateGrace has passed and gives its slot back; a
// body that keeps the rate is read whole.
func TestSlowBodyGivesSlotBack(t *testing.T) {
	const smallPage = 1 << 10
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		_, _ = w.Write([]byte(strings.Repeat("x", 2*smallPage)))
		_ = rc.Flush()
		per := 20 * time.Millisecond
		chunk := 4 << 10 // 200 KiB/s
		if r.URL.Path == "/slow" {
			chunk = 100 // 5 KiB/s
		}
		for range 25 { // 0.5 s
			select {
			case <-r.Context().Done():
				return
			case <-time.After(per):
			}
			if _, err := w.Write([]byte(strings.Repeat("x", chunk))); err != nil {
				return
			}
			_ = rc.Flush()
		}
	}))
	defer srv.Close()
	f := NewFetcher(FetcherConfig{MaxPagesInMemory: 1, SmallPageBytes: smallPage,
		MinBodyRate: 64 << 10, BodyRateGrace: 300 * time.Millisecond})

	_, err := f.Do(t.Context(), Request{URL: srv.URL + "/slow"})
	if !errors.Is(err, ErrSlowBody) || !strings.Contains(err.Error(), "at least 65536 bytes/s wanted after 300ms") {
		t.Errorf("body at 5 KiB/s: %v, want ErrSlowBody", err)
	}
	if n := len(f.pages); n != 0 {
		t.Errorf("%d page slots held after the slow body failed", n)
	}
	resp, err := f.Do(t.Context(), Request{URL: srv.URL + "/steady"})
	if err != nil || len(resp.Body) != 2*smallPage+25*(4<<10) {
		t.Errorf("body at 200 KiB/s: %d bytes, %v", len(resp.Body), err)
	}
}

// TestAnnouncedLargeBodyTakesSlotAfterFirstChunk: a body whose
// Content-Length is over SmallPageBytes waits for a slot once its first
// chunk has arrived (not its first SmallPageBytes, which it would then hold
// unslotted besides its full-size buffer); before that chunk it holds none.
func TestAnnouncedLargeBodyTakesSlotAfterFirstChunk(t *testing.T) {
	release := make(chan struct{})
	sent := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(1<<20))
		part := 8 << 10 // under the first chunk
		if r.URL.Path == "/chunk" {
			part = firstChunkBytes + 8<<10
		}
		_, _ = w.Write([]byte(strings.Repeat("x", part)))
		_ = http.NewResponseController(w).Flush()
		sent <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	f := NewFetcher(FetcherConfig{MaxPagesInMemory: 1, BodyRateGrace: time.Hour})
	for _, tc := range []struct {
		path      string
		wantSlots int
	}{{"/start", 0}, {"/chunk", 1}} {
		t.Run(tc.path, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _ = f.Do(ctx, Request{URL: srv.URL + tc.path})
			}()
			<-sent
			for deadline := time.Now().Add(time.Second); len(f.pages) < tc.wantSlots && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(50 * time.Millisecond) // a slot wrongly taken shows by now
			if n := len(f.pages); n != tc.wantSlots {
				t.Errorf("%d page slots held, want %d", n, tc.wantSlots)
			}
			cancel()
			<-done
		})
	}
}
