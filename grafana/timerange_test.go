package grafana

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// relativeRE reads Grafana's relative times as a dashboard writes them:
// "now", "now-24h", "now+45d".
var relativeRE = regexp.MustCompile(`^now(?:([+-])(\d+)([smhdw]))?$`)

// relative returns a relative time as an offset from now.
func relative(t *testing.T, s string) time.Duration {
	t.Helper()
	m := relativeRE.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("time %q is not of the form now, now-Nu or now+Nu", s)
	}
	if m[1] == "" {
		return 0
	}
	n, _ := strconv.Atoi(m[2])
	unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour,
		"d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[3]]
	d := time.Duration(n) * unit
	if m[1] == "-" {
		d = -d
	}
	return d
}

// TestOpensOnAFreshInstallsData checks that the default range shows a few
// minutes of data. Grafana asks Prometheus for about one point per pixel
// (a panel is well under 1,500 pixels wide) and Prometheus looks back 5
// minutes from each point, so a step over 5 minutes can miss every sample
// of a new install. The deadline stays one click away, in a dashboard link.
func TestOpensOnAFreshInstallsData(t *testing.T) {
	d := loadDashboard(t)
	from, to := relative(t, d.Time.From), relative(t, d.Time.To)
	const points, lookback = 1500, 5 * time.Minute
	if from >= 0 || to < 0 {
		t.Fatalf("default range %s..%s does not contain now", d.Time.From, d.Time.To)
	}
	if step := (to - from) / points; step > lookback {
		t.Errorf("default range %s..%s: a %d-point panel steps by %s, over Prometheus' %s lookback",
			d.Time.From, d.Time.To, points, step, lookback)
	}

	var reach time.Duration
	for _, l := range d.Links {
		u, err := url.Parse(l.URL)
		if err != nil {
			t.Errorf("link %q: %v", l.Title, err)
			continue
		}
		if !strings.HasPrefix(u.Path, "/d/"+d.UID+"/") || l.KeepTime || !l.IncludeVars {
			t.Errorf("link %q must open this dashboard (/d/%s/) with the selected campaigns and its own range", l.Title, d.UID)
		}
		reach = max(reach, relative(t, u.Query().Get("to")))
	}
	if reach < 45*24*time.Hour {
		t.Errorf("no dashboard link opens 45 days ahead, where the projected path reaches a deadline (furthest: %s)", reach)
	}
}

// TestLegendsWithoutCurrency checks that a campaign whose currency is not
// known (currency="") still gets a legend that reads well: no empty
// brackets.
func TestLegendsWithoutCurrency(t *testing.T) {
	d := loadDashboard(t)
	for _, p := range d.AllPanels() {
		for _, tg := range p.Targets {
			legend := strings.NewReplacer("{{campaign}}", "demo", "{{currency}}", "").Replace(tg.LegendFormat)
			if strings.Contains(legend, "()") {
				t.Errorf("panel %q query %s: legend %q reads %q without a currency", p.Title, tg.RefID, tg.LegendFormat, legend)
			}
		}
	}
}
