package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestGetAndProbe runs get, scrape and probe against a loopback server:
// the header reaches it, a status other than 200 and a missing line are
// errors that name the page.
func TestGetAndProbe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/metrics":
			if r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds") != "60" {
				http.Error(w, "no scrape timeout header", http.StatusBadRequest)
				return
			}
			_, _ = w.Write([]byte("donation_up{appeal=\"a\",campaign=\"c0\"} 1\ndonation_up{campaign=\"c1\"} 0\ngo_sched_gomaxprocs_threads 2\n"))
		case "/fail":
			http.Error(w, "broken", http.StatusInternalServerError)
		default:
			_, _ = w.Write([]byte("donation_raised 1\n"))
		}
	}))
	defer srv.Close()
	client := &http.Client{Timeout: 10 * time.Second}

	s, err := scrape(t.Context(), client, srv.URL+"/metrics", 2)
	if err != nil || s.down != 1 || s.gauge("go_sched_gomaxprocs_threads") != "2" || s.number("go_sched_gomaxprocs_threads") != 2 {
		t.Errorf("scrape = %+v, %v; want 1 campaign down and GOMAXPROCS 2", s, err)
	}
	tests := []struct {
		name    string
		call    func() error
		wantErr string
	}{
		{"probe with the line", func() error { return probe(t.Context(), client, srv.URL+"/probe", "donation_raised 1") }, ""},
		{"probe without the line", func() error { return probe(t.Context(), client, srv.URL+"/probe", "donation_raised 2") }, `probe: the answer has no line "donation_raised 2"`},
		{"probe answered 500", func() error { return probe(t.Context(), client, srv.URL+"/fail", "") }, "probe: status 500 Internal Server Error: broken"},
		{"status page answered 500", func() error { _, err := getPage(t.Context(), client, srv.URL+"/fail"); return err }, "status page: status 500"},
		{"scrape answered 500", func() error { _, err := scrape(t.Context(), client, srv.URL+"/fail", 1); return err }, "scrape: status 500"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// TestExporterEnv: the stalled campaigns come after the others, numbered
// on from them, with their own TIMEOUT, and the -env variables come last.
func TestExporterEnv(t *testing.T) {
	o := options{campaigns: 2, stalled: 1, stalledWait: 3 * time.Second, kind: "json", env: []string{"DONATION_X=1"}}
	env := exporterEnv(o, "http://site")
	has := map[string]bool{}
	for _, v := range env {
		has[v] = true
	}
	for _, want := range []string{
		"DONATION_LISTEN_ADDRESS=127.0.0.1:0",
		"DONATION_CAMPAIGN_1_URL=http://site/c/1", "DONATION_CAMPAIGN_1_TIMEOUT=60s", "DONATION_CAMPAIGN_1_PLATFORM=json",
		"DONATION_CAMPAIGN_2_NAME=s0", "DONATION_CAMPAIGN_2_URL=http://site/s/0", "DONATION_CAMPAIGN_2_TIMEOUT=3s",
	} {
		if !has[want] {
			t.Errorf("env lacks %s: %q", want, env)
		}
	}
	if env[len(env)-1] != "DONATION_X=1" {
		t.Errorf("last variable %q, want the -env one", env[len(env)-1])
	}
}
