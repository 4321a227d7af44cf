package config

import (
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

func TestLoadMaxStaleness(t *testing.T) {
	t.Run("default and overrides", func(t *testing.T) {
		environ := append(campaignVars("0"), campaignVars("1", "DONATION_CAMPAIGN_1_MAX_STALENESS=20m")...)
		cfg, err := Load(environ, testsupport.Presets())
		if err != nil {
			t.Fatal(err)
		}
		if cfg.MaxStaleness != time.Hour {
			t.Errorf("DONATION_MAX_STALENESS default %v, want 1h", cfg.MaxStaleness)
		}
		for i, want := range []time.Duration{time.Hour, 20 * time.Minute} {
			if got := cfg.Campaigns[i].MaxStaleness; got != want {
				t.Errorf("campaign %d MaxStaleness %v, want %v", i, got, want)
			}
		}
		cfg, err = Load(append(campaignVars("0"), "DONATION_MAX_STALENESS=3h"), testsupport.Presets())
		if err != nil || cfg.Campaigns[0].MaxStaleness != 3*time.Hour {
			t.Errorf("global 3h: %v, %v", cfg.Campaigns, err)
		}
	})
	bad := []struct{ name, want string }{
		{"DONATION_MAX_STALENESS=0s", "DONATION_MAX_STALENESS: 0s must be a positive duration such as 1h"},
		{"DONATION_MAX_STALENESS=soon", `DONATION_MAX_STALENESS: unable to parse duration: time: invalid duration "soon"`},
		{"DONATION_CAMPAIGN_0_MAX_STALENESS=-1h", `DONATION_CAMPAIGN_0_MAX_STALENESS: "-1h" is not a positive duration such as 1h`},
		{"DONATION_CAMPAIGN_0_MIN_INTERVAL=1h", "DONATION_CAMPAIGN_0_MIN_INTERVAL: 1h0m0s must be shorter than DONATION_MAX_STALENESS (1h0m0s)"},
		{"DONATION_MIN_INTERVAL=2h", "DONATION_MIN_INTERVAL: 2h0m0s must be shorter than DONATION_MAX_STALENESS (1h0m0s)"},
		{"DONATION_CAMPAIGN_0_MAX_STALENESS=5m", ""}, // with DONATION_MIN_INTERVAL=10m, below
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			environ := campaignVars("0", tc.name)
			want := tc.want
			if want == "" {
				environ = append(environ, "DONATION_MIN_INTERVAL=10m")
				want = "DONATION_MIN_INTERVAL: 10m0s must be shorter than DONATION_CAMPAIGN_0_MAX_STALENESS (5m0s)"
			}
			_, err := Load(environ, testsupport.Presets())
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v, want %q", err, want)
			}
		})
	}
}
