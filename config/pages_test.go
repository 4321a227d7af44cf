package config

import (
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

func TestLoadPageLimits(t *testing.T) {
	tests := []struct {
		name              string
		environ           []string
		pages, parses     int
		wantErr, wantErr2 string
	}{
		{name: "defaults", pages: 0, parses: 0},
		{name: "set", environ: []string{"DONATION_MAX_PAGES_IN_MEMORY=4", "DONATION_MAX_CONCURRENT_PARSES=1"}, pages: 4, parses: 1},
		{name: "negative pages", environ: []string{"DONATION_MAX_PAGES_IN_MEMORY=-1"},
			wantErr: "DONATION_MAX_PAGES_IN_MEMORY: -1 must be 0 (twice MAX_CONCURRENT_PARSES) or more"},
		{name: "negative parses", environ: []string{"DONATION_MAX_CONCURRENT_PARSES=-1"},
			wantErr: "DONATION_MAX_CONCURRENT_PARSES: -1 must be 0 (GOMAXPROCS) or more"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load(campaignVars("0", tc.environ...), testsupport.Presets())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.MaxPagesInMemory != tc.pages || cfg.MaxConcurrentParses != tc.parses {
				t.Errorf("pages %d parses %d, want %d and %d", cfg.MaxPagesInMemory, cfg.MaxConcurrentParses, tc.pages, tc.parses)
			}
		})
	}
}
