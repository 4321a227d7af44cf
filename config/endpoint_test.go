package config

import (
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

func TestLoadMaxConnections(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		want    int
		wantErr string
	}{
		{name: "default", want: 512},
		{name: "set", environ: []string{"DONATION_MAX_CONNECTIONS=64"}, want: 64},
		{name: "no cap", environ: []string{"DONATION_MAX_CONNECTIONS=0"}, want: 0},
		{name: "negative", environ: []string{"DONATION_MAX_CONNECTIONS=-1"}, wantErr: "DONATION_MAX_CONNECTIONS: -1 must be 0 (no cap) or more"},
		{name: "not a number", environ: []string{"DONATION_MAX_CONNECTIONS=many"}, wantErr: "DONATION_MAX_CONNECTIONS: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load(campaignVars("0", tc.environ...), testsupport.Presets())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.MaxConnections != tc.want {
				t.Errorf("MaxConnections = %d, want %d", cfg.MaxConnections, tc.want)
			}
		})
	}
}
