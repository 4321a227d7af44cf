package main

import (
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/collector"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// TestCheckNotes checks that each missing figure names the setting that
// would give it, in the campaign's own spelling (variable or file key), and
// that a deadline already passed is a warning.
func TestCheckNotes(t *testing.T) {
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	at := func(y int, m time.Month, d int) *time.Time { t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); return &t }
	num := func(f float64) *float64 { return &f }
	envCampaign := source.Campaign{Name: "a", SettingPrefix: "DONATION_CAMPAIGN_0_", RaisedBasis: "cumulative", DonorsBasis: "donors"}
	fileCampaign := source.Campaign{Name: "b", SettingPrefix: `c.yml:3: campaigns[0] (name "b"): `, SettingsLower: true, RaisedBasis: "cumulative"}
	typo := envCampaign
	typo.Spec.Fields = map[read.Field]read.FieldSpec{read.FieldDeadline: {Literal: "2025-12-24", Setting: "DONATION_CAMPAIGN_0_DEADLINE"}}
	patreon := source.Campaign{Name: "p", SettingPrefix: "DONATION_CAMPAIGN_2_", RaisedBasis: "per_month", DonorsBasis: "patrons"}
	tests := []struct {
		name    string
		c       source.Campaign
		v       read.Values
		want    []string // substrings, one note each
		wantNot []string
	}{
		{
			name: "everything known", c: envCampaign,
			v:       read.Values{Raised: num(5), Target: num(10), Currency: "USD", Start: at(2026, 11, 1), Deadline: at(2027, 1, 1)},
			wantNot: []string{"missing", "WARNING"},
		},
		{
			name: "nothing but raised", c: envCampaign, v: read.Values{Raised: num(5)},
			want: []string{
				"need a deadline: set DONATION_CAMPAIGN_0_DEADLINE (2026-07-08) or DONATION_CAMPAIGN_0_DEADLINE_SELECTOR",
				"need a start: set DONATION_CAMPAIGN_0_START",
				"need a target: set DONATION_CAMPAIGN_0_TARGET (1000000), DONATION_CAMPAIGN_0_TARGET_SELECTOR or DONATION_CAMPAIGN_0_REMAINING_SELECTOR",
				`currency="": set DONATION_CAMPAIGN_0_CURRENCY (USD)`,
			},
		},
		{
			name: "file keys", c: fileCampaign, v: read.Values{Raised: num(5), Currency: "EUR", Start: at(2026, 11, 1), Target: num(9)},
			want:    []string{`set c.yml:3: campaigns[0] (name "b"): deadline (2026-07-08) or c.yml:3: campaigns[0] (name "b"): deadline_selector`},
			wantNot: []string{"currency=", "need a start"},
		},
		{
			name: "deadline passed", c: typo,
			v:    read.Values{Raised: num(5), Target: num(10), Currency: "USD", Start: at(2025, 11, 1), Deadline: at(2025, 12, 25)},
			want: []string{"WARNING: the deadline 2025-12-25T00:00:00Z passed 343 days ago", "fix DONATION_CAMPAIGN_0_DEADLINE"},
		},
		{
			name: "per-month figures say so", c: patreon, v: read.Values{Raised: num(5), Donors: num(3), Currency: "USD"},
			want: []string{`raised is a per_month figure, not money raised so far (raised_basis="per_month"`, `donors counts patrons`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := collector.Project(tc.v, nil, now)
			if err != nil {
				t.Fatal(err)
			}
			notes := strings.Join(checkNotes(tc.c, tc.v, p, now), "\n")
			for _, w := range tc.want {
				if !strings.Contains(notes, w) {
					t.Errorf("notes lack %q:\n%s", w, notes)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(notes, w) {
					t.Errorf("notes have %q:\n%s", w, notes)
				}
			}
		})
	}
}
