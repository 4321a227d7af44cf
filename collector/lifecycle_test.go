package collector

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// TestLifecycleMetrics scrapes campaigns in each state, and one whose
// figures cannot be computed with, from pages served on loopback.
func TestLifecycleMetrics(t *testing.T) {
	pages := map[string]string{
		// A Kickstarter-sized campaign that ended long before fixedNow.
		"/ended": `{"raised": 3061, "target": 2500, "start": "2017-08-01", "deadline": "2017-08-30"}`,
		// Not started: announced, nothing raised yet.
		"/not-started": `{"raised": 0, "target": 10000, "start": "` + fixedNow.AddDate(0, 0, 3).Format("2006-01-02") +
			`", "deadline": "` + fixedNow.AddDate(0, 0, 32).Format("2006-01-02") + `"}`,
		// A typo'd year: far, but a date; its timestamp must not overflow.
		"/far": `{"raised": 10, "target": 1000, "start": "2026-06-01", "deadline": "July 8, 3026"}`,
		// Finite amounts whose projection is not.
		"/huge": `{"raised": 1e308, "target": 1000, "start": "2026-06-01", "deadline": "2026-07-08"}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	fields := map[read.Field]read.FieldSpec{
		read.FieldRaised:   selectors(t, "raised"),
		read.FieldTarget:   selectors(t, "target"),
		read.FieldCurrency: {Literal: "USD"},
		read.FieldStart:    selectors(t, "start"),
		read.FieldDeadline: selectors(t, "deadline"),
	}
	var campaigns []source.Campaign
	for _, name := range []string{"ended", "not-started", "far", "huge"} {
		campaigns = append(campaigns, campaign(name, srv.URL+"/"+name, read.KindJSON, fields))
	}
	var logs bytes.Buffer
	c := newTestCollector(t, campaigns, &logs)
	results := c.Scrape(context.Background())

	const want = `
# HELP donation_campaign_state Where the campaign is in its life: one series per state (not_started, running, ended), 1 for the current one. Once ended, daily_rate is fixed at the deadline and the projections and required_daily_rate are left out.
# TYPE donation_campaign_state gauge
donation_campaign_state{campaign="ended",state="ended"} 1
donation_campaign_state{campaign="ended",state="not_started"} 0
donation_campaign_state{campaign="ended",state="running"} 0
donation_campaign_state{campaign="far",state="ended"} 0
donation_campaign_state{campaign="far",state="not_started"} 0
donation_campaign_state{campaign="far",state="running"} 1
donation_campaign_state{campaign="not-started",state="ended"} 0
donation_campaign_state{campaign="not-started",state="not_started"} 1
donation_campaign_state{campaign="not-started",state="running"} 0
# HELP donation_daily_rate Average amount raised per day since the start, in currency units.
# TYPE donation_daily_rate gauge
donation_daily_rate{campaign="ended",currency="USD"} 102.03333333333333
donation_daily_rate{campaign="far",currency="USD"} 1.4285714285714286
# HELP donation_days_left Days until the deadline, fractional, 0 once it has passed.
# TYPE donation_days_left gauge
donation_days_left{campaign="ended"} 0
donation_days_left{campaign="far"} 365273
donation_days_left{campaign="not-started"} 33
# HELP donation_deadline_timestamp_seconds Deadline of the campaign (the end of its last day), as a Unix timestamp.
# TYPE donation_deadline_timestamp_seconds gauge
donation_deadline_timestamp_seconds{campaign="ended"} 1.5041376e+09
donation_deadline_timestamp_seconds{campaign="far"} 3.3340464e+10
donation_deadline_timestamp_seconds{campaign="not-started"} 1.783728e+09
# HELP donation_projected_raised Forecast of the total raised by the deadline, in currency units: raised so far divided by the share of the final total that campaigns following donation_campaign_info's forecast curve had raised by this point (linear: the average daily rate holds). Only while the campaign runs, with its start and deadline known.
# TYPE donation_projected_raised gauge
donation_projected_raised{campaign="far",currency="USD"} 521828.5714285714
# HELP donation_required_daily_rate Amount needed per day from now to reach the target by the deadline, in currency units.
# TYPE donation_required_daily_rate gauge
donation_required_daily_rate{campaign="far",currency="USD"} 0.0027103016100286635
donation_required_daily_rate{campaign="not-started",currency="USD"} 333.3333333333333
# HELP donation_up 1 when the campaign's figures are current: its page was read (now, or within its minimum refresh interval or the site's Retry-After) with every configured field; 0 otherwise.
# TYPE donation_up gauge
donation_up{campaign="ended"} 1
donation_up{campaign="far"} 1
donation_up{campaign="huge"} 0
donation_up{campaign="not-started"} 1
`
	if err := testutil.CollectAndCompare(c.Metrics(results), strings.NewReader(want),
		"donation_campaign_state", "donation_daily_rate", "donation_days_left", "donation_deadline_timestamp_seconds",
		"donation_projected_raised", "donation_required_daily_rate", "donation_up"); err != nil {
		t.Error(err)
	}
	huge := results[3]
	if huge.Err == nil || !strings.Contains(huge.Err.Error(), "projected total is +Inf") {
		t.Errorf("huge campaign error %v, want the projected total named", huge.Err)
	}
	if !strings.Contains(logs.String(), "projected total is +Inf") {
		t.Errorf("the log does not say why huge failed:\n%s", logs.String())
	}
}
