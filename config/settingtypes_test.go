package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestReadSettings: each setting reads its text or says what it wants,
// named by the setting; unset ones are left as they were.
func TestReadSettings(t *testing.T) {
	var d time.Duration
	var f float64
	var b bool
	untouched := 7 * time.Second
	tests := []struct {
		name, suffix, text string
		into               interface{ UnmarshalText([]byte) error }
		wantErr            string
		check              func() bool
	}{
		{"timeout", "TIMEOUT", " 20s ", positiveDuration{&d, "10s"}, "", func() bool { return d == 20*time.Second }},
		{"zero timeout", "TIMEOUT", "0s", positiveDuration{&d, "10s"}, `TIMEOUT: "0s" is not a positive duration such as 10s`, nil},
		{"staleness example", "MAX_STALENESS", "soon", positiveDuration{&d, "1h"}, `MAX_STALENESS: "soon" is not a positive duration such as 1h`, nil},
		{"zero interval", "MIN_INTERVAL", "0s", interval{&d}, "", func() bool { return d == 0 }},
		{"negative interval", "MIN_INTERVAL", "-1m", interval{&d}, `MIN_INTERVAL: "-1m" is not a duration such as 1m`, nil},
		{"scale", "AMOUNT_SCALE", "0.01", positiveNumber{&f}, "", func() bool { return f == 0.01 }},
		{"infinite scale", "AMOUNT_SCALE", "Inf", positiveNumber{&f}, `AMOUNT_SCALE: "Inf" is not a positive number`, nil},
		{"NaN scale", "AMOUNT_SCALE", "NaN", positiveNumber{&f}, `AMOUNT_SCALE: "NaN" is not a positive number`, nil},
		{"boolean", "INSECURE_SKIP_VERIFY", "true", boolean{&b}, "", func() bool { return b }},
		{"not a boolean", "INSECURE_SKIP_VERIFY", "yes please", boolean{&b}, `INSECURE_SKIP_VERIFY: "yes please" is not true or false`, nil},
		{"unset", "TIMEOUT", "  ", positiveDuration{&untouched, "10s"}, "", func() bool { return untouched == 7*time.Second }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var errs []string
			fail := func(suffix, format string, args ...any) {
				errs = append(errs, suffix+": "+fmt.Sprintf(format, args...))
			}
			readSettings([]textSetting{{tc.suffix, tc.text, tc.into}}, fail)
			got := strings.Join(errs, "; ")
			switch {
			case tc.wantErr == "" && got != "":
				t.Errorf("error %q", got)
			case tc.wantErr != "" && !strings.HasPrefix(got, tc.wantErr):
				t.Errorf("error %q, want %q", got, tc.wantErr)
			case tc.check != nil && !tc.check():
				t.Errorf("not read: %v %v %v", d, f, b)
			}
		})
	}
}
