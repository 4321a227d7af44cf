package status

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/collector"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// TestHostileTextStaysShort: a 4 MB number, a 1 MiB status reason phrase
// and a 4 MiB Location once went whole into the errors: 27.7 MB of log in 3 scrapes and a 9.2 MB status page. Each error
// is now cut where it is made, and once more where it is handled.
func TestHostileTextStaysShort(t *testing.T) {
	const huge = 4 << 20
	mux := http.NewServeMux()
	mux.HandleFunc("/number", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<p id="raised">%s</p>`, strings.Repeat("9", 4_000_000))
	})
	mux.HandleFunc("/reason", func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 503 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", strings.Repeat("x", 1<<20))
		_ = buf.Flush()
	})
	refused := func() string { // an address nothing listens on
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}()
	mux.HandleFunc("/location", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", "http://"+refused+"/"+strings.Repeat("a", huge))
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/bad-location", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", "/%zz"+strings.Repeat("a", huge))
		w.WriteHeader(http.StatusFound)
	})
	site := httptest.NewServer(mux)
	defer site.Close()

	paths := []string{"/number", "/reason", "/location", "/bad-location"}
	var campaigns []source.Campaign
	for _, path := range paths {
		campaigns = append(campaigns, source.Campaign{
			Name: strings.TrimPrefix(path, "/"), URL: site.URL + path, FetchURL: site.URL + path, Kind: read.KindHTML,
			Spec: read.Spec{AmountScale: 1, Location: time.UTC, Fields: map[read.Field]read.FieldSpec{
				read.FieldRaised: {Selectors: []read.Selector{read.MustParseSelector("#raised")}},
			}},
		})
	}
	var logs testsupport.LogBuffer
	coll := collector.NewScraper(collector.Config{
		Campaigns: campaigns,
		Fetcher:   fetch.NewFetcher(fetch.FetcherConfig{}),
		Logger:    slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	for range 3 {
		for _, r := range coll.Scrape(t.Context()) {
			if r.Err == nil {
				t.Fatalf("campaign %s read: %+v", r.Campaign.Name, r.Values)
			}
			// Cut where it is made, well below the final cap.
			if n := len(r.Err.Error()); n > 1024 {
				t.Errorf("campaign %s: error of %d bytes: %.200s…", r.Campaign.Name, n, r.Err)
			}
		}
	}
	// 3 scrapes of 4 campaigns: 12 error lines of about a KiB.
	if n := len(logs.String()); n > 12*(1024+256) {
		t.Errorf("%d bytes of log for 3 scrapes", n)
	}
	for _, want := range []string{"HTTP status 503 xxx", "bytes cut", "connection refused", "invalid URL escape", "parse amount"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log does not say %q:\n%.3000s", want, logs.String())
		}
	}

	server := httptest.NewServer(NewHandler(Config{Campaigns: coll, Name: "Donation Exporter", MetricsPath: "/metrics"}))
	defer server.Close()
	code, page := getPage(t, server.URL+"/")
	if code != http.StatusOK {
		t.Fatalf("status page: %d", code)
	}
	// The page without the campaigns is a few KiB; each error adds at most
	// MaxErrorText, escaped.
	if n := len(page); n > 64<<10 {
		t.Errorf("status page of %d bytes", n)
	}
}
