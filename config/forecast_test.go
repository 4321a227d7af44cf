package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/read"
)

// TestForecastCurve: FORECAST_CURVE names a built-in curve or a curve
// file; unset, the preset's curve, or linear; a bad file is refused naming
// the variable and the line.
func TestForecastCurve(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "appeal.csv")
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(good, []byte("0,0,0,0\n0.5,0.6,0.4,0.8\n1,1,1,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("0,0\n0.5,0.7\n0.6,0.5\n1,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"DONATION_CAMPAIGN_0_NAME=a", "DONATION_CAMPAIGN_0_RAISED_SELECTOR=#raised"}
	tests := []struct {
		name, url, curve, want, wantErr string
	}{
		{name: "default linear", url: "https://example.org/donate", want: "linear"},
		{name: "the preset's curve", url: "https://www.kickstarter.com/projects/a/b", want: "kickstarter"},
		{name: "a built-in", url: "https://example.org/donate", curve: "marathon", want: "marathon"},
		{name: "overrides the preset's", url: "https://www.kickstarter.com/projects/a/b", curve: "linear", want: "linear"},
		{name: "a file", url: "https://example.org/donate", curve: good, want: "file:appeal"},
		{name: "a bad file", url: "https://example.org/donate", curve: bad, wantErr: "DONATION_CAMPAIGN_0_FORECAST_CURVE: " + bad + ": invalid pace curve: line 3: shares must not decrease"},
		{name: "a missing file", url: "https://example.org/donate", curve: filepath.Join(dir, "none.csv"), wantErr: "DONATION_CAMPAIGN_0_FORECAST_CURVE: open"},
		{name: "an unknown name", url: "https://example.org/donate", curve: "weekly", wantErr: `DONATION_CAMPAIGN_0_FORECAST_CURVE: invalid pace curve: no built-in curve "weekly" (built-in: jinglejam, kickstarter, linear, marathon)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := append(base, "DONATION_CAMPAIGN_0_URL="+tc.url)
			if tc.curve != "" {
				env = append(env, "DONATION_CAMPAIGN_0_FORECAST_CURVE="+tc.curve)
			}
			cfg, err := Load(env)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Load: %v; want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Campaigns[0].Curve.Name; got != tc.want {
				t.Errorf("curve %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRFC3339Dates: START and DEADLINE with a time of day and an offset
// are the instants they say, not days.
func TestRFC3339Dates(t *testing.T) {
	cfg, err := Load([]string{
		"DONATION_CAMPAIGN_0_NAME=a", "DONATION_CAMPAIGN_0_URL=https://example.org/d", "DONATION_CAMPAIGN_0_RAISED=5",
		"DONATION_CAMPAIGN_0_START=2025-12-01T17:00:00Z", "DONATION_CAMPAIGN_0_DEADLINE=2025-12-15T00:30:00+01:00",
	})
	if err != nil {
		t.Fatal(err)
	}
	fields := cfg.Campaigns[0].Spec.Fields
	for _, tc := range []struct {
		field read.Field
		bound read.DayBound
		want  time.Time
	}{
		{read.FieldStart, read.StartOfDay, time.Date(2025, 12, 1, 17, 0, 0, 0, time.UTC)},
		{read.FieldDeadline, read.EndOfDay, time.Date(2025, 12, 14, 23, 30, 0, 0, time.UTC)},
	} {
		d, err := read.ParseDate(fields[tc.field].Literal, time.UTC, tc.bound)
		if err != nil || !d.Equal(tc.want) {
			t.Errorf("%s = %v, %v; want %v", tc.field, d, err, tc.want)
		}
	}
}
