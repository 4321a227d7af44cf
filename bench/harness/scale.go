package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/donation-exporter/donation_exporter/bench/pagegen"
)

// The scale mode measures one exporter watching many campaigns
// from a campaigns file:
//
//	go run ./bench/harness scale -campaigns 10000 -prometheus-duration 3m
//
// It reports the time from starting the process until it listens, the
// idle resident memory, POST /-/reload with every campaign unchanged and
// with every campaign changed, scrapes of /metrics with MIN_INTERVAL set
// (how many pages each fetches, how long it takes), the peak resident
// memory of one /metrics, four concurrent ones and 64 concurrent status
// pages once every campaign was read, each phase measured alone, and then a real
// Prometheus scraping every campaign through /probe, discovered from /sd:
// the slowest scrape, failed scrapes and the exporter's CPU over the
// window. Pages are served locally, without delay. It is a command, not a
// test: a 10,000-target Prometheus has no place in the test suite.

// scaleOptions are the scale mode's flags.
type scaleOptions struct {
	campaigns      int
	pageBytes      int
	exporter       string
	prometheus     string
	minInterval    time.Duration
	metricsScrapes int
	promDuration   time.Duration
	scrapeInterval time.Duration
	scrapeTimeout  time.Duration
	idle           time.Duration
	settle         time.Duration
	env            []string
}

func parseScaleFlags(args []string, stderr io.Writer) (scaleOptions, error) {
	var o scaleOptions
	fs := flag.NewFlagSet("harness scale", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.campaigns, "campaigns", 10000, "campaigns in the file, each its own page on the upstream")
	fs.IntVar(&o.pageBytes, "page-bytes", 16<<10, "size of each page, in bytes")
	fs.StringVar(&o.exporter, "exporter", "", "exporter binary to run (default: build one with make build)")
	fs.StringVar(&o.prometheus, "prometheus", "prometheus", "Prometheus binary for the /probe phase")
	fs.DurationVar(&o.minInterval, "min-interval", 15*time.Minute, "DONATION_MIN_INTERVAL for the /metrics phase")
	fs.IntVar(&o.metricsScrapes, "metrics-scrapes", 12, "scrapes of /metrics, one after the other, in the /metrics phase")
	fs.DurationVar(&o.promDuration, "prometheus-duration", 3*time.Minute, "how long the /probe phase is measured once every target was scraped (0: skip the phase)")
	fs.DurationVar(&o.scrapeInterval, "scrape-interval", time.Minute, "Prometheus' scrape interval in the /probe phase")
	fs.DurationVar(&o.scrapeTimeout, "scrape-timeout", 10*time.Second, "Prometheus' scrape timeout in the /probe phase")
	fs.DurationVar(&o.idle, "idle", 3*time.Second, "wait before reading the idle resident memory")
	fs.DurationVar(&o.settle, "settle", 3*time.Minute, "longest wait, before the peak phases, for the resident memory to stop falling")
	envFlag(fs, &o.env, "e.g. DONATION_MAX_REQUESTS_IN_FLIGHT=1000")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.campaigns < 1:
		return o, fmt.Errorf("-campaigns %d: want at least 1", o.campaigns)
	case o.metricsScrapes < 1:
		return o, fmt.Errorf("-metrics-scrapes %d: want at least 1", o.metricsScrapes)
	}
	return o, nil
}

func runScale(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseScaleFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "harness scale:", err)
		return 2
	}
	if err := measureScale(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "harness scale:", err)
		return 1
	}
	return 0
}

// writeCampaignsFile writes o.campaigns campaigns reading every field of
// the upstream's pages; raised is the raised selector, so that two files
// can differ in every campaign.
func writeCampaignsFile(path string, o scaleOptions, site, raised string) error {
	var b strings.Builder
	b.WriteString("campaigns:\n")
	selectors := pagegen.HTMLSelectors()
	selectors["raised"] = raised
	fields := slices.Sorted(func(yield func(string) bool) {
		for f := range selectors {
			if !yield(f) {
				return
			}
		}
	})
	for i := range o.campaigns {
		fmt.Fprintf(&b, "  - name: c%d\n    url: %s/c/%d\n    platform: html\n    timeout: 60s\n", i, site, i)
		for _, f := range fields {
			fmt.Fprintf(&b, "    %s_selector: %q\n", f, selectors[f])
		}
		fmt.Fprintf(&b, "    labels: {appeal: a%d, team: t%d}\n", i%7, i%50)
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

func measureScale(ctx context.Context, o scaleOptions, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "donation-scale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := o.exporter
	if bin == "" {
		if bin, err = build(ctx, dir); err != nil {
			return err
		}
	}
	site, requests, err := serveUpstream(options{pageBytes: o.pageBytes, kind: "html"})
	if err != nil {
		return err
	}
	defer site.Close()
	siteURL := "http://" + site.Addr
	file := filepath.Join(dir, "campaigns.yml")
	if err := writeCampaignsFile(file, o, siteURL, pagegen.HTMLSelectors()["raised"]); err != nil {
		return err
	}
	env := append([]string{"DONATION_LISTEN_ADDRESS=127.0.0.1:0", "DONATION_LOG_FORMAT=json", "DONATION_CONFIG_FILE=" + file}, o.env...)
	client := &http.Client{Timeout: 2 * time.Minute}
	defer client.CloseIdleConnections()

	// Phase 1: start, idle memory, reloads, /metrics with MIN_INTERVAL.
	fmt.Fprintf(stdout, "campaigns: %d in %s, pages of %d bytes served on %s\n", o.campaigns, filepath.Base(file), o.pageBytes, site.Addr)
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(stdout, "machine load average (1, 5, 15 min) before: %s\n", strings.Join(strings.Fields(string(load))[:3], " "))
	}
	begin := time.Now()
	exp, err := startExporter(ctx, bin, append(env, "DONATION_MIN_INTERVAL="+o.minInterval.String()), stderr)
	if err != nil {
		return err
	}
	startWall := time.Since(begin)
	startCPU, err := cpuSeconds(exp.pid())
	if err != nil {
		exp.stop()
		return err
	}
	fmt.Fprintf(stdout, "start (process start to listening): %v wall, %.2f s CPU\n", startWall.Round(time.Millisecond), startCPU)
	stopped := false
	defer func() {
		if !stopped {
			exp.stop()
		}
	}()
	if err := sleep(ctx, o.idle); err != nil {
		return err
	}
	idle, err := readMemory(exp.pid())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "idle RSS: %.1f MiB\n", mib(idle.RSS))
	base := "http://" + exp.addr
	for _, step := range []struct {
		name   string
		raised string
	}{
		{"reload, every campaign unchanged", pagegen.HTMLSelectors()["raised"]},
		{"reload, every campaign changed", "[role=progressbar]@aria-valuenow"},
	} {
		if err := writeCampaignsFile(file, o, siteURL, step.raised); err != nil {
			return err
		}
		cpuBefore, err := cpuSeconds(exp.pid())
		if err != nil {
			return err
		}
		took, err := postReload(ctx, client, base)
		if err != nil {
			return err
		}
		cpuAfter, err := cpuSeconds(exp.pid())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %v wall, %.2f s CPU\n", step.name, took.Round(time.Millisecond), cpuAfter-cpuBefore)
	}
	if err := measureMetrics(ctx, o, client, exp.pid(), base, requests, stdout); err != nil {
		return err
	}
	exp.stop()
	stopped = true

	if o.promDuration <= 0 {
		return nil
	}
	return measureProbes(ctx, o, bin, env, dir, stdout, stderr)
}

// measurePeaks reports the peak resident memory of each phase on its own:
// the peak is reset before the phase (clear_refs) and read after it
// (VmHWM), so that no phase is charged with an earlier one's. The
// phases: one /metrics, four concurrent ones, and 64 concurrent status
// pages; every /metrics answer must have every campaign up.
func measurePeaks(ctx context.Context, client *http.Client, pid int, base string, campaigns int, stdout io.Writer) error {
	before, err := readMemory(pid)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "peak resident memory per phase (VmHWM after resetting it), from %.1f MiB resident:\n", mib(before.RSS))
	metrics := func(n int) (string, error) {
		answers, err := concurrently(n, func() (scraped, error) { return scrape(ctx, client, base+"/metrics", campaigns) })
		if err != nil {
			return "", err
		}
		var took []string
		for _, a := range answers {
			if a.down > 0 {
				return "", fmt.Errorf("a /metrics answer has %d of %d campaigns not up", a.down, campaigns)
			}
			took = append(took, a.took.Round(time.Millisecond).String())
		}
		return fmt.Sprintf("every answer with all %d campaigns up, in %s, %d bytes", campaigns, strings.Join(took, ", "), len(answers[0].body)), nil
	}
	status := func(n int) (string, error) {
		answers, err := concurrently(n, func() (scraped, error) { return getPage(ctx, client, base+"/") })
		if err != nil {
			return "", err
		}
		slowest := time.Duration(0)
		for _, a := range answers {
			slowest = max(slowest, a.took)
		}
		return fmt.Sprintf("%d answered 200, %d bytes each, the slowest in %v", len(answers), len(answers[0].body), slowest.Round(time.Millisecond)), nil
	}
	for _, phase := range []struct {
		name string
		run  func() (string, error)
	}{
		{"1 /metrics", func() (string, error) { return metrics(1) }},
		{"4 concurrent /metrics", func() (string, error) { return metrics(4) }},
		{"64 concurrent status pages", func() (string, error) { return status(64) }},
	} {
		if err := resetPeak(pid); err != nil {
			return err
		}
		what, err := phase.run()
		if err != nil {
			return fmt.Errorf("%s: %w", phase.name, err)
		}
		mem, err := readMemory(pid)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  %-27s peak %6.1f MiB: %s\n", phase.name+":", mib(mem.Peak), what)
	}
	return nil
}

// settle runs tick once a second until pid's resident memory has fallen
// by less than 1 MiB in 10 s, or for at most atMost, and returns it and
// how long it took.
func settle(ctx context.Context, pid int, atMost time.Duration, tick func() error) (memory, time.Duration, error) {
	begin := time.Now()
	var readings []memory
	for {
		m, err := readMemory(pid)
		if err != nil {
			return m, 0, err
		}
		readings = append(readings, m)
		if n := len(readings); n > 10 && readings[n-11].RSS-m.RSS < 1<<20 || time.Since(begin) >= atMost {
			return m, time.Since(begin), nil
		}
		if err := tick(); err != nil {
			return m, 0, err
		}
		if err := sleep(ctx, time.Second); err != nil {
			return m, 0, err
		}
	}
}

// concurrently runs fn n times at once and returns the answers, or the
// first error.
func concurrently(n int, fn func() (scraped, error)) ([]scraped, error) {
	answers, errs := make([]scraped, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { answers[i], errs[i] = fn() })
	}
	wg.Wait()
	return answers, errors.Join(errs...)
}

// getPage gets the status page at u, which must answer 200.
func getPage(ctx context.Context, client *http.Client, u string) (scraped, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return scraped{}, err
	}
	begin := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return scraped{}, fmt.Errorf("status page: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return scraped{}, fmt.Errorf("status page: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return scraped{}, fmt.Errorf("status page: status %s: %.200s", resp.Status, body)
	}
	return scraped{took: time.Since(begin), body: string(body)}, nil
}

// measureMetrics scrapes /metrics o.metricsScrapes times, one after the
// other, reporting the pages each fetched and the campaigns answered up,
// then lets the resident memory settle and measures the peak phases.
func measureMetrics(ctx context.Context, o scaleOptions, client *http.Client, pid int, base string, requests *atomic.Int64, stdout io.Writer) error {
	fmt.Fprintf(stdout, "/metrics with MIN_INTERVAL=%v, %d scrapes one after the other:\n", o.minInterval, o.metricsScrapes)
	if err := resetPeak(pid); err != nil {
		return err
	}
	cpu0, err := cpuSeconds(pid)
	if err != nil {
		return err
	}
	for i := range o.metricsScrapes {
		before := requests.Load()
		s, err := scrape(ctx, client, base+"/metrics", o.campaigns)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  scrape %2d: %8v, %5d pages fetched, %5d campaigns answered up\n",
			i+1, s.took.Round(time.Millisecond), requests.Load()-before, o.campaigns-s.down)
	}
	cpu1, err := cpuSeconds(pid)
	if err != nil {
		return err
	}
	mem, err := readMemory(pid)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  CPU %.1f s for the %d scrapes; RSS %.1f MiB, peak over the scrapes %.1f MiB\n", cpu1-cpu0, o.metricsScrapes, mib(mem.RSS), mib(mem.Peak))
	// The fetches leave a heap the runtime gives back only after garbage
	// collections that find it free, which need allocations: measured at
	// once, every phase would be charged with the fetches. So /metrics is
	// scraped once a second (as a Prometheus would, if more often: no page
	// is due) until the resident memory stops falling.
	settled, took, err := settle(ctx, pid, o.settle, func() error {
		_, err := scrape(ctx, client, base+"/metrics", o.campaigns)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "resident memory settled at %.1f MiB after %v of one /metrics a second (falling by under 1 MiB in 10 s)\n", mib(settled.RSS), took.Round(time.Second))
	if err := measurePeaks(ctx, client, pid, base, o.campaigns, stdout); err != nil {
		return err
	}
	return nil
}

// postReload asks the exporter to reload and returns how long it took.
func postReload(ctx context.Context, client *http.Client, base string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/-/reload", nil)
	if err != nil {
		return 0, err
	}
	begin := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("reload: %w", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("reload: %s: %s", resp.Status, body)
	}
	return time.Since(begin), nil
}

// measureProbes runs a real Prometheus scraping every campaign through
// /probe at o.scrapeInterval, its targets from /sd, with MIN_INTERVAL 0
// (every probe fetches its page).
func measureProbes(ctx context.Context, o scaleOptions, bin string, env []string, dir string, stdout, stderr io.Writer) error {
	promBin, err := exec.LookPath(o.prometheus)
	if err != nil {
		return fmt.Errorf("the /probe phase needs Prometheus (-prometheus, or -prometheus-duration 0 to skip it): %w", err)
	}
	exp, err := startExporter(ctx, bin, env, stderr)
	if err != nil {
		return err
	}
	defer exp.stop()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	promAddr := listener.Addr().String()
	listener.Close()
	config := fmt.Sprintf(`scrape_configs:
  - job_name: donation-campaigns
    metrics_path: /probe
    scrape_interval: %s
    scrape_timeout: %s
    honor_labels: true
    http_sd_configs:
      - url: http://%s/sd
        refresh_interval: 30s
    relabel_configs:
      - source_labels: [__param_campaign]
        target_label: instance
`, o.scrapeInterval, o.scrapeTimeout, exp.addr)
	configPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		return err
	}
	prom := exec.Command(promBin, "--config.file="+configPath, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+promAddr, "--log.level=warn")
	prom.Stdout, prom.Stderr = stderr, stderr
	if err := prom.Start(); err != nil {
		return fmt.Errorf("start Prometheus: %w", err)
	}
	defer func() {
		_ = prom.Process.Kill()
		_ = prom.Wait()
	}()
	api := "http://" + promAddr + "/api/v1/query?query="
	query := func(q string) (float64, error) {
		var resp struct {
			Data struct {
				Result []struct {
					Value [2]any `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		r, err := http.Get(api + url.QueryEscape(q))
		if err != nil {
			return 0, err
		}
		defer r.Body.Close()
		if err := json.NewDecoder(r.Body).Decode(&resp); err != nil {
			return 0, fmt.Errorf("query %s: %w", q, err)
		}
		if len(resp.Data.Result) == 0 {
			return 0, nil
		}
		s, _ := resp.Data.Result[0].Value[1].(string)
		return strconv.ParseFloat(s, 64)
	}
	// Wait until every target has been scraped once: each target's first
	// scrape is within one interval of its discovery.
	deadline := time.Now().Add(3*o.scrapeInterval + time.Minute)
	for {
		n, err := query(`count(up{job="donation-campaigns"})`)
		if err == nil && int(n) >= o.campaigns {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %v of %d targets scraped after %v", n, o.campaigns, 3*o.scrapeInterval+time.Minute)
		}
		if err := sleep(ctx, 2*time.Second); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "Prometheus: %d targets from /sd, scraping /probe every %v (timeout %v), MIN_INTERVAL 0\n", o.campaigns, o.scrapeInterval, o.scrapeTimeout)
	cpu0, err := cpuSeconds(exp.pid())
	if err != nil {
		return err
	}
	promCPU0, _ := cpuSeconds(prom.Process.Pid)
	begin := time.Now()
	// Every 15 s, why the targets down at that moment failed: Prometheus
	// keeps only each target's last error.
	reasons := map[string]int{}
	for end := begin.Add(o.promDuration); time.Now().Before(end); {
		if err := sleep(ctx, min(15*time.Second, time.Until(end))); err != nil {
			return err
		}
		if err := tallyTargetErrors(promAddr, reasons); err != nil {
			return err
		}
	}
	cpu1, err := cpuSeconds(exp.pid())
	if err != nil {
		return err
	}
	promCPU1, _ := cpuSeconds(prom.Process.Pid)
	window := time.Since(begin)
	rng := fmt.Sprintf("[%ds]", int(window.Seconds()))
	figures := []struct{ name, query string }{
		{"scrapes in the window", `sum(count_over_time(up{job="donation-campaigns"}` + rng + `))`},
		{"failed scrapes (up 0)", `sum(count_over_time(up{job="donation-campaigns"}` + rng + `)) - sum(sum_over_time(up{job="donation-campaigns"}` + rng + `))`},
		{"slowest scrape (s)", `max(max_over_time(scrape_duration_seconds{job="donation-campaigns"}` + rng + `))`},
		{"99th percentile of the targets' slowest scrape (s)", `quantile(0.99, max_over_time(scrape_duration_seconds{job="donation-campaigns"}` + rng + `))`},
		{"median scrape (s)", `quantile(0.5, avg_over_time(scrape_duration_seconds{job="donation-campaigns"}` + rng + `))`},
		{"campaigns with donation_up 0 now", `count(donation_up == 0) or vector(0)`},
	}
	for _, f := range figures {
		v, err := query(f.query)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  %s: %g\n", f.name, v)
	}
	for reason, n := range reasons {
		fmt.Fprintf(stdout, "  targets seen down (sampled every 15 s): %d: %.200s\n", n, reason)
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(stdout, "  machine load average (1, 5, 15 min) at the end: %s\n", strings.Join(strings.Fields(string(load))[:3], " "))
	mem, err := readMemory(exp.pid())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  exporter CPU: %.2f cores over %v; RSS %.1f MiB, peak %.1f MiB\n",
		(cpu1-cpu0)/window.Seconds(), window.Round(time.Second), mib(mem.RSS), mib(mem.Peak))
	fmt.Fprintf(stdout, "  Prometheus CPU: %.2f cores\n", (promCPU1-promCPU0)/window.Seconds())
	return nil
}

// tallyTargetErrors counts, by reason, the targets whose last scrape failed.
func tallyTargetErrors(promAddr string, reasons map[string]int) error {
	var resp struct {
		Data struct {
			ActiveTargets []struct {
				Health    string `json:"health"`
				LastError string `json:"lastError"`
			} `json:"activeTargets"`
		} `json:"data"`
	}
	r, err := http.Get("http://" + promAddr + "/api/v1/targets?state=active")
	if err != nil {
		return err
	}
	defer r.Body.Close()
	if err := json.NewDecoder(r.Body).Decode(&resp); err != nil {
		return fmt.Errorf("targets: %w", err)
	}
	for _, tg := range resp.Data.ActiveTargets {
		if tg.Health != "up" {
			reasons[tg.LastError]++
		}
	}
	return nil
}
