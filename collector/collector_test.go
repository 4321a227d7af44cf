package collector

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// upstream serves the platform samples of preset/testdata (provenance in
// its README.md) at their paths there, and a 404 elsewhere.
func upstream(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(filepath.Join("..", "preset", "testdata"))))
	mux.HandleFunc("/api/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func selectors(t *testing.T, texts ...string) read.FieldSpec {
	t.Helper()
	fs := read.FieldSpec{}
	for _, text := range texts {
		sel, err := read.ParseSelector(text)
		if err != nil {
			t.Fatal(err)
		}
		fs.Selectors = append(fs.Selectors, sel)
	}
	return fs
}

func campaign(name, url string, kind read.Kind, fields map[read.Field]read.FieldSpec) source.Campaign {
	return source.Campaign{
		Name: name, URL: url, FetchURL: url, Kind: kind, Timeout: 5 * time.Second,
		Spec: read.Spec{Fields: fields, AmountScale: 1, Location: time.UTC},
	}
}

// testCampaigns are two good campaigns from real page shapes and one whose
// page is gone, side by side.
func testCampaigns(t *testing.T, base string) []source.Campaign {
	return []source.Campaign{
		campaign("family-memorial", base+"/gofundme/campaign-page-2020.html", read.KindHTML, map[read.Field]read.FieldSpec{
			read.FieldRaised: selectors(t, ".m-progress-meter-heading"),
			read.FieldTarget: selectors(t, ".m-progress-meter-heading | /raised of (.*) goal/"),
			read.FieldStart:  selectors(t, `script:contains("initialState") | feed.campaign.launch_date`),
			read.FieldDonors: selectors(t, `script:contains("initialState") | feed.campaign.donation_count`),
			// No deadline: GoFundMe campaigns are open-ended.
		}),
		campaign("online-bleiben", base+"/donorbox/campaign-de.html", read.KindAuto, map[read.Field]read.FieldSpec{
			read.FieldRaised:   selectors(t, "#total-raised"),
			read.FieldTarget:   selectors(t, "#panel-1 .description .bold"),
			read.FieldStart:    {Literal: "2026-04-01"},
			read.FieldDeadline: {Literal: "2026-07-08"},
		}),
		campaign("gone", base+"/no-such-page.html", read.KindHTML, map[read.Field]read.FieldSpec{
			read.FieldRaised: selectors(t, "#total-raised"),
		}),
	}
}

// fixedNow is 2026-06-08 00:00 UTC: 68 days after online-bleiben started,
// 31 days before the end of its deadline day.
var fixedNow = time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC)

const wantCampaignMetrics = `
# HELP donation_campaign_state Where the campaign is in its life: one series per state (not_started, running, ended), 1 for the current one. Once ended, daily_rate is fixed at the deadline and the projections and required_daily_rate are left out.
# TYPE donation_campaign_state gauge
donation_campaign_state{campaign="family-memorial",state="ended"} 0
donation_campaign_state{campaign="family-memorial",state="not_started"} 0
donation_campaign_state{campaign="family-memorial",state="running"} 1
donation_campaign_state{campaign="online-bleiben",state="ended"} 0
donation_campaign_state{campaign="online-bleiben",state="not_started"} 0
donation_campaign_state{campaign="online-bleiben",state="running"} 1
# HELP donation_daily_rate Average amount raised per day since the start, in currency units.
# TYPE donation_daily_rate gauge
donation_daily_rate{campaign="family-memorial",currency="USD"} 126.81304681090943
donation_daily_rate{campaign="online-bleiben",currency="EUR"} 649.3516176470589
# HELP donation_days_left Days until the deadline, fractional, 0 once it has passed.
# TYPE donation_days_left gauge
donation_days_left{campaign="online-bleiben"} 31
# HELP donation_deadline_timestamp_seconds Deadline of the campaign (the end of its last day), as a Unix timestamp.
# TYPE donation_deadline_timestamp_seconds gauge
donation_deadline_timestamp_seconds{campaign="online-bleiben"} 1.7835552e+09
# HELP donation_donors Number of donors the page shows: people, donations, patrons or backers, as donation_campaign_info's donors_basis says.
# TYPE donation_donors gauge
donation_donors{campaign="family-memorial"} 2609
# HELP donation_progress_ratio Amount raised divided by the target.
# TYPE donation_progress_ratio gauge
donation_progress_ratio{campaign="family-memorial"} 2.54245
donation_progress_ratio{campaign="online-bleiben"} 0.25974064705882355
# HELP donation_projected_shortfall Target minus donation_projected_raised, 0 when the campaign is on track, in currency units.
# TYPE donation_projected_shortfall gauge
donation_projected_shortfall{campaign="online-bleiben",currency="EUR"} 105714.18985294117
# HELP donation_projected_raised Forecast of the total raised by the deadline, in currency units: raised so far divided by the share of the final total that campaigns following donation_campaign_info's forecast curve had raised by this point (linear: the average daily rate holds). Only while the campaign runs, with its start and deadline known.
# TYPE donation_projected_raised gauge
donation_projected_raised{campaign="online-bleiben",currency="EUR"} 64285.81014705883
# HELP donation_projected_raised_high High end of the forecast's range of the total by the deadline, in currency units. Absent while the range has no upper bound (early in a campaign, or nothing raised yet), and for a curve file without range columns.
# TYPE donation_projected_raised_high gauge
donation_projected_raised_high{campaign="online-bleiben",currency="EUR"} 135316.76293599795
# HELP donation_projected_raised_low Low end of the forecast's range of the total by the deadline (about 80 % of the campaigns the curve was measured on ended inside the range), in currency units. Absent for a curve file without range columns.
# TYPE donation_projected_raised_low gauge
donation_projected_raised_low{campaign="online-bleiben",currency="EUR"} 45928.76014146037
# HELP donation_raised Amount the campaign reports raised, in currency units: so far, or per period as donation_campaign_info's raised_basis says.
# TYPE donation_raised gauge
donation_raised{campaign="family-memorial",currency="USD"} 254245
donation_raised{campaign="online-bleiben",currency="EUR"} 44155.91
# HELP donation_required_daily_rate Amount needed per day from now to reach the target by the deadline, in currency units.
# TYPE donation_required_daily_rate gauge
donation_required_daily_rate{campaign="online-bleiben",currency="EUR"} 4059.486774193548
# HELP donation_start_timestamp_seconds Start of the campaign, as a Unix timestamp.
# TYPE donation_start_timestamp_seconds gauge
donation_start_timestamp_seconds{campaign="family-memorial"} 1.607655128e+09
donation_start_timestamp_seconds{campaign="online-bleiben"} 1.7750016e+09
# HELP donation_target Fundraising target, in currency units.
# TYPE donation_target gauge
donation_target{campaign="family-memorial",currency="USD"} 100000
donation_target{campaign="online-bleiben",currency="EUR"} 170000
# HELP donation_up 1 when the campaign's figures are current: its page was read (now, or within its minimum refresh interval or the site's Retry-After) with every configured field; 0 otherwise.
# TYPE donation_up gauge
donation_up{campaign="family-memorial"} 1
donation_up{campaign="gone"} 0
donation_up{campaign="online-bleiben"} 1
`

// valueMetrics are every per-campaign metric but the scrape duration, which
// varies from run to run.
var valueMetrics = []string{
	"donation_campaign_state", "donation_daily_rate", "donation_days_left", "donation_deadline_timestamp_seconds", "donation_donors",
	"donation_progress_ratio", "donation_projected_shortfall", "donation_projected_raised",
	"donation_projected_raised_low", "donation_projected_raised_high", "donation_raised",
	"donation_required_daily_rate", "donation_start_timestamp_seconds", "donation_target", "donation_up",
}

func newTestCollector(t *testing.T, campaigns []source.Campaign, logs *bytes.Buffer) *Scraper {
	t.Helper()
	return NewScraper(Config{
		Campaigns: campaigns,
		Fetcher:   fetch.NewFetcher(fetch.FetcherConfig{UserAgent: "donation_exporter/test"}),
		Logger:    slog.New(slog.NewTextHandler(logs, nil)),
		Now:       func() time.Time { return fixedNow },
	})
}

func TestCollectorScrape(t *testing.T) {
	srv := upstream(t)
	var logs bytes.Buffer
	c := newTestCollector(t, testCampaigns(t, srv.URL), &logs)

	metrics := c.Metrics(c.Scrape(context.Background()))
	if err := testutil.CollectAndCompare(metrics, strings.NewReader(wantCampaignMetrics), valueMetrics...); err != nil {
		t.Error(err)
	}

	// One line for the broken campaign, naming it, its URL and the cause.
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("got %d log lines, want 1:\n%s", len(lines), logs.String())
	}
	for _, want := range []string{"level=ERROR", "campaign=gone", "/no-such-page.html", "404 Not Found"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line %q lacks %q", lines[0], want)
		}
	}
}

// TestMetricsEndpoint reads the values through a real /metrics request,
// as Prometheus does, and lints the whole exposition.
func TestMetricsEndpoint(t *testing.T) {
	srv := upstream(t)
	var logs bytes.Buffer
	c := newTestCollector(t, testCampaigns(t, srv.URL), &logs)
	exporter := httptest.NewServer(c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{}))
	t.Cleanup(exporter.Close)

	if err := testutil.ScrapeAndCompare(exporter.URL, strings.NewReader(wantCampaignMetrics), valueMetrics...); err != nil {
		t.Error(err)
	}

	resp, err := http.Get(exporter.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %s, want 200 although one campaign fails", resp.Status)
	}
	problems, err := promlint.New(resp.Body).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		// The one deliberate exception: campaigns are counted in days
		// (README, "Metrics"); the deadline is also exposed in seconds.
		if p.Metric == "donation_days_left" && strings.Contains(p.Text, `base unit "seconds"`) {
			continue
		}
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

// TestScrapeTimeout checks that a page slower than Prometheus' scrape
// timeout fails alone, in time, while the others are reported.
func TestScrapeTimeout(t *testing.T) {
	srv := upstream(t)
	var logs bytes.Buffer
	campaigns := append(testCampaigns(t, srv.URL)[:1],
		campaign("slow", srv.URL+"/api/slow", read.KindJSON, map[read.Field]read.FieldSpec{
			read.FieldRaised: selectors(t, "raised"),
		}))
	c := NewScraper(Config{
		Campaigns:           campaigns,
		Fetcher:             fetch.NewFetcher(fetch.FetcherConfig{}),
		Logger:              slog.New(slog.NewTextHandler(&logs, nil)),
		ScrapeTimeoutOffset: 500 * time.Millisecond,
		Now:                 func() time.Time { return fixedNow },
	})
	exporter := httptest.NewServer(c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{}))
	t.Cleanup(exporter.Close)

	req, err := http.NewRequest(http.MethodGet, exporter.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "1")
	begin := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if elapsed := time.Since(begin); elapsed > 900*time.Millisecond {
		t.Errorf("scrape took %v, want it cut at the 1s timeout less the 0.5s offset", elapsed)
	}
	body := new(bytes.Buffer)
	if _, err := body.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`donation_up{campaign="slow"} 0`, `donation_up{campaign="family-memorial"} 1`} {
		if !strings.Contains(body.String(), want) {
			t.Errorf("metrics after a timeout lack %s:\n%s", want, body)
		}
	}
	if !strings.Contains(logs.String(), "context deadline exceeded") {
		t.Errorf("log does not say the fetch timed out:\n%s", logs.String())
	}
}

func TestScrapeTimeoutHeader(t *testing.T) {
	tests := []struct {
		name    string
		header  string
		offset  time.Duration
		ceiling time.Duration
		want    time.Duration
		ok      bool
	}{
		{name: "absent", header: "", ok: false},
		{name: "offset taken off", header: "10", offset: 500 * time.Millisecond, want: 9500 * time.Millisecond, ok: true},
		{name: "fraction", header: "1.75", offset: 0, want: 1750 * time.Millisecond, ok: true},
		{name: "offset larger than the timeout is not taken off", header: "1.25", offset: 2 * time.Second, want: 1250 * time.Millisecond, ok: true},
		{name: "garbage", header: "soon", ok: false},
		{name: "negative", header: "-3", ok: false},
		{name: "zero", header: "0", ok: false},
		{name: "NaN", header: "NaN", ok: false},
		{name: "Inf", header: "Inf", ok: false},
		{name: "-Inf", header: "-Inf", ok: false},
		{name: "huge: cut to the ceiling, not overflowed into the past", header: "1e300", ceiling: 30 * time.Second, want: 30 * time.Second, ok: true},
		{name: "huge, no ceiling: ten minutes", header: "1e300", want: 10 * time.Minute, ok: true},
		{name: "huge, offset taken off the ceiling", header: "1e18", offset: 500 * time.Millisecond, ceiling: 30 * time.Second, want: 29500 * time.Millisecond, ok: true},
		{name: "tiny: raised to one second", header: "0.001", want: time.Second, ok: true},
		{name: "tiny: raised to one second, then the offset taken off", header: "0.25", offset: 300 * time.Millisecond, want: 700 * time.Millisecond, ok: true},
		{name: "tiny under a ceiling below one second: the ceiling", header: "0.001", ceiling: 200 * time.Millisecond, want: 200 * time.Millisecond, ok: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			if tc.header != "" {
				r.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", tc.header)
			}
			got, ok := scrapeTimeout(r, tc.offset, tc.ceiling)
			if got != tc.want || ok != tc.ok {
				t.Errorf("scrapeTimeout = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
