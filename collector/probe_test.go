package collector

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// probeFixture is a collector over two campaigns, "alpha" and "beta", each
// on its own page of an upstream that counts the fetches of each page.
type probeFixture struct {
	coll    *Scraper
	fetches map[string]*atomic.Int64
	now     time.Time
}

func newProbeFixture(t *testing.T) *probeFixture {
	t.Helper()
	pages := map[string]string{
		"/alpha": `<p class="raised">$1,500</p><p class="target">$10,000</p>`,
		"/beta":  `<p class="raised">€2.000</p><p class="target">€4.000</p>`,
	}
	f := &probeFixture{fetches: map[string]*atomic.Int64{}, now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	for path := range pages {
		f.fetches[path] = &atomic.Int64{}
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		f.fetches[r.URL.Path].Add(1)
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, page)
	}))
	t.Cleanup(upstream.Close)
	campaign := func(name string) source.Campaign {
		sel := func(s string) read.FieldSpec {
			return read.FieldSpec{Selectors: []read.Selector{read.MustParseSelector(s)}}
		}
		return source.Campaign{
			Name: name, URL: upstream.URL + "/" + name, Kind: read.KindHTML,
			Spec: read.Spec{AmountScale: 1, Location: time.UTC, Fields: map[read.Field]read.FieldSpec{
				read.FieldRaised: sel(".raised"),
				read.FieldTarget: sel(".target"),
			}},
		}
	}
	f.coll = NewScraper(Config{
		Campaigns: []source.Campaign{campaign("alpha"), campaign("beta")},
		Fetcher:   fetch.NewFetcher(fetch.FetcherConfig{}),
		Now:       func() time.Time { return f.now },
	})
	return f
}

func (f *probeFixture) fetchCount() map[string]int64 {
	counts := map[string]int64{}
	for path, n := range f.fetches {
		counts[path] = n.Load()
	}
	return counts
}

func TestProbeHandler(t *testing.T) {
	tests := []struct {
		name       string
		query      string
		wantStatus int
		wantBody   string // a substring of the response
		// wantMetrics is the exposition of every donation_* series but the
		// scrape duration, which varies; empty when no metrics are expected.
		wantMetrics string
		wantFetches map[string]int64
	}{
		{
			name:       "configured campaign: only its own series",
			query:      "campaign=beta",
			wantStatus: http.StatusOK,
			wantMetrics: `
# HELP donation_progress_ratio Amount raised divided by the target.
# TYPE donation_progress_ratio gauge
donation_progress_ratio{campaign="beta"} 0.5
# HELP donation_raised Amount the campaign reports raised, in currency units: so far, or per period as donation_campaign_info's raised_basis says.
# TYPE donation_raised gauge
donation_raised{campaign="beta",currency="EUR"} 2000
# HELP donation_target Fundraising target, in currency units.
# TYPE donation_target gauge
donation_target{campaign="beta",currency="EUR"} 4000
# HELP donation_up 1 when the campaign's figures are current: its page was read (now, or within its minimum refresh interval or the site's Retry-After) with every configured field; 0 otherwise.
# TYPE donation_up gauge
donation_up{campaign="beta"} 1
`,
			wantFetches: map[string]int64{"/alpha": 0, "/beta": 1},
		},
		{
			name:        "unknown campaign is a 404 and fetches nothing",
			query:       "campaign=gamma",
			wantStatus:  http.StatusNotFound,
			wantBody:    `no campaign named "gamma" is configured`,
			wantFetches: map[string]int64{"/alpha": 0, "/beta": 0},
		},
		{
			name:        "a URL is not a campaign name",
			query:       "campaign=" + url.QueryEscape("http://127.0.0.1:1/alpha"),
			wantStatus:  http.StatusNotFound,
			wantBody:    "no campaign named",
			wantFetches: map[string]int64{"/alpha": 0, "/beta": 0},
		},
		{
			name:        "a target parameter is ignored, not fetched",
			query:       "target=" + url.QueryEscape("http://127.0.0.1:1/alpha"),
			wantStatus:  http.StatusBadRequest,
			wantBody:    "the campaign parameter is missing",
			wantFetches: map[string]int64{"/alpha": 0, "/beta": 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newProbeFixture(t)
			server := httptest.NewServer(f.coll.ProbeHandler(promhttp.HandlerOpts{}))
			defer server.Close()
			target := server.URL + "/probe?" + tc.query

			resp, err := http.Get(target)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d; body:\n%s", resp.StatusCode, tc.wantStatus, body)
			}
			if !strings.Contains(string(body), tc.wantBody) {
				t.Errorf("body %q does not contain %q", body, tc.wantBody)
			}
			if tc.wantMetrics != "" {
				checkOnlyCampaign(t, string(body), "beta")
				if err := testutil.ScrapeAndCompare(target, strings.NewReader(tc.wantMetrics),
					"donation_up", "donation_raised", "donation_target", "donation_progress_ratio"); err != nil {
					t.Error(err)
				}
				tc.wantFetches["/beta"]++ // ScrapeAndCompare probed once more
			}
			if got := f.fetchCount(); fmt.Sprint(got) != fmt.Sprint(tc.wantFetches) {
				t.Errorf("upstream fetches %v, want %v", got, tc.wantFetches)
			}
		})
	}
}

// checkOnlyCampaign fails unless every family in the exposition is a
// donation_* one and every series is labelled with campaign.
func checkOnlyCampaign(t *testing.T, exposition, campaign string) {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(exposition))
	if err != nil {
		t.Fatalf("parse exposition: %v", err)
	}
	var names []string
	for name, family := range families {
		names = append(names, name)
		if !strings.HasPrefix(name, "donation_") {
			t.Errorf("probe exposes %s, want donation_* series only", name)
		}
		for _, m := range family.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "campaign" && l.GetValue() != campaign {
					t.Errorf("probe of %s exposes %s{campaign=%q}", campaign, name, l.GetValue())
				}
			}
		}
	}
	sort.Strings(names)
	want := "[donation_campaign_info donation_campaign_state donation_last_success_timestamp_seconds donation_progress_ratio donation_raised donation_scrape_duration_seconds donation_target donation_up]"
	if fmt.Sprint(names) != want {
		t.Errorf("probe families %v, want %s", names, want)
	}
}

func TestLastResultsMergesProbes(t *testing.T) {
	f := newProbeFixture(t)
	ctx := t.Context()
	names := func(rs []Result) string {
		var out []string
		for _, r := range rs {
			out = append(out, fmt.Sprintf("%s@%s", r.Campaign.Name, r.Time.Format("15:04")))
		}
		return strings.Join(out, " ")
	}
	steps := []struct {
		name   string
		scrape func()
		want   string
	}{
		{name: "before any scrape", scrape: func() {}, want: ""},
		{name: "after a probe of beta", scrape: func() { f.coll.ScrapeCampaign(ctx, "beta") }, want: "beta@12:00"},
		{name: "after a full scrape", scrape: func() { f.now = f.now.Add(time.Minute); f.coll.Scrape(ctx) }, want: "alpha@12:01 beta@12:01"},
		{name: "after a later probe of alpha", scrape: func() { f.now = f.now.Add(time.Minute); f.coll.ScrapeCampaign(ctx, "alpha") }, want: "alpha@12:02 beta@12:01"},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			step.scrape()
			results, at := f.coll.LastResults()
			if got := names(results); got != step.want {
				t.Errorf("LastResults = %q, want %q", got, step.want)
			}
			if len(results) > 0 && !at.Equal(f.now) {
				t.Errorf("LastResults time %v, want %v", at, f.now)
			}
		})
	}
}
