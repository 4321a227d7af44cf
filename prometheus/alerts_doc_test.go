package prometheus_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestAlertsTable: the alerts table of docs/alerts-and-dashboard.md has a
// row for every alert of alerts.yml, and no row for an alert that is not
// there (the table once missed DonationCampaignFiguresStale).
func TestAlertsTable(t *testing.T) {
	rules, err := os.ReadFile("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var defined []string
	for _, m := range regexp.MustCompile(`(?m)^\s*- alert: (\S+)`).FindAllStringSubmatch(string(rules), -1) {
		defined = append(defined, m[1])
	}
	if len(defined) == 0 {
		t.Fatal("alerts.yml defines no alert")
	}
	doc, err := os.ReadFile("../docs/alerts-and-dashboard.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(Donation[A-Za-z]+)` \\|").FindAllStringSubmatch(string(doc), -1) {
		documented = append(documented, m[1])
	}
	for _, name := range defined {
		if !slices.Contains(documented, name) {
			t.Errorf("alerts.yml defines %s, but docs/alerts-and-dashboard.md's alerts table has no row | `%s` | fires when | for | severity |", name, name)
		}
	}
	for _, name := range documented {
		if !slices.Contains(defined, name) {
			t.Errorf("docs/alerts-and-dashboard.md lists %s, which alerts.yml does not define", name)
		}
	}
	if t.Failed() {
		t.Logf("alerts.yml: %s", strings.Join(defined, ", "))
	}
}
