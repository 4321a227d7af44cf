package collector

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/donation-exporter/donation_exporter/endpoint"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// countingPage serves goodPage and counts its requests.
func countingPage(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	hits := &atomic.Int32{}
	url := serveSite(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		page("text/html", goodPage)(w, r)
	})
	return url, hits
}

func TestBadScrapeTimeoutHeader(t *testing.T) {
	site, _ := countingPage(t)
	for _, header := range []string{"NaN", "Inf", "-Inf", "1e300", "-1", "0", "0x1p-1074", "soon"} {
		t.Run(header, func(t *testing.T) {
			logs, logger := testsupport.JSONLogger(slog.LevelDebug)
			c := NewScraper(Config{
				Campaigns: []source.Campaign{hostileCampaign("c", site, read.KindAuto, 5*time.Second,
					map[read.Field]string{read.FieldRaised: "#raised"})},
				Fetcher: fetch.NewFetcher(fetch.FetcherConfig{}),
				Logger:  logger,
			})
			h := c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{Timeout: 30 * time.Second})
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", header)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if !strings.Contains(rec.Body.String(), `donation_up{campaign="c"} 1`+"\n") {
				t.Errorf("header %q: the campaign failed:\n%s", header, rec.Body.String())
			}
			if errs := logs.Records(t, "level", "ERROR"); len(errs) != 0 {
				t.Errorf("header %q logged errors: %v", header, errs)
			}
		})
	}
}

// TestMethods: only GET scrapes; HEAD answers the headers without a
// scrape; anything else is 405, counted and logged.
func TestMethods(t *testing.T) {
	site, hits := countingPage(t)
	logs, logger := testsupport.JSONLogger(slog.LevelDebug)
	rejections := endpoint.NewRejections(logger)
	c := NewScraper(Config{
		Campaigns: []source.Campaign{hostileCampaign("c", site, read.KindAuto, 5*time.Second,
			map[read.Field]string{read.FieldRaised: "#raised"})},
		Fetcher:    fetch.NewFetcher(fetch.FetcherConfig{}),
		Logger:     logger,
		Rejections: rejections,
	})
	mux := http.NewServeMux()
	mux.Handle("/metrics", c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{}))
	mux.Handle("/probe", c.ProbeHandler(promhttp.HandlerOpts{}))
	exporter := httptest.NewServer(mux)
	defer exporter.Close()

	tests := []struct {
		method, path string
		wantCode     int
	}{
		{http.MethodPost, "/metrics", http.StatusMethodNotAllowed},
		{http.MethodPut, "/metrics", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/metrics", http.StatusMethodNotAllowed},
		{http.MethodTrace, "/metrics", http.StatusMethodNotAllowed},
		{http.MethodPost, "/probe?campaign=c", http.StatusMethodNotAllowed},
		{http.MethodHead, "/metrics", http.StatusOK},
		{http.MethodHead, "/probe?campaign=c", http.StatusOK},
		{http.MethodHead, "/probe?campaign=nope", http.StatusNotFound},
		{http.MethodHead, "/probe", http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, exporter.URL+tc.path, strings.NewReader("x"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantCode {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.wantCode)
			}
			if tc.wantCode == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow %q, want GET, HEAD", resp.Header.Get("Allow"))
			}
			if tc.method == http.MethodHead && tc.wantCode == http.StatusOK && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
				t.Errorf("HEAD Content-Type %q, want the metrics format", resp.Header.Get("Content-Type"))
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the site was fetched %d times, want 0: no request above scrapes", n)
	}
	testsupport.CheckRejected(t, rejections, map[string]int{endpoint.ReasonMethod: 5})
	warns := logs.Records(t, "level", "WARN")
	if len(warns) == 0 || warns[0]["reason"] != "method" || warns[0]["method"] != "POST" || warns[0]["client"] != "127.0.0.1" {
		t.Errorf("rejections logged as %v", warns)
	}
	// GET still scrapes.
	resp, err := http.Get(exporter.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || hits.Load() != 1 {
		t.Errorf("GET: status %d, site fetched %d times", resp.StatusCode, hits.Load())
	}
}

// TestInFlightRejectionsCounted: the 503s of the in-flight limit are
// counted, and logged at a bounded rate.
func TestInFlightRejectionsCounted(t *testing.T) {
	slow, hits, release := heldSite(t)
	logs, logger := testsupport.JSONLogger(slog.LevelDebug)
	rejections := endpoint.NewRejections(logger)
	c := NewScraper(Config{
		Campaigns: []source.Campaign{hostileCampaign("slow", slow, read.KindAuto, 5*time.Second,
			map[read.Field]string{read.FieldRaised: "#raised"})},
		Fetcher:    fetch.NewFetcher(fetch.FetcherConfig{}),
		Logger:     logger,
		Rejections: rejections,
	})
	exporter := httptest.NewServer(c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{MaxRequestsInFlight: 1}))
	defer exporter.Close()
	first := make(chan int, 1)
	go func() {
		resp, err := http.Get(exporter.URL)
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	for hits.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	const refused = 50
	for range refused {
		resp, err := http.Get(exporter.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("status %d over the limit, want 503", resp.StatusCode)
		}
	}
	release()
	if code := <-first; code != http.StatusOK {
		t.Errorf("request within the limit: %d", code)
	}
	testsupport.CheckRejected(t, rejections, map[string]int{endpoint.ReasonInFlightLimit: refused})
	warns := logs.Records(t, "level", "WARN")
	if len(warns) == 0 || len(warns) > 6 {
		t.Errorf("%d refusals logged in %d lines, want 1 to 6", refused, len(warns))
	}
}

// TestSlowReaderHoldsNoSlot: clients that send requests and never read
// the answers must not hold the in-flight slots, which once kept every
// real scrape out (503) for as long as they stayed connected.
func TestSlowReaderHoldsNoSlot(t *testing.T) {
	site, hits := countingPage(t)
	c := NewScraper(Config{
		Campaigns: []source.Campaign{hostileCampaign("c", site, read.KindAuto, 5*time.Second,
			map[read.Field]string{read.FieldRaised: "#raised"})},
		Fetcher: fetch.NewFetcher(fetch.FetcherConfig{}),
	})
	// Answers far bigger than the server's own write buffers (6 KiB), so
	// that a handler writing to a client that does not read blocks.
	base := prometheus.NewRegistry()
	filler := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "filler", Help: "Bulk."}, []string{"n"})
	for i := range 2000 {
		filler.WithLabelValues(fmt.Sprint(i)).Set(float64(i))
	}
	base.MustRegister(filler)
	exporter := httptest.NewUnstartedServer(c.Handler(base, promhttp.HandlerOpts{MaxRequestsInFlight: 2}))
	// Small socket buffers on the exporter's side: a few answers fill them.
	exporter.Listener = smallBufferListener{exporter.Listener}
	exporter.Start()
	defer exporter.Close()

	const limit, pipelined = 2, 50
	for range limit {
		conn, err := net.DialTCP("tcp", nil, exporter.Listener.Addr().(*net.TCPAddr))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetReadBuffer(4096)
		go func() {
			w := bufio.NewWriter(conn)
			for range pipelined {
				fmt.Fprintf(w, "GET / HTTP/1.1\r\nHost: exporter\r\n\r\n")
			}
			_ = w.Flush()
		}()
	}
	// Wait until the server is stuck writing to the two: their scrapes
	// (one fetch of the site each) stop.
	testsupport.WaitStill(t, hits.Load, 100*time.Millisecond, 500*time.Millisecond, 20*time.Second,
		"the two clients' scrapes (the answers fit the buffers)")
	// Real scrapes keep answering 200 while the two never read.
	client := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(3 * time.Second)
	for ok := 0; time.Now().Before(deadline); {
		resp, err := client.Get(exporter.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("a real scrape got %d while two clients did not read their answers", resp.StatusCode)
		}
		if ok++; ok >= 5 {
			break
		}
	}
}

// smallBufferListener gives each accepted connection a small send buffer.
type smallBufferListener struct{ net.Listener }

func (l smallBufferListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetWriteBuffer(4096)
	}
	return conn, err
}
