package main

import (
	"strings"
	"testing"
)

// TestFutureStart configures campaigns whose START is a week after the
// scrape (serveMetrics scrapes at 2026-06-01): one with nothing raised
// serves as not_started with donation_up 1; one whose page already shows
// money fails alone, its error naming START, and the campaign beside it
// is untouched.
func TestFutureStart(t *testing.T) {
	pages := campaignPages(t)
	environ := append(append(append([]string{},
		campaignEnv(0, map[string]string{"NAME": "opens", "URL": pages + "/opens", "RAISED": "0", "TARGET": "5000", "START": "2026-06-08", "DEADLINE": "2026-07-08"})...),
		campaignEnv(1, map[string]string{"NAME": "raised_early", "URL": pages + "/early", "RAISED_SELECTOR": ".raised", "START": "2026-06-08"})...),
		campaignEnv(2, map[string]string{"NAME": "running", "URL": pages + "/running", "RAISED_SELECTOR": ".raised", "START": "2026-05-01"})...)
	body := string(serveMetrics(t, environ))
	for _, want := range []string{
		`donation_up{campaign="opens"} 1`,
		`donation_campaign_state{campaign="opens",state="not_started"} 1`,
		`donation_days_left{campaign="opens"} 37.5`,
		`donation_up{campaign="raised_early"} 0`,
		`donation_up{campaign="running"} 1`,
		`donation_raised{campaign="running",currency="EUR"} 800`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, `donation_raised{campaign="raised_early"`) {
		t.Errorf("the campaign with money raised before its start has figures:\n%s", body)
	}
}
