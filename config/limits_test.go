package config

import (
	"strings"
	"testing"
	"time"
)

// campaignVars are the variables of a minimal valid campaign i.
func campaignVars(i string, extra ...string) []string {
	p := "DONATION_CAMPAIGN_" + i + "_"
	return append([]string{p + "NAME=c" + i, p + "URL=https://example.org/" + i, p + "RAISED_SELECTOR=#raised"}, extra...)
}

func TestLoadFetchAndServeLimits(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		cfg, err := Load(campaignVars("0"))
		if err != nil {
			t.Fatal(err)
		}
		e := cfg.Env
		if e.MaxBodyBytes != 5<<20 || e.MaxRedirects != 5 || e.MaxRequestsInFlight != 128 ||
			e.MetricsTimeout != 30*time.Second || e.MinInterval != 0 || e.UserAgent != "" {
			t.Errorf("defaults %+v", e)
		}
		if c := cfg.Campaigns[0]; c.InsecureSkipVerify || c.MinInterval != 0 {
			t.Errorf("campaign defaults %+v", c)
		}
	})
	t.Run("set", func(t *testing.T) {
		environ := append(campaignVars("0", "DONATION_CAMPAIGN_0_INSECURE_SKIP_VERIFY=true"),
			campaignVars("1", "DONATION_CAMPAIGN_1_MIN_INTERVAL=0s")...)
		environ = append(environ, campaignVars("2", "DONATION_CAMPAIGN_2_MIN_INTERVAL=5m")...)
		environ = append(environ, "DONATION_MIN_INTERVAL=1m", "DONATION_USER_AGENT=me/1.0",
			"DONATION_MAX_BODY_BYTES=1048576", "DONATION_MAX_REDIRECTS=0", "DONATION_MAX_REQUESTS_IN_FLIGHT=0",
			"DONATION_METRICS_TIMEOUT=5s")
		cfg, err := Load(environ)
		if err != nil {
			t.Fatal(err)
		}
		e := cfg.Env
		if e.UserAgent != "me/1.0" || e.MaxBodyBytes != 1<<20 || e.MaxRedirects != 0 ||
			e.MaxRequestsInFlight != 0 || e.MetricsTimeout != 5*time.Second {
			t.Errorf("globals %+v", e)
		}
		wantInterval := []time.Duration{time.Minute, 0, 5 * time.Minute}
		for i, c := range cfg.Campaigns {
			if c.MinInterval != wantInterval[i] {
				t.Errorf("campaign %d MinInterval %v, want %v", i, c.MinInterval, wantInterval[i])
			}
			if c.InsecureSkipVerify != (i == 0) {
				t.Errorf("campaign %d InsecureSkipVerify %v", i, c.InsecureSkipVerify)
			}
		}
	})
	bad := []struct{ name, variable, want string }{
		{"body cap zero", "DONATION_MAX_BODY_BYTES=0", "DONATION_MAX_BODY_BYTES: 0 must be a positive number of bytes"},
		{"negative redirects", "DONATION_MAX_REDIRECTS=-1", "DONATION_MAX_REDIRECTS: -1 must be 0 (follow none) or more"},
		{"negative in-flight limit", "DONATION_MAX_REQUESTS_IN_FLIGHT=-2", "DONATION_MAX_REQUESTS_IN_FLIGHT: -2 must be 0 (no limit) or more"},
		{"negative metrics timeout", "DONATION_METRICS_TIMEOUT=-1s", "DONATION_METRICS_TIMEOUT: -1s must be 0"},
		{"negative per-host bound", "DONATION_MAX_FETCHES_PER_HOST=-1", "DONATION_MAX_FETCHES_PER_HOST: -1 must be 0 (no bound) or more"},
		{"negative global interval", "DONATION_MIN_INTERVAL=-1m", "DONATION_MIN_INTERVAL: -1m0s must be 0 (off)"},
		{"insecure not a boolean", "DONATION_CAMPAIGN_0_INSECURE_SKIP_VERIFY=yes please",
			`DONATION_CAMPAIGN_0_INSECURE_SKIP_VERIFY: "yes please" is not true or false`},
		{"interval not a duration", "DONATION_CAMPAIGN_0_MIN_INTERVAL=hourly",
			`DONATION_CAMPAIGN_0_MIN_INTERVAL: "hourly" is not a duration such as 1m`},
		{"interval negative", "DONATION_CAMPAIGN_0_MIN_INTERVAL=-5s",
			`DONATION_CAMPAIGN_0_MIN_INTERVAL: "-5s" is not a duration`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(campaignVars("0", tc.variable))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestMaxFetchesPerHost checks what MAX_FETCHES_PER_HOST gives the
// fetcher: its 0 means "no bound", the fetcher's 0 its default.
func TestMaxFetchesPerHost(t *testing.T) {
	tests := []struct {
		name     string
		variable []string
		want     int
	}{
		{name: "default", want: 4},
		{name: "set", variable: []string{"DONATION_MAX_FETCHES_PER_HOST=10"}, want: 10},
		{name: "zero is no bound", variable: []string{"DONATION_MAX_FETCHES_PER_HOST=0"}, want: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load(campaignVars("0", tc.variable...))
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.FetcherConfig("test").MaxFetchesPerHost; got != tc.want {
				t.Errorf("MaxFetchesPerHost = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestPlatformMinInterval checks that a preset's min_interval is a floor
// under MIN_INTERVAL, from either setting, and no more than a floor.
func TestPlatformMinInterval(t *testing.T) {
	donordrive := func(extra ...string) []string {
		return append([]string{
			"DONATION_CAMPAIGN_0_NAME=el",
			"DONATION_CAMPAIGN_0_URL=https://www.extra-life.org/participant/297674",
		}, extra...)
	}
	tests := []struct {
		name    string
		environ []string
		want    time.Duration
	}{
		{name: "unset", environ: donordrive(), want: 15 * time.Second},
		{name: "campaign's below the floor", environ: donordrive("DONATION_CAMPAIGN_0_MIN_INTERVAL=0s"), want: 15 * time.Second},
		{name: "default below the floor", environ: donordrive("DONATION_MIN_INTERVAL=5s"), want: 15 * time.Second},
		{name: "campaign's above the floor", environ: donordrive("DONATION_CAMPAIGN_0_MIN_INTERVAL=1m"), want: time.Minute},
		{name: "default above the floor", environ: donordrive("DONATION_MIN_INTERVAL=2m"), want: 2 * time.Minute},
		{name: "platform without a floor", environ: campaignVars("0"), want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load(tc.environ)
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Campaigns[0].MinInterval; got != tc.want {
				t.Errorf("MinInterval = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("floor over the staleness", func(t *testing.T) {
		_, err := Load(donordrive("DONATION_CAMPAIGN_0_MAX_STALENESS=10s"))
		want := "platform donordrive's minimum interval: 15s must be shorter than DONATION_CAMPAIGN_0_MAX_STALENESS (10s)"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	})
}
