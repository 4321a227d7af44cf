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
// promtool (a real PromQL engine) over four campaigns: one whose raised is
// cumulative, one whose raised is an income per week, one whose basis is
// unknown (no donation_campaign_info), and a cumulative one early enough
// that its range has no high end (no donation_projected_raised_high).
// Projection queries must show the cumulative, unknown and (unless they
// need the high end) unbounded ones, never the weekly one; the basis table
// shows those with an info series, each with its basis and forecast curve.
// The projected paths to the deadline are checked for their values: half
// way from the last raised to the projection at mid-time, the projection
// itself at the deadline, nothing after it.
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
	// The synthetic figures: raised grows by 10 a minute for 2 hours; the
	// deadline is 30 days after the test's Unix time 0 and the last sample
	// says 30 days are left, so a path to the deadline starts at time 0.
	const (
		raisedFirst, raisedStep, samples = 1000, 10, 120
		deadline                         = 30 * 86400
	)
	projections := map[string]float64{
		"donation_projected_raised":      4000,
		"donation_projected_raised_low":  3000,
		"donation_projected_raised_high": 5500,
	}
	campaigns := []struct{ name, basis, forecast string }{
		{"cumulative", "cumulative", "kickstarter"}, {"weekly", "per_week", "linear"},
		{"unknown", "", ""}, {"unbounded", "cumulative", "file:december.csv"},
	}
	for _, c := range campaigns {
		usd := `,currency="USD"`
		add("donation_raised", c.name, usd, fmt.Sprintf("%d+%dx%d", raisedFirst, raisedStep, samples))
		add("donation_target", c.name, usd, "100000+0x120")
		add("donation_progress_ratio", c.name, "", "0.01+0x120")
		add("donation_days_left", c.name, "", "30+0x120")
		add("donation_daily_rate", c.name, usd, "100+0x120")
		for name, v := range projections {
			if name == "donation_projected_raised_high" && c.name == "unbounded" {
				continue // early in a campaign: no upper bound
			}
			add(name, c.name, usd, fmt.Sprintf("%g+0x120", v))
		}
		add("donation_projected_shortfall", c.name, usd, "96000+0x120")
		add("donation_required_daily_rate", c.name, usd, "3300+0x120")
		add("donation_start_timestamp_seconds", c.name, "", "-864000+0x120")
		add("donation_deadline_timestamp_seconds", c.name, "", fmt.Sprintf("%d+0x120", deadline))
		add("donation_donors", c.name, "", "10+0x120")
		add("donation_up", c.name, "", "1+0x120")
		add("donation_scrape_duration_seconds", c.name, "", "0.01+0x120")
		add("donation_campaign_state", c.name, `,state="running"`, "1+0x120")
		add("donation_campaign_state", c.name, `,state="ended"`, "0+0x120")
		add("campaign:donation_raised:daily_deriv7d", c.name, usd, "14400+0x120")
		if c.basis != "" {
			add("donation_campaign_info", c.name, `,platform="selectors",raised_basis="`+c.basis+`",donors_basis="donors",forecast="`+c.forecast+`"`, "1+0x120")
		}
	}
	series.WriteString("      - series: 'donation_exporter_build_info{" + labels + `,version="0.1.0"}'` + "\n        values: '1+0x120'\n")

	var cases strings.Builder
	checked, paths := 0, 0
	for _, p := range loadDashboard(t).AllPanels() {
		for _, tg := range p.Targets {
			expr := strings.NewReplacer(`$campaign`, ".*", "$__rate_interval", "1m").Replace(tg.Expr)
			names := metricNames(t, p, tg)
			by := "campaign"
			var want []string
			switch {
			case skipsPerPeriod(tg.Expr):
				want = []string{`campaign="cumulative"`, `campaign="unknown"`}
				if !slices.Contains(names, "donation_projected_raised_high") {
					want = append(want, `campaign="unbounded"`)
				}
			case slices.Contains(names, "donation_campaign_info"):
				// The basis table: each row carries its campaign's basis and curve.
				by = "campaign, raised_basis, forecast"
				for _, c := range campaigns {
					if c.basis != "" {
						want = append(want, fmt.Sprintf("campaign=%q,raised_basis=%q,forecast=%q", c.name, c.basis, c.forecast))
					}
				}
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
			if strings.Contains(tg.Expr, "time()") {
				paths++
				writePathCases(&cases, p, tg, expr, names, projections, pathFigures{
					lastRaised: raisedFirst + raisedStep*samples, deadline: deadline,
					campaigns: strings.Fields("cumulative unknown unbounded"),
				})
			}
		}
	}
	if paths == 0 {
		t.Fatal("no query draws a path to the deadline (uses time())")
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
	t.Logf("%d panel queries checked on a per-week, a cumulative, an unknown-basis and an unbounded campaign, %d paths for their values", checked, paths)
}

// pathFigures are what a path to the deadline is drawn from in the
// synthetic series.
type pathFigures struct {
	lastRaised float64  // the last donation_raised
	deadline   float64  // donation_deadline_timestamp_seconds; the path starts at 0
	campaigns  []string // those the path is drawn for
}

// writePathCases adds promtool cases for a path query: at mid-time it is
// half way from the last raised to the projection it aims at, at the
// deadline it is that projection, after the deadline it is gone.
func writePathCases(cases *strings.Builder, p Panel, tg Target, expr string, names []string, projections map[string]float64, f pathFigures) {
	aim := "donation_projected_raised"
	for _, n := range names {
		if _, ok := projections[n]; ok && n != aim {
			aim = n // _low or _high
		}
	}
	for _, at := range []struct {
		seconds, share float64
	}{{f.deadline / 2, 0.5}, {f.deadline, 1}, {f.deadline + 3600, -1}} {
		fmt.Fprintf(cases, "      # panel %q query %s: the path to %s\n      - expr: |\n", p.Title, tg.RefID, aim)
		for _, line := range strings.Split(expr, "\n") {
			fmt.Fprintf(cases, "          %s\n", line)
		}
		fmt.Fprintf(cases, "        eval_time: %ds\n        exp_samples:", int(at.seconds))
		if at.share < 0 {
			cases.WriteString(" []\n")
			continue
		}
		cases.WriteString("\n")
		for _, c := range f.campaigns {
			if aim == "donation_projected_raised_high" && c == "unbounded" {
				continue
			}
			want := f.lastRaised + (projections[aim]-f.lastRaised)*at.share
			fmt.Fprintf(cases, "          - labels: '{job=\"donation\",instance=\"localhost:9366\",campaign=%q,currency=\"USD\"}'\n            value: %g\n", c, want)
		}
	}
}
