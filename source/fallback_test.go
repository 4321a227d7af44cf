package source

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/read"
)

// TestPageFallback checks which answers of an endpoint send a campaign to
// its page.
func TestPageFallback(t *testing.T) {
	tests := []struct {
		name       string
		status     int // of the endpoint
		fallback   bool
		wantRaised string
		wantErr    string
	}{
		{name: "endpoint answers", status: http.StatusOK, fallback: true, wantRaised: "7"},
		{name: "endpoint not found", status: http.StatusNotFound, fallback: true, wantRaised: "5"},
		{name: "endpoint gone", status: http.StatusGone, fallback: true, wantRaised: "5"},
		{name: "endpoint failing is not gone", status: http.StatusInternalServerError, fallback: true, wantErr: "HTTP status 500"},
		{name: "no fallback asked for", status: http.StatusNotFound, fallback: false, wantErr: "HTTP status 404"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("/page", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				_, _ = w.Write([]byte(`<p id="raised">5</p>`))
			})
			mux.HandleFunc("/api", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(`{"raised": 7}`))
			})
			srv := httptest.NewServer(mux)
			defer srv.Close()
			c := Campaign{
				URL: srv.URL + "/page", FetchURL: srv.URL + "/api", PageFallback: tc.fallback,
				Spec: read.Spec{AmountScale: 1, Fields: map[read.Field]read.FieldSpec{read.FieldRaised: {Selectors: []read.Selector{
					read.MustParseSelector("raised").For(read.KindJSON), read.MustParseSelector("#raised").For(read.KindHTML),
				}}}},
			}
			vals, _, err := Scrape(context.Background(), fetch.NewFetcher(fetch.FetcherConfig{}), c, time.Now())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Scrape error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strconv.FormatFloat(*vals.Raised, 'f', -1, 64); got != tc.wantRaised {
				t.Errorf("raised %s, want %s", got, tc.wantRaised)
			}
			if fellBack := len(vals.Notes) == 1 && strings.Contains(vals.Notes[0], "so the page was read instead"); fellBack != (tc.wantRaised == "5") {
				t.Errorf("notes %q", vals.Notes)
			}
		})
	}
}
