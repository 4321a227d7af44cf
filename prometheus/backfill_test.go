//go:build unix

package prometheus_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

// TestBackfillIntoPrometheus writes the history of a real Extra Life
// participant with the exporter's backfill command, makes TSDB blocks of it
// with promtool, starts a real Prometheus on them, and asks for
// donation_raised and donation_donors at instants of 2018: the running
// totals at those instants (docs/backfill.md).
func TestBackfillIntoPrometheus(t *testing.T) {
	promBin, promtoolBin := findTools(t)
	dir := t.TempDir()
	srv := testsupport.ExtraLife(t, nil)
	bin := testsupport.BuildExporter(t)

	history := filepath.Join(dir, "history.om")
	// A sample a day between donations (--step) besides those at each
	// donation: instants between donations are then read directly, and the
	// blocks stay few (this promtool makes one per 2 hours holding samples).
	cmd := exec.CommandContext(t.Context(), bin, "backfill", "--campaign", "extralife", "--out", history, "--step", "24h")
	cmd.Env = append(testsupport.EnvironWithout("DONATION_"),
		"DONATION_CAMPAIGN_0_NAME=extralife",
		"DONATION_CAMPAIGN_0_URL="+srv.URL+"/participant/297674",
		"DONATION_CAMPAIGN_0_PLATFORM=donordrive",
		"DONATION_CAMPAIGN_0_CURRENCY=USD",
		"DONATION_CAMPAIGN_0_LABELS=team=mesa",
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("backfill: %v\n%s", err, out)
	} else {
		t.Logf("backfill: %s", out)
	}

	data := filepath.Join(dir, "data")
	run(t, dir, promtoolBin, "tsdb", "create-blocks-from", "openmetrics", "--quiet", history, data)

	config := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(config, []byte("global:\n  scrape_interval: 1m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	promAddr := testsupport.FreeAddr(t)
	prom := start(t, dir, "prometheus", []string{promBin,
		"--config.file=" + config,
		"--storage.tsdb.path=" + data,
		// Retention counts back from now: the default 15 days would
		// delete blocks of 2018 at once.
		"--storage.tsdb.retention.time=100y",
		"--web.listen-address=" + promAddr,
		"--log.level=warn",
	})
	api := &promAPI{base: "http://" + promAddr}

	tests := []struct {
		expr, at, want string
	}{
		// Midnight of November 2: after 25 + 25 + 50 + 100 (the last at 23:32 on November 1).
		{expr: `donation_raised{campaign="extralife",currency="USD",team="mesa"}`, at: "2018-11-02T00:00:00Z", want: "200"},
		// Four minutes after the donation of 126 at 14:26:11.
		{expr: `donation_raised{campaign="extralife"}`, at: "2018-11-02T14:30:00Z", want: "326"},
		{expr: `donation_donors{campaign="extralife",team="mesa"}`, at: "2018-11-02T14:30:00Z", want: "5"},
		{expr: `donation_raised{campaign="extralife"}`, at: "2018-11-02T23:35:00Z", want: "380"},
		// Between two samples a day apart, last_over_time finds the total.
		{expr: `last_over_time(donation_raised{campaign="extralife"}[1d])`, at: "2018-08-01T12:00:00Z", want: "50"},
	}
	waitFor(t, prom, "the backfilled history", func() (struct{}, error) {
		_, err := queryAt(t.Context(), api, tests[0].expr, tests[0].at)
		return struct{}{}, err
	})
	for _, tc := range tests {
		t.Run(tc.expr+"@"+tc.at, func(t *testing.T) {
			got, err := queryAt(t.Context(), api, tc.expr, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s at %s = %s, want %s", tc.expr, tc.at, got, tc.want)
			}
		})
	}
}

// queryAt asks for expr at an instant (RFC 3339) and returns the value of
// its one series.
func queryAt(ctx context.Context, api *promAPI, expr, at string) (string, error) {
	var r queryResult
	if err := api.call(ctx, "/api/v1/query", url.Values{"query": {expr}, "time": {at}}, &r); err != nil {
		return "", err
	}
	values := r.values()
	if len(values) != 1 {
		return "", fmt.Errorf("%s at %s: %d series, want 1", expr, at, len(values))
	}
	return values[0], nil
}
