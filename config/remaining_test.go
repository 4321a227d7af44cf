package config

import (
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"github.com/donation-exporter/donation_exporter/read"
)

// A page that says what is still needed and the goal, but not what was
// raised, as some appeals do ("£12,500 still needed of our £50,000 goal").
const remainingPage = `<html><body>
<p class="still-needed">£12,500 still needed</p><p class="goal">of our £50,000 goal</p>
<aside class="other-appeal">£3,000 raised of £4,000</aside>
</body></html>`

const remainingJSON = `{"appeal":{"goal":"50000","left":"12500"}}`

func TestRemainingWithoutRaised(t *testing.T) {
	tests := []struct {
		name        string
		vars        []string
		body        string
		contentType string
	}{
		{name: "selectors on a page, platform detected from the content",
			vars: []string{"URL=https://appeal.example/", "REMAINING_SELECTOR=p.still-needed", "TARGET_SELECTOR=p.goal"},
			body: remainingPage, contentType: "text/html"},
		{name: "PLATFORM=html",
			vars: []string{"URL=https://appeal.example/", "PLATFORM=html", "REMAINING_SELECTOR=p.still-needed", "TARGET_SELECTOR=p.goal"},
			body: remainingPage, contentType: "text/html"},
		{name: "PLATFORM=json",
			vars: []string{"URL=https://appeal.example/api", "PLATFORM=json", "REMAINING_SELECTOR=appeal.left", "TARGET_SELECTOR=appeal.goal", "CURRENCY=GBP"},
			body: remainingJSON, contentType: "application/json"},
		{name: "a fixed target",
			vars: []string{"URL=https://appeal.example/", "REMAINING_SELECTOR=p.still-needed", "TARGET=50000"},
			body: remainingPage, contentType: "text/html"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load(campaign0("appeal", tc.vars...), testsupport.Presets())
			if err != nil {
				t.Fatal(err)
			}
			c := cfg.Campaigns[0]
			if c.Spec.ZeroConfig {
				t.Fatal("zero-config is on although the settings say where the figures are")
			}
			vals, _, err := read.Page([]byte(tc.body), tc.contentType, c.Kind, c.Spec, time.Now())
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if vals.Raised == nil || *vals.Raised != 37500 || vals.Target == nil || *vals.Target != 50000 {
				t.Errorf("raised %v, target %v; want 37500 of 50000", vals.Raised, vals.Target)
			}
			if vals.Currency != "GBP" {
				t.Errorf("currency %q, want GBP", vals.Currency)
			}
		})
	}
}

func TestSelectorsOnlyPlatformNeedsRaised(t *testing.T) {
	for _, platform := range []string{"html", "json"} {
		t.Run(platform, func(t *testing.T) {
			_, err := Load(campaign0("c", "URL=https://appeal.example/", "PLATFORM="+platform, "REMAINING_SELECTOR=p.left"), testsupport.Presets())
			want := "DONATION_CAMPAIGN_0_RAISED_SELECTOR: required with platform " + platform + ", which reads only the selectors given"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want one containing %q", err, want)
			}
		})
	}
}
