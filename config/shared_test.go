package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"github.com/donation-exporter/donation_exporter/read"
)

// TestCampaignsShareFields: campaigns of the same fields share one Fields
// map (10,000 of them kept 12 MB of maps, one each), campaigns whose fields
// differ do not, and a read still names each campaign's own setting in
// full: its variable, or its file, line, entry and key.
func TestCampaignsShareFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "campaigns.yml")
	file := `campaigns:
  - name: a
    url: https://example.org/a
    raised_selector: "#raised"
    start: "2026-12-07"
  - name: b
    url: https://example.org/b
    raised_selector: "#raised"
    start: "2026-12-07"
  - name: c
    url: https://example.org/c
    raised_selector: "#total"
    start: "2026-12-07"
`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load([]string{
		"DONATION_CONFIG_FILE=" + path,
		"DONATION_CAMPAIGN_0_NAME=v", "DONATION_CAMPAIGN_0_URL=https://example.org/v",
		"DONATION_CAMPAIGN_0_RAISED_SELECTOR=#raised", "DONATION_CAMPAIGN_0_START=2026-12-07",
	}, testsupport.Presets())

	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]int{}
	for i, c := range cfg.Campaigns {
		byName[c.Name] = i
	}
	fieldsOf := func(name string) uintptr {
		return reflect.ValueOf(cfg.Campaigns[byName[name]].Spec.Fields).Pointer()
	}
	if fieldsOf("a") != fieldsOf("b") {
		t.Error("campaigns a and b, of the same fields, have a Fields map each")
	}
	if fieldsOf("a") == fieldsOf("c") {
		t.Error("campaigns a and c, of different selectors, share a Fields map")
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	page := []byte(`<p id="raised">$120</p><p id="total">$120</p>`)
	for _, tc := range []struct{ campaign, want string }{
		{"v", "DONATION_CAMPAIGN_0_START (field start)"},
		{"a", path + ":2: campaigns[0] (name \"a\"): start (field start)"},
		{"b", path + ":6: campaigns[1] (name \"b\"): start (field start)"},
	} {
		t.Run(tc.campaign, func(t *testing.T) {
			c := cfg.Campaigns[byName[tc.campaign]]
			_, _, err := read.Page(page, "text/html", c.Kind, c.Spec, now)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("read error %v, want one naming %q", err, tc.want)
			}
		})
	}
}

// TestCampaignsShareLabels: campaigns of the same labels, from the file or
// from variables, share one Labels map; campaigns whose labels differ do
// not, and each keeps its own values.
func TestCampaignsShareLabels(t *testing.T) {
	path := filepath.Join(t.TempDir(), "campaigns.yml")
	file := `campaigns:
  - {name: a, url: https://example.org/a, raised_selector: "#raised", labels: {team: north, appeal: summer}}
  - {name: b, url: https://example.org/b, raised_selector: "#raised", labels: {appeal: summer, team: north}}
  - {name: c, url: https://example.org/c, raised_selector: "#raised", labels: {appeal: summer, team: south}}
  - {name: d, url: https://example.org/d, raised_selector: "#raised"}
`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load([]string{
		"DONATION_CONFIG_FILE=" + path,
		"DONATION_CAMPAIGN_0_NAME=v", "DONATION_CAMPAIGN_0_URL=https://example.org/v",
		"DONATION_CAMPAIGN_0_RAISED_SELECTOR=#raised", "DONATION_CAMPAIGN_0_LABELS=team=north,appeal=summer",
	}, testsupport.Presets())
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]map[string]string{}
	for _, c := range cfg.Campaigns {
		labels[c.Name] = c.Labels
	}
	same := func(x, y string) bool {
		return reflect.ValueOf(labels[x]).Pointer() == reflect.ValueOf(labels[y]).Pointer()
	}
	if !same("a", "b") || !same("a", "v") {
		t.Error("campaigns a, b and v, of the same labels, do not share one Labels map")
	}
	if same("a", "c") {
		t.Error("campaigns a and c, of different labels, share a Labels map")
	}
	if labels["c"]["team"] != "south" || labels["a"]["team"] != "north" || labels["d"] != nil {
		t.Errorf("labels: %v", labels)
	}
}
