package grafana

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPanelsOnPerPeriodCampaigns runs every dashboard query through
// promtool (a real PromQL engine) over three campaigns: one whose raised is
// cumulative, one whose raised is an income per week, one whose basis is
// unknown (no donation_campaign_info). Projection queries must show the
// first and last, never the weekly one; the basis table shows the two with
// an info series, each with its basis.
func TestPanelsOnPerPeriodCampaigns(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("TEST_REQUIRE_PROMETHEUS") == "1" {
			t.Fatalf("TEST_REQUIRE_PROMETHEUS=1 but: %v", err)
		}
		t.Skipf("skipping: %v (apt-get install prometheus)", err)
	}
	const labels = `job="donation",instance="localhost:9366"`
	var series strings.Builder
	add := func(name, campaign, extra, values string) {
		fmt.Fprintf(&series, "      - series: '%s{%s,campaign=%q%s}'\n        values: '%s'\n", name, labels, campaign, extra, values)
	}
	for _, c := range []struct{ name, basis string }{{"cumulative", "cumulative"}, {"weekly", "per_week"}, {"unknown", ""}} {
		usd := `,currency="USD"`
		add("donation_raised", c.name, usd, "1000+10x120")
		add("donation_target", c.name, usd, "100000+0x120")
		add("donation_progress_ratio", c.name, "", "0.01+0x120")
		add("donation_days_left", c.name, "", "30+0x120")
		add("donation_daily_rate", c.name, usd, "100+0x120")
		add("donation_projected_raised", c.name, usd, "4000+0x120")
		add("donation_projected_shortfall", c.name, usd, "96000+0x120")
		add("donation_required_daily_rate", c.name, usd, "3300+0x120")
		add("donation_start_timestamp_seconds", c.name, "", "-864000+0x120")
		add("donation_deadline_timestamp_seconds", c.name, "", "2592000+0x120")
		add("donation_donors", c.name, "", "10+0x120")
		add("donation_up", c.name, "", "1+0x120")
		add("donation_scrape_duration_seconds", c.name, "", "0.01+0x120")
		add("donation_campaign_state", c.name, `,state="running"`, "1+0x120")
		add("donation_campaign_state", c.name, `,state="ended"`, "0+0x120")
		add("campaign:donation_raised:daily_deriv7d", c.name, usd, "14400+0x120")
		if c.basis != "" {
			add("donation_campaign_info", c.name, `,platform="selectors",raised_basis="`+c.basis+`",donors_basis="donors"`, "1+0x120")
		}
	}
	series.WriteString("      - series: 'donation_exporter_build_info{" + labels + `,version="0.1.0"}'` + "\n        values: '1+0x120'\n")

	var cases strings.Builder
	checked := 0
	for _, p := range loadDashboard(t).AllPanels() {
		for _, tg := range p.Targets {
			expr := strings.NewReplacer(`$campaign`, ".*", "$__rate_interval", "1m").Replace(tg.Expr)
			names := metricNames(t, p, tg)
			by := "campaign"
			var want []string
			switch {
			case strings.Contains(tg.Expr, perPeriodFilter):
				want = []string{`campaign="cumulative"`, `campaign="unknown"`}
			case slices.Contains(names, "donation_campaign_info"):
				// The basis table: each row carries its campaign's basis.
				by = "campaign, raised_basis"
				want = []string{`campaign="cumulative",raised_basis="cumulative"`, `campaign="weekly",raised_basis="per_week"`}
			default:
				continue
			}
			checked++
			fmt.Fprintf(&cases, "      # panel %q query %s\n      - expr: |\n          count by (%s) (\n", p.Title, tg.RefID, by)
			for _, line := range strings.Split(expr, "\n") {
				fmt.Fprintf(&cases, "            %s\n", line)
			}
			cases.WriteString("          )\n        eval_time: 1h\n        exp_samples:\n")
			for _, labels := range want {
				fmt.Fprintf(&cases, "          - labels: '{%s}'\n            value: 1\n", labels)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no query filters on donation_campaign_info")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), []byte("groups: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	test := "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n" +
		series.String() + "    promql_expr_test:\n" + cases.String()
	path := filepath.Join(dir, "panels_test.yml")
	if err := os.WriteFile(path, []byte(test), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), promtool, "test", "rules", "panels_test.yml")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s\ntest file:\n%s", err, out, test)
	}
	t.Logf("%d panel queries checked on a per-week, a cumulative and an unknown-basis campaign", checked)
}
