// Package e2e holds tests that run the exporter's packages together, from
// configuration variables to /metrics, against pages served as the real
// platforms serve them.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/donation-exporter/donation_exporter/collector"
	"github.com/donation-exporter/donation_exporter/config"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

// testdata is where the platforms' captures are, one folder a platform,
// with captures.json saying what each shows.
var testdata = filepath.Join("..", "preset", "testdata")

// capture is one page or API answer of a platform, with the figures a
// person reads on it; null (nil) where it says nothing.
type capture struct {
	File            string   `json:"file"`
	Platform        string   `json:"platform"`
	Source          string   `json:"source"`
	OriginalURLPath string   `json:"original_url_path"`
	Raised          *float64 `json:"raised"`
	Target          *float64 `json:"target"`
	Currency        *string  `json:"currency"`
	Donors          *float64 `json:"donors"`
	// Deadline is the UTC date of the campaign's last day.
	Deadline *string `json:"deadline"`
	// Config holds campaign variables the platform needs besides NAME,
	// URL and PLATFORM (DEADLINE for Session).
	Config map[string]string `json:"config"`
	// Token, for a platform whose API wants a key, is given in a
	// TOKEN_FILE; the site answers 401 to a request that does not carry it.
	Token string `json:"token"`
	// Refused marks an answer the preset must not read (JustGiving's
	// documentation sample, without the page's total): donation_up 0
	// and no figure, rather than a part of the total.
	Refused bool `json:"refused"`
	// Accept, when set, is the media type the request must ask for first:
	// JustGiving's API answers XML to a request that does not (406 here).
	Accept string `json:"accept"`
}

func loadCaptures(t *testing.T) []capture {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, "captures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var captures []capture
	if err := json.Unmarshal(data, &captures); err != nil {
		t.Fatalf("captures.json: %v", err)
	}
	return captures
}

// TestEveryCaptureIsListed keeps captures.json whole: a capture added to a
// platform's folder without its figures would be checked by nothing.
func TestEveryCaptureIsListed(t *testing.T) {
	listed := map[string]bool{}
	for _, c := range loadCaptures(t) {
		listed[c.File] = true
		if _, err := os.Stat(filepath.Join(testdata, c.File)); err != nil {
			t.Errorf("captures.json lists %s: %v", c.File, err)
		}
		if c.Source == "" || c.OriginalURLPath == "" || c.Platform == "" {
			t.Errorf("%s: platform, source and original_url_path are required", c.File)
		}
	}
	files, err := filepath.Glob(filepath.Join(testdata, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(testdata, f)
		rel = filepath.ToSlash(rel)
		if !listed[rel] && !strings.HasSuffix(rel, "-500.html") {
			t.Errorf("%s is not in captures.json: add the figures it shows", rel)
		}
	}
}

// TestCapturesThroughMetrics serves every capture under the path the real
// site served it at, configures a campaign with its platform, as a person
// would, and checks /metrics against the figures the capture shows: each
// one exactly, and nothing where the capture says nothing.
func TestCapturesThroughMetrics(t *testing.T) {
	for _, c := range loadCaptures(t) {
		t.Run(c.File, func(t *testing.T) {
			site := captureSite(t, c)
			defer site.Close()

			environ := []string{
				"DONATION_CAMPAIGN_0_NAME=capture",
				"DONATION_CAMPAIGN_0_URL=" + site.URL + c.OriginalURLPath,
				"DONATION_CAMPAIGN_0_PLATFORM=" + c.Platform,
			}
			for k, v := range c.Config {
				environ = append(environ, "DONATION_CAMPAIGN_0_"+k+"="+v)
			}
			if c.Token != "" {
				path := filepath.Join(t.TempDir(), "token")
				if err := os.WriteFile(path, []byte(c.Token+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				environ = append(environ, "DONATION_CAMPAIGN_0_TOKEN_FILE="+path)
			}
			families := scrape(t, environ)
			if c.Refused {
				if up := gauge(families, "donation_up"); up == nil || *up != 0 || families["donation_raised"] != nil {
					t.Fatalf("donation_up = %v and donation_raised %v, want 0 and none", describe(up), families["donation_raised"])
				}
				return
			}
			if up := gauge(families, "donation_up"); up == nil || *up != 1 {
				t.Fatalf("donation_up = %v, want 1", describe(up))
			}
			checkFigure(t, families, "donation_raised", c.Raised)
			checkFigure(t, families, "donation_target", c.Target)
			checkFigure(t, families, "donation_donors", c.Donors)
			wantCurrency := ""
			if c.Currency != nil {
				wantCurrency = *c.Currency
			}
			for _, name := range []string{"donation_raised", "donation_target"} {
				if m := families[name]; m != nil {
					if got := label(m.Metric[0], "currency"); got != wantCurrency {
						t.Errorf("%s currency = %q, want %q", name, got, wantCurrency)
					}
				}
			}
			deadline := gauge(families, "donation_deadline_timestamp_seconds")
			switch {
			case c.Deadline == nil && deadline != nil:
				t.Errorf("deadline %v, but the capture shows none", *deadline)
			case c.Deadline != nil && deadline == nil:
				t.Errorf("no deadline, want %s", *c.Deadline)
			case c.Deadline != nil:
				// The last instant of the campaign: a deadline given as a
				// date counts to the end of that day.
				last := time.Unix(int64(*deadline), 0).Add(-time.Second).UTC().Format(time.DateOnly)
				if last != *c.Deadline {
					t.Errorf("deadline %v is on %s, want %s", *deadline, last, *c.Deadline)
				}
			}
			info := families["donation_campaign_info"]
			if info == nil || label(info.Metric[0], "platform") != c.Platform {
				t.Errorf("donation_campaign_info does not name platform %s: %v", c.Platform, info)
			}
		})
	}
}

// captureSite serves c's file as its platform did: at its path only, to a
// request with its key and asking for what its API answers.
func captureSite(t *testing.T, c capture) *httptest.Server {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(testdata, c.File))
	if err != nil {
		t.Fatal(err)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RequestURI() != c.OriginalURLPath {
			http.NotFound(w, r)
			return
		}
		if c.Token != "" && !carriesToken(r, c.Token) {
			http.Error(w, "an API key is required", http.StatusUnauthorized)
			return
		}
		if c.Accept != "" && !strings.HasPrefix(r.Header.Get("Accept"), c.Accept) {
			http.Error(w, "ask for "+c.Accept, http.StatusNotAcceptable)
			return
		}
		w.Header().Set("Content-Type", contentType(c.File))
		_, _ = w.Write(body)
	}))
}

// carriesToken reports whether r carries token, in a header or the query,
// however the preset sends it.
func carriesToken(r *http.Request, token string) bool {
	for _, values := range r.Header {
		for _, v := range values {
			if strings.Contains(v, token) {
				return true
			}
		}
	}
	return strings.Contains(r.URL.RawQuery, token)
}

func contentType(file string) string {
	if strings.HasSuffix(file, ".js") {
		return "application/javascript"
	}
	return mime.TypeByExtension(filepath.Ext(file))
}

// scrape configures the exporter from environ and reads its /metrics.
func scrape(t *testing.T, environ []string) map[string]*dto.MetricFamily {
	t.Helper()
	cfg, err := config.Load(environ, testsupport.Presets())
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	var logs bytes.Buffer
	coll := collector.NewScraper(collector.Config{
		Campaigns: cfg.Campaigns,
		Fetcher:   fetch.NewFetcher(fetch.FetcherConfig{UserAgent: "donation_exporter/test"}),
		Logger:    slog.New(slog.NewTextHandler(&logs, nil)),
	})
	exporter := httptest.NewServer(coll.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{}))
	defer exporter.Close()
	resp, err := http.Get(exporter.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if up := gauge(families, "donation_up"); up != nil && *up == 0 {
		t.Logf("scrape failed: %s", logs.String())
	}
	return families
}

func gauge(families map[string]*dto.MetricFamily, name string) *float64 {
	m := families[name]
	if m == nil || len(m.Metric) == 0 {
		return nil
	}
	v := m.Metric[0].GetGauge().GetValue()
	return &v
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.Label {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func checkFigure(t *testing.T, families map[string]*dto.MetricFamily, name string, want *float64) {
	t.Helper()
	got := gauge(families, name)
	switch {
	case want == nil && got != nil:
		t.Errorf("%s = %v, but the page says nothing of it", name, *got)
	case want != nil && got == nil:
		t.Errorf("%s missing, want %v", name, *want)
	case want != nil && math.Abs(*got-*want) > 1e-9*math.Max(1, math.Abs(*want)):
		t.Errorf("%s = %v, want %v", name, *got, *want)
	}
}

func describe(f *float64) string {
	if f == nil {
		return "missing"
	}
	return fmt.Sprint(*f)
}

// TestZeroConfigThroughMetrics configures a campaign by its URL alone, on
// a host no preset knows, and reads the figures zero-config agrees on.
func TestZeroConfigThroughMetrics(t *testing.T) {
	tests := []struct {
		file                   string
		raised, target, donors float64
		currency               string
	}{
		{file: "indiegogo-style.html", raised: 3235, target: 10000, donors: 77, currency: "USD"},
		{file: "startsomegood-style.html", raised: 12710, target: 20000, donors: 87, currency: "USD"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			site := httptest.NewServer(http.FileServer(http.Dir(filepath.Join("..", "read", "testdata", "zeroconfig"))))
			defer site.Close()
			families := scrape(t, []string{
				"DONATION_CAMPAIGN_0_NAME=capture",
				"DONATION_CAMPAIGN_0_URL=" + site.URL + "/" + tc.file,
			})
			if up := gauge(families, "donation_up"); up == nil || *up != 1 {
				t.Fatalf("donation_up = %v, want 1", describe(up))
			}
			checkFigure(t, families, "donation_raised", &tc.raised)
			checkFigure(t, families, "donation_target", &tc.target)
			checkFigure(t, families, "donation_donors", &tc.donors)
			if got := label(families["donation_raised"].Metric[0], "currency"); got != tc.currency {
				t.Errorf("currency %q, want %q", got, tc.currency)
			}
			if info := families["donation_campaign_info"]; info == nil || label(info.Metric[0], "platform") != "zero-config" {
				t.Errorf("donation_campaign_info does not say zero-config: %v", info)
			}
		})
	}
}
