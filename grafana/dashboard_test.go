package grafana

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/internal/promqltest"
)

// exporterMetrics is the metric contract of the exporter: every
// name a dashboard query may select, besides recording rules. The end-to-end
// test in ../prometheus checks the same queries against a live /metrics.
var exporterMetrics = []string{
	"donation_raised",
	"donation_target",
	"donation_days_left",
	"donation_projected_shortfall",
	"donation_progress_ratio",
	"donation_daily_rate",
	"donation_projected_raised",
	"donation_projected_raised_low",
	"donation_projected_raised_high",
	"donation_required_daily_rate",
	"donation_start_timestamp_seconds",
	"donation_deadline_timestamp_seconds",
	"donation_donors",
	"donation_up",
	"donation_scrape_duration_seconds",
	"donation_exporter_build_info",
	"donation_campaign_state",
	// What donation_raised and donation_donors mean for each campaign.
	"donation_campaign_info",
}

// recordRE finds the names of recording rules in a rule file.
var recordRE = regexp.MustCompile(`(?m)^\s*(?:-\s+)?record:\s*["']?([a-zA-Z_:][a-zA-Z0-9_:]*)`)

// recordingRules returns the recording rules defined in ../prometheus/*.yml.
func recordingRules(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "prometheus", "*.yml"))
	if err != nil {
		t.Fatalf("glob rule files: %v", err)
	}
	var names []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.yml") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("read rule file: %v", err)
		}
		for _, m := range recordRE.FindAllStringSubmatch(string(data), -1) {
			names = append(names, m[1])
		}
	}
	if len(names) == 0 {
		t.Fatal("no recording rules found in ../prometheus/*.yml")
	}
	return names
}

// metricNames returns the metrics a panel query selects. A query the PromQL
// parser rejects fails the test, naming the panel and the query.
func metricNames(t *testing.T, p Panel, tg Target) []string {
	t.Helper()
	names, err := promqltest.MetricNames(tg.Expr)
	if err != nil {
		t.Errorf("panel %q query %s: %v", p.Title, tg.RefID, err)
	}
	return names
}

func loadDashboard(t *testing.T) *Dashboard {
	t.Helper()
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDashboardSettings(t *testing.T) {
	d := loadDashboard(t)
	campaign, _ := d.Variable("campaign")
	datasource, _ := d.Variable("datasource")
	tests := []struct {
		name string
		ok   bool
	}{
		{name: "stable uid", ok: d.UID == "donation-exporter"},
		{name: "title", ok: d.Title != ""},
		{name: "Grafana 10/11 schema", ok: d.SchemaVersion >= 36 && d.SchemaVersion <= 41},
		{name: "refresh", ok: d.Refresh != ""},
		{name: "default time range", ok: d.Time.From != "" && d.Time.To != ""},
		{name: "DS_PROMETHEUS input for UI import", ok: slices.Contains(d.Inputs,
			Input{Name: "DS_PROMETHEUS", Type: "datasource", PluginID: "prometheus"})},
		{name: "datasource variable for provisioning",
			ok: datasource.Type == "datasource" && datasource.Query == "prometheus"},
		{name: "campaign variable from label_values",
			ok: campaign.Type == "query" && campaign.Query == "label_values(donation_raised, campaign)"},
		{name: "campaign variable is multi-select with All",
			ok: campaign.Multi && campaign.IncludeAll && campaign.AllValue != ""},
		{name: "campaign variable uses the datasource variable",
			ok: campaign.Datasource != nil && campaign.Datasource.UID == "${datasource}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ok {
				t.Error("not satisfied")
			}
		})
	}
}

// TestPanels checks every panel: a title, the datasource variable, at least
// one query, a unit, and only known metrics filtered by $campaign.
func TestPanels(t *testing.T) {
	d := loadDashboard(t)
	known := slices.Concat(exporterMetrics, recordingRules(t))
	seenIDs := map[int]bool{}
	for _, p := range d.AllPanels() {
		t.Run(p.Title, func(t *testing.T) {
			if p.Title == "" {
				t.Errorf("panel %d has no title", p.ID)
			}
			if seenIDs[p.ID] {
				t.Errorf("duplicate panel id %d", p.ID)
			}
			seenIDs[p.ID] = true
			if p.IsRow() {
				return
			}
			if p.Datasource == nil || p.Datasource.Type != "prometheus" || p.Datasource.UID != "${datasource}" {
				t.Errorf("datasource = %+v, want prometheus ${datasource}", p.Datasource)
			}
			if p.Description == "" {
				t.Error("no description (it tells the reader how to read the panel)")
			}
			if p.FieldConfig.Defaults.Unit == "" {
				t.Error("no unit")
			}
			if len(p.Targets) == 0 {
				t.Fatal("no query")
			}
			for _, tg := range p.Targets {
				if tg.Datasource == nil || tg.Datasource.UID != "${datasource}" {
					t.Errorf("query %s: datasource = %+v, want ${datasource}", tg.RefID, tg.Datasource)
				}
				names, err := promqltest.MetricNames(tg.Expr)
				if err != nil {
					t.Errorf("query %s: %v", tg.RefID, err)
					continue
				}
				if len(names) == 0 {
					t.Errorf("query %s selects no metric: %q", tg.RefID, tg.Expr)
				}
				for _, n := range names {
					if !slices.Contains(known, n) {
						t.Errorf("query %s uses %s, which is neither an exporter metric nor a recording rule", tg.RefID, n)
					}
					if n != "donation_exporter_build_info" && !strings.Contains(tg.Expr, n+`{campaign=~"$campaign"`) {
						t.Errorf("query %s: %s is not filtered by {campaign=~\"$campaign\"} (first matcher)", tg.RefID, n)
					}
				}
			}
		})
	}
}

// TestDashboardCoversIssue checks that the panels the issue asks for exist:
// each listed metric is shown by at least one panel.
func TestDashboardCoversIssue(t *testing.T) {
	d := loadDashboard(t)
	used := map[string]bool{}
	for _, p := range d.AllPanels() {
		for _, tg := range p.Targets {
			for _, n := range metricNames(t, p, tg) {
				used[n] = true
			}
		}
	}
	for _, m := range []string{
		"donation_raised", "donation_target", "donation_progress_ratio", "donation_days_left",
		"donation_projected_shortfall", "donation_projected_raised", "donation_daily_rate",
		"donation_required_daily_rate", "donation_donors", "donation_up",
		"donation_scrape_duration_seconds", "donation_campaign_state", "donation_campaign_info",
		"donation_projected_raised_low", "donation_projected_raised_high",
	} {
		t.Run(m, func(t *testing.T) {
			if !used[m] {
				t.Errorf("no panel shows %s", m)
			}
		})
	}
}

// TestLayout checks that panels stay on the 24-column grid and do not overlap.
func TestLayout(t *testing.T) {
	d := loadDashboard(t)
	panels := d.Panels // top level: collapsed rows keep their own layout
	for i, p := range panels {
		g := p.GridPos
		if g.W <= 0 || g.H <= 0 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
			t.Errorf("panel %q: gridPos %+v off the 24-column grid", p.Title, g)
		}
		for _, q := range panels[i+1:] {
			h := q.GridPos
			if g.X < h.X+h.W && h.X < g.X+g.W && g.Y < h.Y+h.H && h.Y < g.Y+g.H {
				t.Errorf("panels %q and %q overlap", p.Title, q.Title)
			}
		}
	}
}

// TestImportPlaceholder checks the two import routes do not get in each
// other's way: ${DS_PROMETHEUS} (filled in by UI import) appears only as the
// datasource variable's default, never in a panel, which would break file
// provisioning.
func TestImportPlaceholder(t *testing.T) {
	d := loadDashboard(t)
	for _, p := range d.AllPanels() {
		if p.Datasource != nil && strings.Contains(p.Datasource.UID, "DS_PROMETHEUS") {
			t.Errorf("panel %q uses ${DS_PROMETHEUS} directly", p.Title)
		}
	}
	if got := strings.Count(string(JSON()), "${DS_PROMETHEUS}"); got != 2 {
		t.Errorf("${DS_PROMETHEUS} appears %d times, want 2 (datasource variable text and value)", got)
	}
}

// perPeriodFilter leaves out the campaigns whose donation_raised is an
// income per period. Written with unless, a campaign whose basis is unknown
// (no info series) is still shown.
const perPeriodFilter = `unless on (job, instance, campaign) donation_campaign_info{campaign=~"$campaign",raised_basis!="cumulative"}`

// pathPerPeriodFilter is perPeriodFilter for a path drawn into the future
// (a query using time()): there the info series has no sample within the
// lookback, so the filter takes its last value, as the path takes the last
// figures. With perPeriodFilter a per-week campaign's path showed in the
// future part of the time range.
const pathPerPeriodFilter = `unless on (job, instance, campaign) last_over_time(donation_campaign_info{campaign=~"$campaign",raised_basis!="cumulative"}[60d])`

// skipsPerPeriod reports whether expr ends with the filter that leaves out
// per-period campaigns, the one for paths if it draws into the future.
func skipsPerPeriod(expr string) bool {
	filter := perPeriodFilter
	if strings.Contains(expr, "time()") {
		filter = pathPerPeriodFilter
	}
	return strings.HasSuffix(strings.TrimSpace(expr), filter)
}

// TestProjectionPanelsSkipPerPeriodCampaigns: every query that projects or
// judges a rate from donation_raised ends with perPeriodFilter,
// or pathPerPeriodFilter for a path into the future.
func TestProjectionPanelsSkipPerPeriodCampaigns(t *testing.T) {
	projections := []string{
		"donation_projected_raised", "donation_projected_raised_low", "donation_projected_raised_high",
		"donation_projected_shortfall", "donation_daily_rate",
		"donation_required_daily_rate", "campaign:donation_raised:daily_deriv7d",
	}
	found := 0
	for _, p := range loadDashboard(t).AllPanels() {
		for _, tg := range p.Targets {
			uses := slices.ContainsFunc(metricNames(t, p, tg), func(n string) bool { return slices.Contains(projections, n) })
			if !uses {
				continue
			}
			found++
			if !skipsPerPeriod(tg.Expr) {
				t.Errorf("panel %q query %s projects without leaving out per-period campaigns:\n%s", p.Title, tg.RefID, tg.Expr)
			}
			if !strings.Contains(p.Description, "per period") {
				t.Errorf("panel %q does not say per-period campaigns are left out", p.Title)
			}
		}
	}
	if found == 0 {
		t.Fatal("no projection query found")
	}
}

// TestBasisShownNextToRaised: a table shows each campaign's raised figure
// with its raised_basis, donors_basis, platform and state, and
// the forecast curve its projections follow.
func TestBasisShownNextToRaised(t *testing.T) {
	for _, p := range loadDashboard(t).AllPanels() {
		for _, tg := range p.Targets {
			names := metricNames(t, p, tg)
			if p.Type == "table" && tg.Format == "table" && slices.Contains(names, "donation_raised") &&
				strings.Contains(tg.Expr, "group_left (platform, raised_basis, donors_basis, forecast)") &&
				strings.Contains(tg.Expr, "group_left (state)") {
				return
			}
		}
	}
	t.Error("no table joins donation_raised with donation_campaign_info's bases and curve and donation_campaign_state")
}
