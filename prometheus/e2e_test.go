//go:build unix

package prometheus_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/grafana"
	"github.com/donation-exporter/donation_exporter/internal/promqltest"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

// requireEnv makes the end-to-end test fail, instead of skip, when
// prometheus or promtool is missing (CI sets it).
const requireEnv = "TEST_REQUIRE_PROMETHEUS"

// waitTimeout bounds every wait for the exporter or Prometheus.
const waitTimeout = 60 * time.Second

// shortfallAlerts must be pending or firing for the demo campaign: its
// central projection is short of the target (the warning), and so is the
// high end of its range (the page; the demo needs 3 times its pace).
var shortfallAlerts = []string{"DonationProjectedShortfall", "DonationProjectedShortfallCritical"}

// TestEndToEnd starts the exporter in demo mode and a real Prometheus that
// scrapes it every second and loads rules.yml and alerts.yml, then checks the
// rules with promtool, runs every dashboard query through the HTTP API and
// expects the demo campaign's shortfall alerts to be pending or firing.
func TestEndToEnd(t *testing.T) {
	promBin, promtoolBin := findTools(t)
	ruleDir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	ruleFiles := ruleFiles(t, ruleDir)
	dir := t.TempDir()

	bin := testsupport.BuildExporter(t)
	exporterAddr := testsupport.FreeAddr(t)
	exporter := start(t, dir, "exporter", []string{bin},
		"DONATION_DEMO=true", "DONATION_LISTEN_ADDRESS="+exporterAddr)
	body := waitFor(t, exporter, "exporter serving the demo campaign", func() (string, error) {
		b, err := get(t.Context(), "http://"+exporterAddr+"/metrics")
		if err != nil {
			return "", err
		}
		if !strings.Contains(b, `donation_up{campaign="demo"} 1`) {
			return "", errors.New(`no donation_up{campaign="demo"} 1 yet`)
		}
		return b, nil
	})
	exposed := exposedNames(body)

	config := filepath.Join(dir, "prometheus.yml")
	writeConfig(t, config, exporterAddr, ruleFiles)
	run(t, ruleDir, promtoolBin, "check", "config", config)

	promAddr := testsupport.FreeAddr(t)
	prom := start(t, dir, "prometheus", []string{promBin,
		"--config.file=" + config,
		"--storage.tsdb.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=" + promAddr,
		"--log.level=warn",
	})
	api := &promAPI{base: "http://" + promAddr}

	// promtool runs while Prometheus collects its first samples.
	run(t, ruleDir, promtoolBin, append([]string{"check", "rules"}, ruleFiles...)...)
	run(t, ruleDir, promtoolBin, "test", "rules", "alerts_test.yml", "alerts_history_test.yml")

	waitFor(t, prom, "samples of the demo campaign and the recording rule", func() (struct{}, error) {
		for _, q := range []string{`donation_up{campaign="demo"} == 1`, `campaign:donation_raised:daily_deriv7d{campaign="demo"}`} {
			n, err := api.count(t.Context(), q)
			if err != nil {
				return struct{}{}, err
			}
			if n == 0 {
				return struct{}{}, fmt.Errorf("%s: no data yet", q)
			}
		}
		return struct{}{}, nil
	})

	dash, err := grafana.Load()
	if err != nil {
		t.Fatal(err)
	}
	rules := waitFor(t, prom, "every rule evaluated", func() ([]rule, error) {
		rules, err := api.rules(t.Context())
		if err != nil {
			return nil, err
		}
		for _, r := range rules {
			if r.Health != "ok" {
				return nil, fmt.Errorf("rule %s: health %q %s", r.Name, r.Health, r.LastError)
			}
		}
		return rules, nil
	})
	var recorded []string
	for _, r := range rules {
		if r.Type == "recording" {
			recorded = append(recorded, r.Name)
		}
	}

	t.Run("queries use only exposed metrics", func(t *testing.T) {
		check := func(what, expr string, extra ...string) {
			t.Helper()
			names, err := promqltest.MetricNames(expr)
			if err != nil {
				t.Errorf("%s: %v", what, err)
				return
			}
			for _, n := range names {
				if !exposed[n] && !slices.Contains(recorded, n) && !slices.Contains(extra, n) {
					t.Errorf("%s uses %s: not in the exporter's /metrics nor a recording rule", what, n)
				}
			}
		}
		for _, p := range dash.AllPanels() {
			for _, tg := range p.Targets {
				check(fmt.Sprintf("panel %q query %s", p.Title, tg.RefID), tg.Expr)
			}
		}
		for _, r := range rules {
			// up is written by Prometheus itself for every target.
			check("rule "+r.Name, r.Query, "up")
		}
	})

	t.Run("campaign variable lists demo", func(t *testing.T) {
		v, ok := dash.Variable("campaign")
		if !ok {
			t.Fatal("no campaign variable")
		}
		// label_values(metric, label) is Grafana's call of the label values API.
		if v.Query != "label_values(donation_raised, campaign)" {
			t.Fatalf("campaign variable query %q: this test only knows label_values(donation_raised, campaign)", v.Query)
		}
		values, err := api.labelValues(t.Context(), "campaign", "donation_raised")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(values, "demo") {
			t.Errorf("campaign values %q, want demo among them", values)
		}
	})

	t.Run("panel queries return data", func(t *testing.T) {
		// One deadline for all queries, so that a query that never returns
		// data costs the wait once, not once per query.
		deadline := time.Now().Add(waitTimeout)
		for _, p := range dash.AllPanels() {
			for _, tg := range p.Targets {
				for _, campaign := range []string{"demo", ".*"} {
					expr := expandVariables(tg.Expr, campaign)
					t.Run(fmt.Sprintf("%s/%s/campaign=%s", p.Title, tg.RefID, campaign), func(t *testing.T) {
						if strings.Contains(expr, "$") {
							t.Fatalf("unexpanded variable in %q", expr)
						}
						// Recording rules and 1s scrapes may need a moment.
						res := waitUntil(t, prom, deadline, "data for "+expr, func() (queryResult, error) {
							res, err := api.query(t.Context(), expr)
							if err != nil {
								return res, err
							}
							if res.len() == 0 {
								return res, errors.New("empty result")
							}
							return res, nil
						})
						for _, v := range res.values() {
							if v == "NaN" || strings.HasSuffix(v, "Inf") {
								t.Errorf("%q returned %s", expr, v)
							}
						}
					})
				}
			}
		}
	})

	t.Run("projected path reaches into the future", func(t *testing.T) {
		found := false
		for _, p := range dash.AllPanels() {
			for _, tg := range p.Targets {
				if !strings.Contains(tg.Expr, "time()") {
					continue
				}
				found = true
				now := time.Now()
				end := now.Add(24 * time.Hour)
				res, err := api.queryRange(t.Context(), expandVariables(tg.Expr, "demo"), now.Add(-time.Minute), end, time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				last, ok := res.lastTimestamp()
				if !ok || last.Before(now.Add(23*time.Hour)) {
					t.Errorf("panel %q query %s: last point %v, want one a day ahead (%v)", p.Title, tg.RefID, last, end)
				}
			}
		}
		if !found {
			t.Fatal("no dashboard query projects into the future (uses time())")
		}
	})

	for _, name := range shortfallAlerts {
		t.Run("demo "+name+" is pending or firing", func(t *testing.T) {
			a := waitFor(t, prom, name+" for demo", func() (alert, error) {
				alerts, err := api.alerts(t.Context())
				if err != nil {
					return alert{}, err
				}
				for _, a := range alerts {
					if a.Labels["alertname"] == name && a.Labels["campaign"] == "demo" {
						return a, nil
					}
				}
				return alert{}, errors.New("not active yet")
			})
			if a.State != "pending" && a.State != "firing" {
				t.Errorf("state %q, want pending or firing", a.State)
			}
			for k, v := range a.Annotations {
				if v == "" || strings.Contains(v, "<no value>") || strings.Contains(v, "error") {
					t.Errorf("annotation %s not rendered from real data: %q", k, v)
				}
			}
			t.Logf("%s %s: %s", name, a.State, a.Annotations["description"])
		})
	}

	t.Run("demo campaign is running", func(t *testing.T) {
		res, err := api.query(t.Context(), `donation_campaign_state{campaign="demo"} == 1`)
		if err != nil {
			t.Fatal(err)
		}
		s := res.series()
		if len(s) != 1 || s[0].Metric["state"] != "running" {
			t.Errorf("demo state series %+v, want one, state running", s)
		}
	})

	t.Run("health alerts stay quiet", func(t *testing.T) {
		alerts, err := api.alerts(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range alerts {
			switch a.Labels["alertname"] {
			case "DonationCampaignScrapeFailing", "DonationCampaignFiguresStale", "DonationExporterDown", "DonationExporterAbsent", "DonationExporterReloadFailed":
				t.Errorf("%s is %s: %v", a.Labels["alertname"], a.State, a.Labels)
			}
		}
	})
}

// findTools returns the paths of prometheus and promtool, skipping the test
// when one is missing unless requireEnv is set.
func findTools(t *testing.T) (prom, promtool string) {
	t.Helper()
	required := os.Getenv(requireEnv) == "1"
	if testing.Short() && !required {
		t.Skip("end-to-end test skipped in -short mode")
	}
	prom, errProm := exec.LookPath("prometheus")
	promtool, errTool := exec.LookPath("promtool")
	if err := errors.Join(errProm, errTool); err != nil {
		if required {
			t.Fatalf("%s=1 but: %v", requireEnv, err)
		}
		t.Skipf("skipping: %v (apt-get install prometheus, or set %s=1 to make this an error)", err, requireEnv)
	}
	return prom, promtool
}

// ruleFiles returns the rule files in dir: every *.yml but the unit tests.
func ruleFiles(t *testing.T, dir string) []string {
	t.Helper()
	all, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	files := slices.DeleteFunc(all, func(f string) bool { return strings.HasSuffix(f, "_test.yml") })
	if len(files) == 0 {
		t.Fatalf("no rule files in %s", dir)
	}
	return files
}

// run runs a command to completion in dir and fails the test with its output
// if it fails.
func run(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	t.Logf("%s %s: ok", filepath.Base(name), strings.Join(args, " "))
}

// process is a started background process.
type process struct {
	name string
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result, valid once done is closed
}

// start starts a process in its own process group, logging to a file in dir,
// and stops the group at cleanup (SIGTERM, then SIGKILL after 10s).
func start(t *testing.T, dir, name string, argv []string, env ...string) *process {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &process{name: name, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		pgid := cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-p.done
		}
		logFile.Close()
		if t.Failed() {
			if out, err := os.ReadFile(logPath); err == nil {
				t.Logf("%s log:\n%s", name, out)
			}
		}
	})
	return p
}

// waitFor calls f until it succeeds, p exits or waitTimeout passes.
func waitFor[T any](t *testing.T, p *process, what string, f func() (T, error)) T {
	t.Helper()
	return waitUntil(t, p, time.Now().Add(waitTimeout), what, f)
}

// waitUntil calls f until it succeeds, p exits or the deadline passes.
func waitUntil[T any](t *testing.T, p *process, deadline time.Time, what string, f func() (T, error)) T {
	t.Helper()
	for {
		v, err := f()
		if err == nil {
			return v
		}
		select {
		case <-p.done:
			t.Fatalf("waiting for %s: %s exited: %v", what, p.name, p.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: gave up at the deadline: %v", what, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func writeConfig(t *testing.T, path, target string, ruleFiles []string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n")
	b.WriteString("rule_files:\n")
	for _, f := range ruleFiles {
		fmt.Fprintf(&b, "  - %q\n", f)
	}
	fmt.Fprintf(&b, "scrape_configs:\n  - job_name: donation\n    static_configs:\n      - targets: [%q]\n", target)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// exposedNames returns the metric names of a text exposition.
func exposedNames(body string) map[string]bool {
	names := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if i := strings.IndexAny(line, "{ "); i > 0 {
			names[line[:i]] = true
		}
	}
	return names
}

// expandVariables substitutes Grafana's template variables the way Grafana
// would for one selected campaign (or the regex of All).
func expandVariables(expr, campaign string) string {
	return strings.NewReplacer(
		"${campaign}", campaign,
		"$campaign", campaign,
		"${__rate_interval}", "1m",
		"$__rate_interval", "1m",
		"${__interval}", "15s",
		"$__interval", "15s",
		"${__range}", "1h",
		"$__range", "1h",
	).Replace(expr)
}

// requestTimeout bounds each HTTP request to the exporter or Prometheus.
const requestTimeout = 5 * time.Second

func get(ctx context.Context, u string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("request %s: %w", u, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("get %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("get %s: %s: %s", u, resp.Status, body)
	}
	return string(body), nil
}

// promAPI is a minimal client of Prometheus' HTTP API.
type promAPI struct {
	base string
}

// call GETs an API path and decodes the data field of the response into v.
func (a *promAPI) call(ctx context.Context, path string, params url.Values, v any) error {
	u := a.base + path
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("request %s: %w", path, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("get %s: %w", path, err)
	}
	defer resp.Body.Close()
	var envelope struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
		Error  string          `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&envelope); err != nil {
		return fmt.Errorf("decode %s (%s): %w", path, resp.Status, err)
	}
	if envelope.Status != "success" {
		return fmt.Errorf("%s %v: %s: %s", path, params, resp.Status, envelope.Error)
	}
	if err := json.Unmarshal(envelope.Data, v); err != nil {
		return fmt.Errorf("decode %s data: %w", path, err)
	}
	return nil
}

// queryResult is the data of a query or query_range response.
type queryResult struct {
	ResultType string          `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

type series struct {
	Metric map[string]string `json:"metric"`
	Value  []any             `json:"value"`
	Values [][]any           `json:"values"`
}

func (r queryResult) series() []series {
	var s []series
	if r.ResultType == "vector" || r.ResultType == "matrix" {
		_ = json.Unmarshal(r.Result, &s)
	}
	return s
}

// len is the number of series, or 1 for a scalar or string.
func (r queryResult) len() int {
	switch r.ResultType {
	case "scalar", "string":
		return 1
	}
	return len(r.series())
}

// values returns the sample values of an instant vector as sent.
func (r queryResult) values() []string {
	var out []string
	for _, s := range r.series() {
		if len(s.Value) == 2 {
			if v, ok := s.Value[1].(string); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// lastTimestamp returns the latest sample time of a range result.
func (r queryResult) lastTimestamp() (time.Time, bool) {
	var last float64
	for _, s := range r.series() {
		for _, v := range s.Values {
			if ts, ok := v[0].(float64); ok && ts > last {
				last = ts
			}
		}
	}
	return time.Unix(int64(last), 0), last > 0
}

func (a *promAPI) query(ctx context.Context, expr string) (queryResult, error) {
	var r queryResult
	err := a.call(ctx, "/api/v1/query", url.Values{"query": {expr}}, &r)
	return r, err
}

func (a *promAPI) queryRange(ctx context.Context, expr string, start, end time.Time, step time.Duration) (queryResult, error) {
	var r queryResult
	err := a.call(ctx, "/api/v1/query_range", url.Values{
		"query": {expr},
		"start": {strconv.FormatInt(start.Unix(), 10)},
		"end":   {strconv.FormatInt(end.Unix(), 10)},
		"step":  {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)},
	}, &r)
	return r, err
}

func (a *promAPI) count(ctx context.Context, expr string) (int, error) {
	r, err := a.query(ctx, expr)
	return r.len(), err
}

func (a *promAPI) labelValues(ctx context.Context, label, match string) ([]string, error) {
	var values []string
	err := a.call(ctx, "/api/v1/label/"+url.PathEscape(label)+"/values",
		url.Values{"match[]": {match}}, &values)
	return values, err
}

type rule struct {
	Name      string `json:"name"`
	Query     string `json:"query"`
	Type      string `json:"type"`
	Health    string `json:"health"`
	LastError string `json:"lastError"`
}

func (a *promAPI) rules(ctx context.Context) ([]rule, error) {
	var data struct {
		Groups []struct {
			Rules []rule `json:"rules"`
		} `json:"groups"`
	}
	if err := a.call(ctx, "/api/v1/rules", nil, &data); err != nil {
		return nil, err
	}
	var out []rule
	for _, g := range data.Groups {
		out = append(out, g.Rules...)
	}
	if len(out) == 0 {
		return nil, errors.New("no rules loaded")
	}
	return out, nil
}

type alert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
}

func (a *promAPI) alerts(ctx context.Context) ([]alert, error) {
	var data struct {
		Alerts []alert `json:"alerts"`
	}
	err := a.call(ctx, "/api/v1/alerts", nil, &data)
	return data.Alerts, err
}
