package config

import (
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

// TestReservedLabelsRefused refuses every reserved name in LABELS, naming
// the variable, and lists each of them in LABELS' help.
func TestReservedLabelsRefused(t *testing.T) {
	var help string
	for _, s := range Settings() {
		if strings.HasSuffix(s.Name, "_LABELS") {
			help = s.Meaning
		}
	}
	for _, name := range ReservedLabelNames() {
		t.Run(name, func(t *testing.T) {
			_, err := Load(campaignVars("0", "DONATION_CAMPAIGN_0_LABELS=team=north,"+name+"=x"), testsupport.Presets())
			want := `DONATION_CAMPAIGN_0_LABELS: label name "` + name + `" is reserved`
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v, want %q", err, want)
			}
			if !strings.Contains(help, name) {
				t.Errorf("LABELS' help %q does not list %s", help, name)
			}
		})
	}
}

// TestInvalidUTF8Refused refuses names, label values and other settings
// that are not UTF-8, naming the variable or the file key.
func TestInvalidUTF8Refused(t *testing.T) {
	tests := []struct{ name, variable, want string }{
		{"name", "DONATION_CAMPAIGN_0_NAME=caf\xe9", `DONATION_CAMPAIGN_0_NAME: "caf\xe9" is not valid UTF-8`},
		{"label value", "DONATION_CAMPAIGN_0_LABELS=team=\xff\xfe", `DONATION_CAMPAIGN_0_LABELS: "team=\xff\xfe" is not valid UTF-8`},
		{"currency", "DONATION_CAMPAIGN_0_CURRENCY=\x80", `DONATION_CAMPAIGN_0_CURRENCY: "\x80" is not valid UTF-8`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			environ := append(campaignVars("0"), campaignVars("1")...)
			_, err := Load(append(environ, tc.variable), testsupport.Presets())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// A campaigns file cannot carry such text: YAML is read as UTF-8, and
	// its "\xff" escape is the character ÿ.
}
