package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/donation-exporter/donation_exporter/collector"
	"github.com/donation-exporter/donation_exporter/config"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

// campaignPages serves a page per campaign: its path's length gives the
// amount, so every campaign has figures of its own.
func campaignPages(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<p class="raised">€%d</p><p class="target">€9.000</p><p class="donors">%d donors</p>`,
			len(r.URL.Path)*100, len(r.URL.Path))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// serveMetrics loads environ, scrapes the campaigns at a fixed time and
// returns what the metrics path answers.
func serveMetrics(t *testing.T, environ []string) []byte {
	t.Helper()
	cfg, err := config.Load(environ, testsupport.Presets())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	coll := collector.NewScraper(collector.Config{
		Campaigns: cfg.Campaigns,
		Fetcher:   fetch.NewFetcher(cfg.FetcherConfig("test")),
		Now:       func() time.Time { return at },
	})
	mux := newMux(cfg.Env, coll, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, cfg.MetricsPath, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", cfg.MetricsPath, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// TestFileAndVariablesGiveSameMetrics configures the same three campaigns
// by variables and by a campaigns file: /metrics is the same, byte for byte.
func TestFileAndVariablesGiveSameMetrics(t *testing.T) {
	pages := campaignPages(t)
	campaigns := []map[string]string{
		{"NAME": "spring", "URL": pages + "/spring", "RAISED_SELECTOR": ".raised", "TARGET_SELECTOR": ".target",
			"LABELS": "appeal=spring,team=north"},
		{"NAME": "marathon", "URL": pages + "/marathon-2026", "RAISED_SELECTOR": ".raised", "DONORS_SELECTOR": ".donors",
			"START": "2026-05-01", "DEADLINE": "2026-07-01", "TIMEZONE": "Europe/Berlin", "LABELS": "appeal=spring"},
		{"NAME": "fixed", "URL": pages + "/fixed", "RAISED": "1234.5", "CURRENCY": "GBP", "TARGET": "5000", "MIN_INTERVAL": "1m"},
	}
	var environ []string
	var file strings.Builder
	file.WriteString("campaigns:\n")
	for i, c := range campaigns {
		file.WriteString("  -\n")
		for k, v := range c {
			environ = append(environ, fmt.Sprintf("DONATION_CAMPAIGN_%d_%s=%s", i, k, v))
			if k == "LABELS" {
				file.WriteString("    labels:\n")
				for _, pair := range strings.Split(v, ",") {
					name, value, _ := strings.Cut(pair, "=")
					fmt.Fprintf(&file, "      %s: %s\n", name, value)
				}
				continue
			}
			fmt.Fprintf(&file, "    %s: %q\n", strings.ToLower(k), v)
		}
	}
	path := filepath.Join(t.TempDir(), "campaigns.yml")
	if err := os.WriteFile(path, []byte(file.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	byVars := serveMetrics(t, environ)
	byFile := serveMetrics(t, []string{"DONATION_CONFIG_FILE=" + path})
	if !bytes.Equal(byVars, byFile) {
		t.Errorf("/metrics differs.\nvariables:\n%s\nfile:\n%s", byVars, byFile)
	}
	for _, want := range []string{
		`donation_raised{appeal="spring",campaign="spring",currency="EUR",team="north"} 700`,
		`donation_donors{appeal="spring",campaign="marathon",team=""} 14`,
		`donation_raised{appeal="",campaign="fixed",currency="GBP",team=""} 1234.5`,
	} {
		if !bytes.Contains(byFile, []byte(want)) {
			t.Errorf("/metrics lacks %s:\n%s", want, byFile)
		}
	}
}

// reloadFixture is a reloader over a campaigns file, as run wires it.
type reloadFixture struct {
	path     string
	coll     *collector.Scraper
	reloader *reloader
	mux      *http.ServeMux
	logs     *bytes.Buffer
}

func newReloadFixture(t *testing.T, file string) *reloadFixture {
	t.Helper()
	f := &reloadFixture{path: filepath.Join(t.TempDir(), "campaigns.yml"), logs: &bytes.Buffer{}}
	f.write(t, file)
	cfg, err := config.Load([]string{"DONATION_CONFIG_FILE=" + f.path,
		"DONATION_CAMPAIGN_0_NAME=from-vars", "DONATION_CAMPAIGN_0_URL=https://example.org/v", "DONATION_CAMPAIGN_0_RAISED=1"}, testsupport.Presets())

	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(f.logs, nil))
	f.coll = collector.NewScraper(collector.Config{Campaigns: cfg.Campaigns, Fetcher: fetch.NewFetcher(fetch.FetcherConfig{})})
	f.reloader = newReloader(cfg, f.coll, nil, logger)
	f.mux = newMux(cfg.Env, f.coll, prometheus.NewRegistry(), logger)
	handleCampaigns(f.mux, f.coll, f.reloader, "exporter.example:9366")
	return f
}

func (f *reloadFixture) write(t *testing.T, text string) {
	t.Helper()
	if err := os.WriteFile(f.path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (f *reloadFixture) names() string {
	var names []string
	for _, c := range f.coll.Campaigns() {
		names = append(names, c.Name)
	}
	return strings.Join(names, ",")
}

func (f *reloadFixture) post(t *testing.T, method string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	f.mux.ServeHTTP(rec, httptest.NewRequest(method, config.ReloadPath, nil))
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

func campaignEntry(name string) string {
	return fmt.Sprintf("  - name: %s\n    url: https://example.org/%s\n    raised_selector: .raised\n", name, name)
}

func TestReload(t *testing.T) {
	f := newReloadFixture(t, "campaigns:\n"+campaignEntry("a")+campaignEntry("b"))
	f.reloader.now = func() time.Time { return time.Unix(1000, 0) }
	f.reloader.successAt = time.Unix(1000, 0)
	metricsAt := func(successful int, at int) string {
		return fmt.Sprintf(`
# HELP donation_exporter_config_last_reload_success_timestamp_seconds When the campaigns were last loaded successfully, at start or by a reload, as a Unix timestamp.
# TYPE donation_exporter_config_last_reload_success_timestamp_seconds gauge
donation_exporter_config_last_reload_success_timestamp_seconds %d
# HELP donation_exporter_config_last_reload_successful 1 when the last reload of the campaigns succeeded (or none was asked for), 0 when it failed and the previous campaigns are still watched.
# TYPE donation_exporter_config_last_reload_successful gauge
donation_exporter_config_last_reload_successful %d
`, at, successful)
	}
	tests := []struct {
		name       string
		file       string
		wantCode   int
		wantBody   string
		wantNames  string
		successful int
		at         int
	}{
		{name: "good file adds a campaign", file: "campaigns:\n" + campaignEntry("a") + campaignEntry("b") + campaignEntry("c"),
			wantCode: 200, wantBody: "reloaded", wantNames: "from-vars,a,b,c", successful: 1, at: 2000},
		{name: "unknown key keeps the running campaigns", file: "campaigns:\n" + campaignEntry("a") + "    colour: red\n",
			wantCode: 500, wantBody: `line 5: campaigns[0]: unknown key "colour"`, wantNames: "from-vars,a,b,c", successful: 0, at: 2000},
		{name: "partial file (cut mid-write) keeps them", file: "campaigns:\n" + campaignEntry("a") + "  - name: d\n    url: \"https://exa",
			wantCode: 500, wantBody: "campaigns.yml", wantNames: "from-vars,a,b,c", successful: 0, at: 2000},
		{name: "one bad entry among good ones keeps them", file: "campaigns:\n" + campaignEntry("a") + "  - name: d\n    url: ftp://example.org\n    raised: 1\n",
			wantCode: 500, wantBody: `campaigns[1] (name "d"): url: "ftp://example.org" is not an http or https URL`, wantNames: "from-vars,a,b,c", successful: 0, at: 2000},
		{name: "file gone keeps them", file: "", wantCode: 500, wantBody: "no such file", wantNames: "from-vars,a,b,c", successful: 0, at: 2000},
		{name: "good again: removes and adds", file: "campaigns:\n" + campaignEntry("c") + campaignEntry("e"),
			wantCode: 200, wantBody: "reloaded", wantNames: "from-vars,c,e", successful: 1, at: 7000},
	}
	clock := int64(1000)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock += 1000
			at := clock
			f.reloader.now = func() time.Time { return time.Unix(at, 0) }
			if tc.file == "" {
				if err := os.Remove(f.path); err != nil {
					t.Fatal(err)
				}
			} else {
				f.write(t, tc.file)
			}
			code, body := f.post(t, http.MethodPost)
			if code != tc.wantCode || !strings.Contains(body, tc.wantBody) {
				t.Errorf("POST %s: %d %q, want %d with %q", config.ReloadPath, code, body, tc.wantCode, tc.wantBody)
			}
			if got := f.names(); got != tc.wantNames {
				t.Errorf("campaigns %s, want %s", got, tc.wantNames)
			}
			if err := testutil.CollectAndCompare(f.reloader, strings.NewReader(metricsAt(tc.successful, tc.at))); err != nil {
				t.Error(err)
			}
			if tc.wantCode != 200 && !strings.Contains(f.logs.String(), "reload failed") {
				t.Errorf("the failure was not logged:\n%s", f.logs)
			}
		})
	}
	if code, _ := f.post(t, http.MethodGet); code != http.StatusMethodNotAllowed {
		t.Errorf("GET %s: %d, want 405", config.ReloadPath, code)
	}
}

// TestReloadOnSIGHUP sends the test process SIGHUP while the reloader
// watches for it.
func TestReloadOnSIGHUP(t *testing.T) {
	f := newReloadFixture(t, "campaigns:\n"+campaignEntry("a"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.reloader.watchSignals(ctx)
	f.write(t, "campaigns:\n"+campaignEntry("a")+campaignEntry("b"))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for f.names() != "from-vars,a,b" {
		if time.Now().After(deadline) {
			t.Fatalf("campaigns %s 10 s after SIGHUP, want from-vars,a,b", f.names())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
