package config

import (
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

func TestMetricsPathIsNotAnotherEndpoint(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		wantErr string
	}{
		{name: "probe path taken", path: ProbePath, wantErr: "DONATION_METRICS_PATH: /probe serves one campaign at a time"},
		{name: "health path taken", path: HealthPath, wantErr: "DONATION_METRICS_PATH: /-/healthy answers health probes"},
		{name: "another path", path: "/campaigns/metrics"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]string{"DONATION_METRICS_PATH=" + tc.path}, testsupport.Presets())
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Load: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Load error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
