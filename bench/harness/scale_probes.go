package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// measureProbes runs a real Prometheus scraping every campaign through
// /probe at o.scrapeInterval, its targets from /sd, with MIN_INTERVAL 0
// (every probe fetches its page).
func measureProbes(ctx context.Context, o scaleOptions, bin string, env []string, dir string, stdout, stderr io.Writer) error {
	promBin, err := exec.LookPath(o.prometheus)
	if err != nil {
		return fmt.Errorf("the /probe phase needs Prometheus (-prometheus, or -prometheus-duration 0 to skip it): %w", err)
	}
	// /sd names the listen address as the targets' (DONATION_EXTERNAL_ADDRESS
	// aside): with port 0 every target would be 127.0.0.1:0, so this
	// exporter gets a port of its own (the last of a name in env wins).
	addr, err := freeLoopbackAddr()
	if err != nil {
		return err
	}
	exp, err := startExporter(ctx, bin, append(slices.Clone(env), "DONATION_LISTEN_ADDRESS="+addr), stderr)
	if err != nil {
		return err
	}
	defer exp.stop()
	prom, promAddr, err := startPrometheus(promBin, o, exp.addr, dir, stderr)
	if err != nil {
		return err
	}
	defer func() {
		_ = prom.Process.Kill()
		_ = prom.Wait()
	}()
	if err := waitForTargets(ctx, promAddr, o); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Prometheus: %d targets from /sd, scraping /probe every %v (timeout %v), MIN_INTERVAL 0\n", o.campaigns, o.scrapeInterval, o.scrapeTimeout)
	w, err := watchProbes(ctx, o.promDuration, exp.pid(), prom.Process.Pid, promAddr)
	if err != nil {
		return err
	}
	return reportProbes(stdout, promAddr, exp.pid(), w)
}

// startPrometheus writes Prometheus' configuration into dir, a job reading
// its targets from the exporter's /sd and scraping their /probe, and runs
// Prometheus on a free loopback port.
func startPrometheus(promBin string, o scaleOptions, exporterAddr, dir string, stderr io.Writer) (*exec.Cmd, string, error) {
	promAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, "", err
	}
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
`, o.scrapeInterval, o.scrapeTimeout, exporterAddr)
	configPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		return nil, "", err
	}
	prom := exec.Command(promBin, "--config.file="+configPath, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+promAddr, "--log.level=warn")
	prom.Stdout, prom.Stderr = stderr, stderr
	if err := prom.Start(); err != nil {
		return nil, "", fmt.Errorf("start Prometheus: %w", err)
	}
	return prom, promAddr, nil
}

// promQuery asks the Prometheus at promAddr for the instant value of q: the
// first series' value, or 0 when the result is empty.
func promQuery(promAddr, q string) (float64, error) {
	var resp struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	r, err := http.Get("http://" + promAddr + "/api/v1/query?query=" + url.QueryEscape(q))
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

// waitForTargets waits until every target has been scraped once: each
// target's first scrape is within one interval of its discovery.
func waitForTargets(ctx context.Context, promAddr string, o scaleOptions) error {
	deadline := time.Now().Add(3*o.scrapeInterval + time.Minute)
	for {
		n, err := promQuery(promAddr, `count(up{job="donation-campaigns"})`)
		if err == nil && int(n) >= o.campaigns {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %v of %d targets scraped after %v", n, o.campaigns, 3*o.scrapeInterval+time.Minute)
		}
		if err := sleep(ctx, 2*time.Second); err != nil {
			return err
		}
	}
}

// probeWindow is what watchProbes saw.
type probeWindow struct {
	window       time.Duration
	cpu, promCPU float64        // seconds the exporter and Prometheus used
	downReasons  map[string]int // targets seen down, by their last error
}

// watchProbes lets Prometheus scrape for d and measures the CPU the
// exporter and Prometheus use meanwhile. Every 15 s it notes why the
// targets down at that moment failed: Prometheus keeps only each target's
// last error.
func watchProbes(ctx context.Context, d time.Duration, pid, promPid int, promAddr string) (probeWindow, error) {
	w := probeWindow{downReasons: map[string]int{}}
	cpu0, err := cpuSeconds(pid)
	if err != nil {
		return w, err
	}
	promCPU0, _ := cpuSeconds(promPid)
	begin := time.Now()
	for end := begin.Add(d); time.Now().Before(end); {
		if err := sleep(ctx, min(15*time.Second, time.Until(end))); err != nil {
			return w, err
		}
		if err := tallyTargetErrors(promAddr, w.downReasons); err != nil {
			return w, err
		}
	}
	cpu1, err := cpuSeconds(pid)
	if err != nil {
		return w, err
	}
	promCPU1, _ := cpuSeconds(promPid)
	w.window = time.Since(begin)
	w.cpu, w.promCPU = cpu1-cpu0, promCPU1-promCPU0
	return w, nil
}

// reportProbes writes Prometheus' figures over the window, why targets
// were down, the load average, and the CPU and memory of the exporter
// (pid) and Prometheus.
func reportProbes(stdout io.Writer, promAddr string, pid int, w probeWindow) error {
	rng := fmt.Sprintf("[%ds]", int(w.window.Seconds()))
	figures := []struct{ name, query string }{
		{"scrapes in the window", `sum(count_over_time(up{job="donation-campaigns"}` + rng + `))`},
		{"failed scrapes (up 0)", `sum(count_over_time(up{job="donation-campaigns"}` + rng + `)) - sum(sum_over_time(up{job="donation-campaigns"}` + rng + `))`},
		{"slowest scrape (s)", `max(max_over_time(scrape_duration_seconds{job="donation-campaigns"}` + rng + `))`},
		{"99th percentile of the targets' slowest scrape (s)", `quantile(0.99, max_over_time(scrape_duration_seconds{job="donation-campaigns"}` + rng + `))`},
		{"median scrape (s)", `quantile(0.5, avg_over_time(scrape_duration_seconds{job="donation-campaigns"}` + rng + `))`},
		{"campaigns with donation_up 0 now", `count(donation_up == 0) or vector(0)`},
	}
	for _, f := range figures {
		v, err := promQuery(promAddr, f.query)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  %s: %g\n", f.name, v)
	}
	for reason, n := range w.downReasons {
		fmt.Fprintf(stdout, "  targets seen down (sampled every 15 s): %d: %.200s\n", n, reason)
	}
	if load, err := loadAverage(); err == nil {
		fmt.Fprintf(stdout, "  machine load average (1, 5, 15 min) at the end: %s\n", load)
	}
	mem, err := readMemory(pid)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  exporter CPU: %.2f cores over %v; RSS %.1f MiB, peak %.1f MiB\n",
		w.cpu/w.window.Seconds(), w.window.Round(time.Second), mib(mem.RSS), mib(mem.Peak))
	fmt.Fprintf(stdout, "  Prometheus CPU: %.2f cores\n", w.promCPU/w.window.Seconds())
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
