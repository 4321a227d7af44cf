package collector

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
)

// donorDriveCampaign is the campaign of a participant page on base, read
// by the DonorDrive preset, in US dollars.
func donorDriveCampaign(t *testing.T, base string) source.Campaign {
	t.Helper()
	p, _ := testsupport.Presets().Lookup("donordrive")
	url := base + "/participant/297674"
	pc, err := p.Apply(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	pc.Spec.Fields[read.FieldCurrency] = read.FieldSpec{Literal: "USD"}
	pc.Spec.Location = time.UTC
	return source.Campaign{
		Name: "extralife", URL: url, FetchURL: pc.FetchURL, Kind: p.Kind(), Platform: p.Name,
		RaisedBasis: p.RaisedBasis, DonorsBasis: p.DonorsBasis, Spec: pc.Spec, Donations: pc.Donations,
		Timeout: 5 * time.Second,
	}
}

var donationMetrics = []string{
	"donation_last_donation_timestamp_seconds", "donation_last_donation_amount",
	"donation_recent_raised", "donation_recent_donations_hidden_amount", "donation_raised", "donation_up",
}

func TestDonationListMetrics(t *testing.T) {
	srv := testsupport.ExtraLife(t, nil)
	logs, logger := testsupport.JSONLogger(slog.LevelDebug)
	// Ten minutes after the last donation of Extra Life 2018's game day.
	now := time.Date(2018, 11, 2, 23, 41, 26, 283e6, time.UTC)
	c := NewScraper(Config{
		Campaigns: []source.Campaign{donorDriveCampaign(t, srv.URL)},
		Fetcher:   fetch.NewFetcher(fetch.FetcherConfig{}),
		Logger:    logger,
		Now:       func() time.Time { return now },
	})
	// 1h: 2 + 50 (23:31, 23:14); 24h: those and 2 + 126 (14:50, 14:26), Nov 1 23:32 being
	// nine minutes too old; 7d: and 100 + 50 (Nov 1); the July donations are older than a week.
	want := `
# HELP donation_last_donation_amount Amount of the newest donation of the campaign's donation list, in currency units. Absent when its donor hid the amount.
# TYPE donation_last_donation_amount gauge
donation_last_donation_amount{campaign="extralife",currency="USD"} 2
# HELP donation_last_donation_timestamp_seconds When the newest donation of the campaign's donation list was made, as a Unix timestamp. Only for platforms that publish a list.
# TYPE donation_last_donation_timestamp_seconds gauge
donation_last_donation_timestamp_seconds{campaign="extralife"} 1.541201486283e+09
# HELP donation_raised Amount the campaign reports raised, in currency units: so far, or per period as donation_campaign_info's raised_basis says.
# TYPE donation_raised gauge
donation_raised{campaign="extralife",currency="USD"} 380
# HELP donation_recent_donations_hidden_amount Number of donations in the last window (1h, 24h, 7d) whose donor hid the amount: donation_recent_raised leaves them out.
# TYPE donation_recent_donations_hidden_amount gauge
donation_recent_donations_hidden_amount{campaign="extralife",window="1h"} 0
donation_recent_donations_hidden_amount{campaign="extralife",window="24h"} 0
donation_recent_donations_hidden_amount{campaign="extralife",window="7d"} 0
# HELP donation_recent_raised Sum of the amounts known of the donations in the last window (1h, 24h, 7d), from the campaign's donation list, in currency units. Donations whose donor hid the amount are left out of the sum and counted in donation_recent_donations_hidden_amount. Absent for a window the list was not read back over.
# TYPE donation_recent_raised gauge
donation_recent_raised{campaign="extralife",currency="USD",window="1h"} 52
donation_recent_raised{campaign="extralife",currency="USD",window="24h"} 180
donation_recent_raised{campaign="extralife",currency="USD",window="7d"} 330
# HELP donation_up 1 when the campaign's figures are current: its page was read (now, or within its minimum refresh interval or the site's Retry-After) with every configured field; 0 otherwise.
# TYPE donation_up gauge
donation_up{campaign="extralife"} 1
`
	results := c.Scrape(context.Background())
	if err := testutil.CollectAndCompare(c.Metrics(results), strings.NewReader(want), donationMetrics...); err != nil {
		t.Error(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c.Metrics(results))
	problems, err := promlint.NewWithMetricFamilies(mustGather(t, reg)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	if got := results[0].Donations; got == nil || got.Summary.Mismatch != "" {
		t.Errorf("donations = %+v, want the list agreeing with sumDonations", got)
	}
	if warns := logs.Records(t, "level", "WARN"); len(warns) != 0 {
		t.Errorf("warnings for a good list: %v", warns)
	}
}

// TestDonationListFailure: a list that fails leaves the campaign's main
// figures up and its own series absent, and is logged once at warning;
// a list that disagrees with the total says so once, its figures kept.
func TestDonationListFailure(t *testing.T) {
	var calls atomic.Int32
	tests := []struct {
		name    string
		list    http.HandlerFunc
		logMsg  string
		present bool
	}{
		{name: "list answers 500", list: func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			http.Error(w, "down", http.StatusInternalServerError)
		}, logMsg: "donation list left out"},
		// Synthetic: a list that is not one.
		{name: "list is an object", list: func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			_, _ = w.Write([]byte(`{"message":"not found"}`))
		}, logMsg: "donation list left out"},
		// Synthetic: one donation of 5, while the participant says 380.
		{name: "list disagrees with sumDonations", list: func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			_, _ = w.Write([]byte(`[{"amount":5.00,"createdDateUTC":"2018-11-02T23:31:26.283+0000"}]`))
		}, logMsg: "disagrees with the platform's total", present: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := testsupport.ExtraLife(t, tc.list)
			logs, logger := testsupport.JSONLogger(slog.LevelInfo)
			now := time.Date(2018, 11, 2, 23, 41, 26, 0, time.UTC)
			c := NewScraper(Config{
				Campaigns: []source.Campaign{donorDriveCampaign(t, srv.URL)},
				Fetcher:   fetch.NewFetcher(fetch.FetcherConfig{}),
				Logger:    logger,
				Now:       func() time.Time { return now },
			})
			for range 3 {
				now = now.Add(source.MinListInterval) // each scrape walks the list again
				results := c.Scrape(context.Background())
				reg := prometheus.NewPedanticRegistry()
				reg.MustRegister(c.Metrics(results))
				n, err := testutil.GatherAndCount(reg, "donation_raised", "donation_recent_raised", "donation_last_donation_timestamp_seconds")
				if err != nil {
					t.Fatal(err)
				}
				wantSeries := 1
				if tc.present {
					wantSeries = 1 + 3 + 1
				}
				if n != wantSeries {
					t.Errorf("%d series of raised, recent_raised and last_donation_timestamp, want %d", n, wantSeries)
				}
				if results[0].Err != nil {
					t.Errorf("the campaign failed: %v", results[0].Err)
				}
			}
			if got := logs.Records(t, "msg", tc.logMsg); len(got) != 1 || got[0]["level"] != "WARN" {
				t.Errorf("log records %q: %v, want one warning\n%s", tc.logMsg, got, logs.String())
			}
		})
	}
	if calls.Load() != 9 {
		t.Errorf("the lists were asked %d times, want 3 each", calls.Load())
	}
}

func mustGather(t *testing.T, g prometheus.Gatherer) []*dto.MetricFamily {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	return mfs
}

// TestDonationListHidden: a donation whose donor hid the amount leaves the
// last amount out and is counted apart in its windows, never as 0.
func TestDonationListHidden(t *testing.T) {
	// Synthetic: the real list's shape, the newest donation without its
	// amount, as DonorDrive leaves it out.
	srv := testsupport.ExtraLife(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`[{"displayName":"Anonymous","createdDateUTC":"2018-11-02T23:31:26.283+0000"},` +
			`{"amount":50.00,"createdDateUTC":"2018-11-02T23:14:11.393+0000"}]`))
	})
	now := time.Date(2018, 11, 2, 23, 41, 26, 0, time.UTC)
	c := NewScraper(Config{
		Campaigns: []source.Campaign{donorDriveCampaign(t, srv.URL)},
		Fetcher:   fetch.NewFetcher(fetch.FetcherConfig{}),
		Now:       func() time.Time { return now },
	})
	want := `
# HELP donation_last_donation_timestamp_seconds When the newest donation of the campaign's donation list was made, as a Unix timestamp. Only for platforms that publish a list.
# TYPE donation_last_donation_timestamp_seconds gauge
donation_last_donation_timestamp_seconds{campaign="extralife"} 1.541201486283e+09
# HELP donation_recent_donations_hidden_amount Number of donations in the last window (1h, 24h, 7d) whose donor hid the amount: donation_recent_raised leaves them out.
# TYPE donation_recent_donations_hidden_amount gauge
donation_recent_donations_hidden_amount{campaign="extralife",window="1h"} 1
donation_recent_donations_hidden_amount{campaign="extralife",window="24h"} 1
donation_recent_donations_hidden_amount{campaign="extralife",window="7d"} 1
# HELP donation_recent_raised Sum of the amounts known of the donations in the last window (1h, 24h, 7d), from the campaign's donation list, in currency units. Donations whose donor hid the amount are left out of the sum and counted in donation_recent_donations_hidden_amount. Absent for a window the list was not read back over.
# TYPE donation_recent_raised gauge
donation_recent_raised{campaign="extralife",currency="USD",window="1h"} 50
donation_recent_raised{campaign="extralife",currency="USD",window="24h"} 50
donation_recent_raised{campaign="extralife",currency="USD",window="7d"} 50
`
	if err := testutil.CollectAndCompare(c.Metrics(c.Scrape(context.Background())), strings.NewReader(want),
		"donation_last_donation_timestamp_seconds", "donation_last_donation_amount", "donation_recent_raised", "donation_recent_donations_hidden_amount"); err != nil {
		t.Error(err)
	}
}

// TestDonationListBesideFigures: the list is asked for while the figures'
// page is still being fetched, not after it: the figures' answer waits
// here until the list's request has arrived.
func TestDonationListBesideFigures(t *testing.T) {
	listAsked := make(chan struct{})
	var once atomic.Bool
	srv := testsupport.ExtraLife(t, func(w http.ResponseWriter, r *http.Request) {
		if once.CompareAndSwap(false, true) {
			close(listAsked)
		}
		_, _ = w.Write([]byte(`[]`))
	})
	held := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/participants/297674" {
			select {
			case <-listAsked:
			case <-time.After(5 * time.Second):
				http.Error(w, "the list was not asked for while this page was fetched", http.StatusInternalServerError)
				return
			}
		}
		srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer held.Close()
	c := NewScraper(Config{
		Campaigns: []source.Campaign{donorDriveCampaign(t, held.URL)},
		Fetcher:   fetch.NewFetcher(fetch.FetcherConfig{}),
	})
	r := c.Scrape(context.Background())[0]
	if r.Err != nil || r.Donations == nil || r.Donations.Err != nil {
		t.Fatalf("scrape: err %v, donations %+v; want both read", r.Err, r.Donations)
	}
}
