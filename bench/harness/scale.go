package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
		return flagError(err, "harness scale", stderr)
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

// scaleRun is what the scale mode's first phase works with.
type scaleRun struct {
	o              scaleOptions
	bin            string
	env            []string // the exporter's, the campaigns file's among them
	file           string   // the campaigns file
	site           string   // the upstream's address
	requests       *atomic.Int64
	client         *http.Client
	stdout, stderr io.Writer
}

// measureScale runs the phases: the exporter with MIN_INTERVAL
// (measureMinInterval), then, unless -prometheus-duration is 0, another
// one under a real Prometheus (measureProbes).
func measureScale(ctx context.Context, o scaleOptions, stdout, stderr io.Writer) error {
	dir, bin, err := exporterBinary(ctx, "donation-scale-", o.exporter)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	site, requests, err := serveUpstream(options{pageBytes: o.pageBytes, kind: "html"})
	if err != nil {
		return err
	}
	defer site.Close()
	file := filepath.Join(dir, "campaigns.yml")
	if err := writeCampaignsFile(file, o, "http://"+site.Addr, pagegen.HTMLSelectors()["raised"]); err != nil {
		return err
	}
	env := append(append(exporterBaseEnv(), "DONATION_CONFIG_FILE="+file), o.env...)
	client := &http.Client{Timeout: 2 * time.Minute}
	defer client.CloseIdleConnections()

	run := scaleRun{o: o, bin: bin, env: env, file: file, site: site.Addr, requests: requests, client: client, stdout: stdout, stderr: stderr}
	if err := run.measureMinInterval(ctx); err != nil {
		return err
	}
	if o.promDuration <= 0 {
		return nil
	}
	return measureProbes(ctx, o, bin, env, dir, stdout, stderr)
}

// measureMinInterval is the first phase: start, idle memory, reloads,
// /metrics with MIN_INTERVAL. The exporter is stopped at its end.
func (s scaleRun) measureMinInterval(ctx context.Context) error {
	fmt.Fprintf(s.stdout, "campaigns: %d in %s, pages of %d bytes served on %s\n", s.o.campaigns, filepath.Base(s.file), s.o.pageBytes, s.site)
	if load, err := loadAverage(); err == nil {
		fmt.Fprintf(s.stdout, "machine load average (1, 5, 15 min) before: %s\n", load)
	}
	exp, err := s.start(ctx)
	if err != nil {
		return err
	}
	defer exp.stop()
	idle, err := idleMemory(ctx, exp.pid(), s.o.idle)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.stdout, "idle RSS: %.1f MiB\n", mib(idle.RSS))
	base := "http://" + exp.addr
	if err := s.measureReloads(ctx, exp.pid(), base); err != nil {
		return err
	}
	return measureMetrics(ctx, s.o, s.client, exp.pid(), base, s.requests, s.stdout)
}

// start starts the exporter with MIN_INTERVAL and reports how long it took
// to listen and the CPU it used until then.
func (s scaleRun) start(ctx context.Context) (*exporter, error) {
	begin := time.Now()
	exp, err := startExporter(ctx, s.bin, append(s.env, "DONATION_MIN_INTERVAL="+s.o.minInterval.String()), s.stderr)
	if err != nil {
		return nil, err
	}
	startWall := time.Since(begin)
	startCPU, err := cpuSeconds(exp.pid())
	if err != nil {
		exp.stop()
		return nil, err
	}
	fmt.Fprintf(s.stdout, "start (process start to listening): %v wall, %.2f s CPU\n", startWall.Round(time.Millisecond), startCPU)
	return exp, nil
}

// measureReloads rewrites the campaigns file, first with every campaign
// unchanged, then with every campaign changed, and reports each
// POST /-/reload.
func (s scaleRun) measureReloads(ctx context.Context, pid int, base string) error {
	for _, step := range []struct {
		name   string
		raised string
	}{
		{"reload, every campaign unchanged", pagegen.HTMLSelectors()["raised"]},
		{"reload, every campaign changed", "[role=progressbar]@aria-valuenow"},
	} {
		if err := writeCampaignsFile(s.file, s.o, "http://"+s.site, step.raised); err != nil {
			return err
		}
		var took time.Duration
		cpu, err := cpuDuring(pid, func() (err error) {
			took, err = postReload(ctx, s.client, base)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(s.stdout, "%s: %v wall, %.2f s CPU\n", step.name, took.Round(time.Millisecond), cpu)
	}
	return nil
}
