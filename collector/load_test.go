package collector

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
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

// TestLoad scrapes 50 campaigns with 100 concurrent scrapers for 30 s, in
// waves (all scrapers start together, the next wave when all are done). It
// needs TEST_LOAD=1 (TEST_LOAD_DURATION changes the 30 s):
//
//	TEST_LOAD=1 go test ./collector -run '^TestLoad$' -v -timeout 5m
//
// It asserts no failed scrape, at most one upstream fetch per campaign per
// wave, a bounded heap, and goroutines back to their number before the run.
func TestLoad(t *testing.T) {
	duration := testsupport.LoadDuration(t, 30*time.Second)
	const (
		campaigns = 50
		scrapers  = 100
		// The upstream's answer time, a real donation page's. Scrapes of
		// one wave that reach the exporter more than this after the first
		// one would see a finished fetch and start another: on a busy
		// 2-core machine a wave of 100 spreads over up to ~200 ms.
		latency   = 250 * time.Millisecond
		heapLimit = 256 << 20
	)
	runtime.GC()
	baseGoroutines := runtime.NumGoroutine()

	var fetches [campaigns]atomic.Int64
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/c/%d", &i); err != nil || i < 0 || i >= campaigns {
			http.NotFound(w, r)
			return
		}
		fetches[i].Add(1)
		time.Sleep(latency)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><body><p id="raised">$%d,000</p><p id="target">$1,000,000</p></body></html>`, i+1)
	}))
	fields := map[read.Field]string{read.FieldRaised: "#raised", read.FieldTarget: "#target"}
	var list []source.Campaign
	for i := range campaigns {
		list = append(list, hostileCampaign(fmt.Sprintf("c%d", i), fmt.Sprintf("%s/c/%d", upstream.URL, i),
			read.KindAuto, 10*time.Second, fields))
	}
	fetcherTransport := http.DefaultTransport.(*http.Transport).Clone()
	fetcherTransport.MaxIdleConnsPerHost = campaigns
	c := NewScraper(Config{Campaigns: list, Fetcher: fetch.NewFetcher(fetch.FetcherConfig{Transport: fetcherTransport})})
	exporter := httptest.NewServer(c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{
		MaxRequestsInFlight: 128, Timeout: 30 * time.Second, // the defaults of main
	}))
	clientTransport := &http.Transport{MaxIdleConnsPerHost: scrapers}
	client := &http.Client{Transport: clientTransport}

	scrape := func() (time.Duration, error) {
		req, err := http.NewRequest(http.MethodGet, exporter.URL, nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "10")
		begin := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(begin)
		if err != nil {
			return took, err
		}
		if resp.StatusCode != http.StatusOK {
			return took, fmt.Errorf("status %d", resp.StatusCode)
		}
		for i := range campaigns {
			if !strings.Contains(string(body), fmt.Sprintf("donation_up{campaign=\"c%d\"} 1\n", i)) {
				return took, fmt.Errorf("campaign c%d not up:\n%s", i, body)
			}
		}
		return took, nil
	}

	var (
		waves, failed       int
		maxPerWave          int64
		latencies           []time.Duration
		peakHeap, lastHeaps uint64
		mem                 runtime.MemStats
		mu                  sync.Mutex
	)
	var before [campaigns]int64
	end := time.Now().Add(duration)
	for time.Now().Before(end) {
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range scrapers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				took, err := scrape()
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failed++
					if failed <= 3 {
						t.Errorf("scrape failed: %v", err)
					}
					return
				}
				latencies = append(latencies, took)
			}()
		}
		close(start)
		wg.Wait()
		waves++
		for i := range fetches {
			n := fetches[i].Load()
			maxPerWave = max(maxPerWave, n-before[i])
			before[i] = n
		}
		runtime.ReadMemStats(&mem)
		peakHeap = max(peakHeap, mem.HeapInuse)
		lastHeaps = mem.HeapInuse
	}
	var total int64
	for i := range fetches {
		total += fetches[i].Load()
	}

	exporter.Close()
	upstream.Close()
	clientTransport.CloseIdleConnections()
	fetcherTransport.CloseIdleConnections()
	goroutines := runtime.NumGoroutine()
	for deadline := time.Now().Add(10 * time.Second); goroutines > baseGoroutines && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		goroutines = runtime.NumGoroutine()
	}

	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[int(p*float64(len(latencies)-1))]
	}
	t.Logf("%d campaigns, %d concurrent scrapers, %v upstream latency, %v run (GOMAXPROCS %d)", campaigns, scrapers, latency, duration, runtime.GOMAXPROCS(0))
	t.Logf("waves %d, scrapes %d ok / %d failed (%.0f scrapes/s)", waves, len(latencies), failed, float64(len(latencies))/duration.Seconds())
	t.Logf("scrape latency p50 %v, p99 %v, max %v", pct(0.5), pct(0.99), pct(1))
	t.Logf("upstream fetches %d (%.2f per campaign per wave, at most %d in one wave)", total, float64(total)/float64(campaigns*waves), maxPerWave)
	t.Logf("heap in use: peak %.1f MiB, after the last wave %.1f MiB", float64(peakHeap)/(1<<20), float64(lastHeaps)/(1<<20))
	t.Logf("goroutines: %d before, %d after", baseGoroutines, goroutines)

	if failed > 0 {
		t.Errorf("%d scrapes failed", failed)
	}
	if maxPerWave > 1 {
		t.Errorf("a campaign was fetched %d times in one wave, want at most 1", maxPerWave)
	}
	if peakHeap > heapLimit {
		t.Errorf("heap peaked at %d bytes, over %d", peakHeap, heapLimit)
	}
	if goroutines > baseGoroutines {
		t.Errorf("%d goroutines after the run, %d before: a leak", goroutines, baseGoroutines)
	}
}
