package config

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/read"
)

func TestLoad(t *testing.T) {
	cfg, err := Load([]string{
		"DONATION_LISTEN_ADDRESS=127.0.0.1:9999",
		"DONATION_CAMPAIGN_0_NAME=session",
		"DONATION_CAMPAIGN_0_URL=https://getsession.org/donate",
		"DONATION_CAMPAIGN_0_RAISED_SELECTOR=div[role=progressbar]@aria-valuenow",
		"DONATION_CAMPAIGN_0_TARGET=1000000",
		"DONATION_CAMPAIGN_0_CURRENCY=USD",
		"DONATION_CAMPAIGN_0_DEADLINE=2026-07-08",
		"DONATION_CAMPAIGN_0_TIMEZONE=Australia/Melbourne",
		"DONATION_CAMPAIGN_1_NAME=api",
		"DONATION_CAMPAIGN_1_URL=http://127.0.0.1:8080/progress.json",
		"DONATION_CAMPAIGN_1_PLATFORM=json",
		"DONATION_CAMPAIGN_1_RAISED_SELECTOR=data.amount_cents",
		"DONATION_CAMPAIGN_1_AMOUNT_SCALE=0.01",
		"DONATION_CAMPAIGN_1_TIMEOUT=3s",
		"HOME=/root", // variables of others are none of ours
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ListenAddress != "127.0.0.1:9999" || cfg.MetricsPath != "/metrics" || cfg.ScrapeTimeoutOffset != 500*time.Millisecond {
		t.Errorf("globals = %+v", cfg.Env)
	}
	if len(cfg.Campaigns) != 2 {
		t.Fatalf("got %d campaigns, want 2", len(cfg.Campaigns))
	}
	session, api := cfg.Campaigns[0], cfg.Campaigns[1]
	if session.Name != "session" || session.Kind != read.KindAuto || session.Spec.Location.String() != "Australia/Melbourne" {
		t.Errorf("campaign 0 = %+v", session)
	}
	if got := session.Spec.Fields[read.FieldTarget].Literal; got != "1000000" {
		t.Errorf("campaign 0 target literal = %q", got)
	}
	if got := len(session.Spec.Fields[read.FieldRaised].Selectors); got != 1 {
		t.Errorf("campaign 0 has %d raised selectors, want 1", got)
	}
	if session.Timeout != 0 {
		t.Errorf("campaign 0 timeout = %v, want the default (0)", session.Timeout)
	}
	if api.Kind != read.KindJSON || api.Spec.AmountScale != 0.01 || api.Timeout != 3*time.Second {
		t.Errorf("campaign 1 = %+v", api)
	}
}

func TestLoadErrors(t *testing.T) {
	good := []string{
		"DONATION_CAMPAIGN_0_NAME=a",
		"DONATION_CAMPAIGN_0_URL=https://example.org/donate",
		"DONATION_CAMPAIGN_0_RAISED_SELECTOR=#raised",
	}
	tests := []struct {
		name    string
		environ []string
		wantErr []string
	}{
		{
			name:    "missing name and URL",
			environ: []string{"DONATION_CAMPAIGN_0_RAISED_SELECTOR=#raised"},
			wantErr: []string{"DONATION_CAMPAIGN_0_NAME: required", "DONATION_CAMPAIGN_0_URL: required"},
		},
		{
			name: "duplicate names",
			environ: append(good,
				"DONATION_CAMPAIGN_1_NAME=a", "DONATION_CAMPAIGN_1_URL=https://example.org/x", "DONATION_CAMPAIGN_1_RAISED=5"),
			wantErr: []string{`DONATION_CAMPAIGN_1_NAME: "a" is already the name of campaign 0`},
		},
		{
			name:    "both forms of a field",
			environ: append(good, "DONATION_CAMPAIGN_0_TARGET=1000", "DONATION_CAMPAIGN_0_TARGET_SELECTOR=#goal"),
			wantErr: []string{"DONATION_CAMPAIGN_0_TARGET: set together with TARGET_SELECTOR"},
		},
		{
			name:    "unparsable literals",
			environ: append(good, "DONATION_CAMPAIGN_0_TARGET=lots", "DONATION_CAMPAIGN_0_DEADLINE=2026-02-30", "DONATION_CAMPAIGN_0_CURRENCY=dollars"),
			wantErr: []string{
				`DONATION_CAMPAIGN_0_TARGET: no number in text: "lots"`,
				`DONATION_CAMPAIGN_0_DEADLINE: not a date: "2026-02-30"`,
				`DONATION_CAMPAIGN_0_CURRENCY: "dollars" is not a currency code`,
			},
		},
		{
			name:    "unknown platform",
			environ: append(good, "DONATION_CAMPAIGN_0_PLATFORM=myspace"),
			wantErr: []string{`DONATION_CAMPAIGN_0_PLATFORM: unknown platform "myspace"`},
		},
		{
			name:    "bad selector",
			environ: append(good[:2], "DONATION_CAMPAIGN_0_RAISED_SELECTOR=h2 | /(unclosed/"),
			wantErr: []string{"DONATION_CAMPAIGN_0_RAISED_SELECTOR: selector"},
		},
		{
			name:    "CSS that is not CSS on an HTML platform",
			environ: append(good[:2], "DONATION_CAMPAIGN_0_PLATFORM=html", "DONATION_CAMPAIGN_0_RAISED_SELECTOR=div["),
			wantErr: []string{"DONATION_CAMPAIGN_0_RAISED_SELECTOR: selector \"div[\": \"div[\" is not a CSS selector"},
		},
		{
			// A selector that is not CSS, or a missed " | ",
			// stops the exporter at start rather than failing every scrape.
			name:    "CSS that is not CSS on any platform",
			environ: slices.Concat(good[:2], []string{"DONATION_CAMPAIGN_0_RAISED_SELECTOR=div[[x"}),
			wantErr: []string{`DONATION_CAMPAIGN_0_RAISED_SELECTOR: selector "div[[x": "div[[x" is not a CSS selector`},
		},
		{
			name:    "stages without spaces round the bar",
			environ: slices.Concat(good[:2], []string{`DONATION_CAMPAIGN_0_RAISED_SELECTOR=#total-raised|/(\d+)/`}),
			wantErr: []string{`DONATION_CAMPAIGN_0_RAISED_SELECTOR: selector "#total-raised|/(\\d+)/"`, `stages are separated by a bar with a space on each side: " | "`},
		},
		{
			name:    "a JSONPath that does not parse",
			environ: slices.Concat(good[:2], []string{`DONATION_CAMPAIGN_0_RAISED_SELECTOR=$..[?@.x==]`}),
			wantErr: []string{`DONATION_CAMPAIGN_0_RAISED_SELECTOR: selector "$..[?@.x==]": JSONPath`},
		},
		{
			name:    "not an http URL",
			environ: append([]string{"DONATION_CAMPAIGN_0_URL=file:///etc/passwd"}, good[0], good[2]),
			wantErr: []string{`DONATION_CAMPAIGN_0_URL: "file:///etc/passwd" is not an http or https URL`},
		},
		{
			name: "bad scale, zone and timeout",
			environ: append(good, "DONATION_CAMPAIGN_0_AMOUNT_SCALE=-1", "DONATION_CAMPAIGN_0_TIMEZONE=Mars/Olympus",
				"DONATION_CAMPAIGN_0_TIMEOUT=forever"),
			wantErr: []string{
				`DONATION_CAMPAIGN_0_AMOUNT_SCALE: "-1" is not a positive number`,
				`DONATION_CAMPAIGN_0_TIMEZONE: "Mars/Olympus" is not an IANA time zone name`,
				`DONATION_CAMPAIGN_0_TIMEOUT: "forever" is not a positive duration`,
			},
		},
		{
			name:    "typo in a variable name",
			environ: append(good, "DONATION_CAMPAIGN_0_TARGTE=1000"),
			wantErr: []string{"unknown variables DONATION_CAMPAIGN_0_TARGTE"},
		},
		{
			name:    "gap in the campaign numbers",
			environ: append(good, "DONATION_CAMPAIGN_2_NAME=c", "DONATION_CAMPAIGN_2_URL=https://example.org/c"),
			wantErr: []string{"unknown variables DONATION_CAMPAIGN_2_NAME, DONATION_CAMPAIGN_2_URL", "numbered from 0 with no gap"},
		},
		{
			name:    "typed settings name their variable",
			environ: append(good, "DONATION_MAX_BODY_BYTES=lots", "DONATION_DEMO=maybe"),
			wantErr: []string{`DONATION_MAX_BODY_BYTES: strconv.ParseInt: parsing "lots"`, `DONATION_DEMO: "maybe" is not true or false`},
		},
		{
			name:    "DEMO=yes says what is wanted",
			environ: append(good, "DONATION_DEMO=yes"),
			wantErr: []string{`DONATION_DEMO: "yes" is not true or false`},
		},
		{
			name:    "START after DEADLINE",
			environ: append(good, "DONATION_CAMPAIGN_0_START=2025-03-01", "DONATION_CAMPAIGN_0_DEADLINE=2025-01-31"),
			wantErr: []string{`DONATION_CAMPAIGN_0_START: dates that cannot be: "2025-03-01" (2025-03-01T00:00:00Z) is not before DONATION_CAMPAIGN_0_DEADLINE "2025-01-31"`},
		},
		{
			name:    "START after DEADLINE in the campaign's time zone",
			environ: append(good, "DONATION_CAMPAIGN_0_START=2025-02-01T00:30:00", "DONATION_CAMPAIGN_0_DEADLINE=2025-01-31", "DONATION_CAMPAIGN_0_TIMEZONE=Europe/Berlin"),
			wantErr: []string{`DONATION_CAMPAIGN_0_START: dates that cannot be: "2025-02-01T00:30:00" (2025-01-31T23:30:00Z) is not before DONATION_CAMPAIGN_0_DEADLINE "2025-01-31" (2025-01-31T23:00:00Z)`},
		},
		{
			name:    "dates before 1970",
			environ: append(good, "DONATION_CAMPAIGN_0_START=1677-01-01"),
			wantErr: []string{`DONATION_CAMPAIGN_0_START: date out of range: "1677-01-01" is in the year 1677`},
		},
		{
			name:    "metrics path",
			environ: append(good, "DONATION_METRICS_PATH=metrics"),
			wantErr: []string{`DONATION_METRICS_PATH: "metrics" must start with /`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.environ)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q\nlacks %q", err, want)
				}
			}
		})
	}
}

func TestLoadNoCampaigns(t *testing.T) {
	cfg, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Campaigns) != 0 || cfg.ListenAddress != ":9366" {
		t.Errorf("Load(nil) = %+v", cfg)
	}
}
