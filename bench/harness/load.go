package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/donation-exporter/donation_exporter/bench/pagegen"
)

// The load mode (no mode name: the package comment's commands) measures
// scrapes of /metrics one after the other against campaigns read from
// DONATION_CAMPAIGN_* variables; load_report.go prints and checks what it
// measured.

// options are the load mode's flags.
type options struct {
	campaigns    int
	delay        time.Duration
	headerFirst  bool
	stalled      int
	stalledBytes int
	stalledWait  time.Duration
	chunked      bool
	pageBytes    int
	kind         string
	scrapes      int
	idle         time.Duration
	exporter     string
	env          []string

	wantLatencyRatio float64
	wantPeakMiB      float64
	wantIdleMiB      float64
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("harness", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.campaigns, "campaigns", 100, "campaigns configured, each its own page on the upstream")
	fs.DurationVar(&o.delay, "delay", 200*time.Millisecond, "how long the upstream waits before answering each request")
	fs.BoolVar(&o.headerFirst, "header-first", false, "send the response headers at once and the body after -delay (a site slow to send its page)")
	fs.BoolVar(&o.chunked, "chunked", false, "send pages without Content-Length (chunked, as compressed or streamed pages arrive)")
	fs.IntVar(&o.pageBytes, "page-bytes", 16<<10, "size of each page, in bytes")
	fs.IntVar(&o.stalled, "stalled", 0, "more campaigns whose sites send headers and -stalled-bytes, then stall")
	fs.IntVar(&o.stalledBytes, "stalled-bytes", 0, "bytes of its page a stalled site sends before it stalls")
	fs.DurationVar(&o.stalledWait, "stalled-timeout", 10*time.Second, "TIMEOUT of the stalled campaigns")
	fs.StringVar(&o.kind, "kind", "html", "kind of page: html or json")
	fs.IntVar(&o.scrapes, "scrapes", 20, "scrapes of /metrics measured, one after the other, after one warm-up scrape")
	fs.DurationVar(&o.idle, "idle", 3*time.Second, "wait before reading the idle resident memory, before and after the scrapes")
	fs.StringVar(&o.exporter, "exporter", "", "exporter binary to run (default: build one with make build)")
	envFlag(fs, &o.env, "e.g. DONATION_MAX_CONCURRENT_PARSES=4")
	fs.Float64Var(&o.wantLatencyRatio, "want-latency-ratio", 0, "fail when p99 latency exceeds this × -delay (0: no check)")
	fs.Float64Var(&o.wantPeakMiB, "want-peak-rss-mib", 0, "fail when the peak resident memory exceeds this many MiB (0: no check)")
	fs.Float64Var(&o.wantIdleMiB, "want-idle-rss-mib", 0, "fail when the idle resident memory before the scrapes exceeds this many MiB (0: no check)")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	switch {
	case fs.NArg() > 0:
		return options{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.campaigns < 1 || o.campaigns > 10000:
		return options{}, fmt.Errorf("-campaigns %d: want 1 to 10000", o.campaigns)
	case o.stalled < 0 || o.stalled > 10000 || o.stalledBytes < 0 || o.stalledBytes > 64<<20 || o.stalledWait <= 0:
		return options{}, errors.New("-stalled wants 0 to 10000, -stalled-bytes 0 to 64 MiB, -stalled-timeout a positive duration")
	case o.scrapes < 1 || o.scrapes > 100000:
		return options{}, fmt.Errorf("-scrapes %d: want 1 to 100000", o.scrapes)
	case o.pageBytes < 0 || o.pageBytes > 64<<20:
		return options{}, fmt.Errorf("-page-bytes %d: want 0 to 64 MiB", o.pageBytes)
	case o.delay < 0 || o.idle < 0:
		return options{}, errors.New("-delay and -idle must not be negative")
	case o.kind != "html" && o.kind != "json":
		return options{}, fmt.Errorf("-kind %q: want html or json", o.kind)
	}
	return o, nil
}

// runLoad is the load mode: exit code 2 for bad flags, 1 when the run
// failed or a -want-* target was missed.
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return flagError(err, "harness", stderr)
	}
	r, err := measure(ctx, o, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "harness:", err)
		return 1
	}
	r.print(stdout, o)
	if failed := r.check(o); len(failed) > 0 {
		for _, f := range failed {
			fmt.Fprintln(stdout, "TARGET MISSED:", f)
		}
		return 1
	}
	return 0
}

// measure runs the exporter against the upstream and measures its idle
// memory, o.scrapes scrapes, and its memory at their end and after -idle.
func measure(ctx context.Context, o options, stderr io.Writer) (result, error) {
	var r result
	dir, bin, err := exporterBinary(ctx, "donation-harness-", o.exporter)
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)

	site, requests, err := serveUpstream(o)
	if err != nil {
		return r, err
	}
	defer site.Close()

	exp, err := startExporter(ctx, bin, exporterEnv(o, "http://"+site.Addr), stderr)
	if err != nil {
		return r, err
	}
	defer exp.stop()

	if r.idle, err = idleMemory(ctx, exp.pid(), o.idle); err != nil {
		return r, err
	}
	client := &http.Client{Timeout: 2 * time.Minute}
	defer client.CloseIdleConnections()
	if err := measureScrapes(ctx, o, client, "http://"+exp.addr+"/metrics", exp.pid(), &r); err != nil {
		return r, err
	}
	if r.peak, err = readMemory(exp.pid()); err != nil {
		return r, err
	}
	if r.last, err = idleMemory(ctx, exp.pid(), o.idle); err != nil {
		return r, err
	}
	r.upstreamRequests = requests.Load()
	return r, nil
}

// measureScrapes scrapes metricsURL once to warm up, then o.scrapes times
// one after the other, and records in r the latencies, the campaigns not
// up, and the CPU and bytes allocated per scrape.
func measureScrapes(ctx context.Context, o options, client *http.Client, metricsURL string, pid int, r *result) error {
	first, err := scrape(ctx, client, metricsURL, o.campaigns) // warm-up: connections opened
	if err != nil {
		return err
	}
	r.gomaxprocs = first.gauge("go_sched_gomaxprocs_threads")
	last := first
	cpu, err := cpuDuring(pid, func() error {
		for range o.scrapes {
			s, err := scrape(ctx, client, metricsURL, o.campaigns)
			if err != nil {
				return err
			}
			r.latencies = append(r.latencies, s.took)
			r.failedCampaigns += s.down
			last = s
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(r.latencies)
	r.cpuPerScrape = cpu / float64(o.scrapes)
	if a, b := first.number("go_memstats_alloc_bytes_total"), last.number("go_memstats_alloc_bytes_total"); a > 0 && b > a {
		// Between the two gatherings: the scrapes measured, one whole
		// request each.
		r.allocPerScrape = (b - a) / float64(o.scrapes)
	}
	return nil
}

// exporterEnv configures one campaign per page, reading every field, and
// o.stalled more campaigns on the stalled sites.
func exporterEnv(o options, site string) []string {
	env := exporterBaseEnv()
	selectors := pagegen.HTMLSelectors()
	if o.kind == "json" {
		selectors = pagegen.JSONSelectors()
	}
	for i := range o.campaigns {
		env = append(env, campaignEnv(i, fmt.Sprintf("c%d", i), fmt.Sprintf("%s/c/%d", site, i), o.kind, "60s", selectors)...)
	}
	for i := range o.stalled {
		env = append(env, campaignEnv(o.campaigns+i, fmt.Sprintf("s%d", i), fmt.Sprintf("%s/s/%d", site, i), o.kind, o.stalledWait.String(), selectors)...)
	}
	return append(env, o.env...)
}

// campaignEnv is the DONATION_CAMPAIGN_<i>_* variables of one campaign.
func campaignEnv(i int, name, url, platform, timeout string, selectors map[string]string) []string {
	p := fmt.Sprintf("DONATION_CAMPAIGN_%d_", i)
	env := []string{p + "NAME=" + name, p + "URL=" + url, p + "PLATFORM=" + platform, p + "TIMEOUT=" + timeout}
	for field, sel := range selectors {
		env = append(env, p+strings.ToUpper(field)+"_SELECTOR="+sel)
	}
	return env
}
