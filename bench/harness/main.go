// Command harness measures the real exporter under load: it builds the
// binary (make build), serves generated donation pages from a local
// upstream on 127.0.0.1 with a chosen delay, size and number of campaigns,
// scrapes /metrics a number of times one after the other, and reports scrape
// latency (p50, p99), CPU seconds and bytes allocated per scrape, and the
// exporter's resident memory: idle before the first scrape, at its peak
// (VmHWM), and after the run. Linux only (/proc). Every process and server
// it starts is stopped before it exits.
//
//	go run ./bench/harness -campaigns 100 -delay 200ms -page-bytes 16384
//	go run ./bench/harness -campaigns 100 -delay 0 -page-bytes 1048576
//	go run ./bench/harness -campaigns 100 -stalled 100 -stalled-bytes 300000 -scrapes 5
//
// With -stalled, that many more campaigns' sites send their headers and the
// first -stalled-bytes of a page, then nothing until the exporter gives up
// (their TIMEOUT, -stalled-timeout): sites that stall mid-page. They are
// expected down; "campaigns not up" counts the others.
// The -want-* flags turn the targets of docs/benchmarks.md into an exit status: 1 when
// a figure misses its target.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/donation-exporter/donation_exporter/bench/pagegen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the harness' flags.
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

// envFlag adds the repeatable -env NAME=VALUE flag every mode has: extra
// variables for the exporter under measurement.
func envFlag(fs *flag.FlagSet, env *[]string, example string) {
	usage := "extra exporter variable NAME=VALUE (repeatable)"
	if example != "" {
		usage = "extra exporter variable NAME=VALUE, " + example + " (repeatable)"
	}
	fs.Func("env", usage, func(s string) error {
		if !strings.Contains(s, "=") {
			return fmt.Errorf("%q is not NAME=VALUE", s)
		}
		*env = append(*env, s)
		return nil
	})
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "scale" {
		return runScale(ctx, args[1:], stdout, stderr) // scale.go
	}
	if len(args) > 0 && args[0] == "peer" {
		return runPeer(ctx, args[1:], stdout, stderr) // peer.go
	}
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "harness:", err)
		return 2
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

// result is what one run measured.
type result struct {
	latencies        []time.Duration // sorted
	cpuPerScrape     float64         // seconds
	allocPerScrape   float64         // bytes, from go_memstats_alloc_bytes_total
	idle, peak, last memory          // before the scrapes, at the end, after the run and -idle
	upstreamRequests int64
	failedCampaigns  int // campaigns not up, summed over the scrapes
	gomaxprocs       string
}

func (r result) percentile(p float64) time.Duration {
	// Nearest rank: with fewer than 100 scrapes, p99 is the slowest.
	i := int(float64(len(r.latencies))*p+0.999999) - 1
	return r.latencies[max(0, min(i, len(r.latencies)-1))]
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

func (r result) print(w io.Writer, o options) {
	delivery := "whole answer after the delay"
	if o.headerFirst {
		delivery = "headers at once, body after the delay"
	}
	if o.chunked {
		delivery += ", chunked"
	}
	fmt.Fprintf(w, "exporter: %d campaigns, %s pages of %d bytes, upstream delay %v (%s), GOMAXPROCS %s\n",
		o.campaigns, o.kind, o.pageBytes, o.delay, delivery, r.gomaxprocs)
	if o.stalled > 0 {
		fmt.Fprintf(w, "stalled: %d more campaigns send headers and %d bytes, then stall (TIMEOUT %v)\n", o.stalled, o.stalledBytes, o.stalledWait)
	}
	if len(o.env) > 0 {
		fmt.Fprintf(w, "extra variables: %s\n", strings.Join(o.env, " "))
	}
	fmt.Fprintf(w, "scrapes: %d measured after 1 warm-up; upstream requests %d; campaigns not up %d\n",
		len(r.latencies), r.upstreamRequests, r.failedCampaigns)
	ratio := func(d time.Duration) string {
		if o.delay <= 0 {
			return ""
		}
		return fmt.Sprintf(" (%.2f × delay)", float64(d)/float64(o.delay))
	}
	p50, p99 := r.percentile(0.5), r.percentile(0.99)
	fmt.Fprintf(w, "latency: p50 %v%s, p99 %v%s, min %v\n", p50.Round(time.Millisecond/10), ratio(p50),
		p99.Round(time.Millisecond/10), ratio(p99), r.latencies[0].Round(time.Millisecond/10))
	fmt.Fprintf(w, "cpu: %.3f s per scrape\n", r.cpuPerScrape)
	fmt.Fprintf(w, "allocated: %.1f KiB per scrape\n", r.allocPerScrape/1024)
	fmt.Fprintf(w, "resident memory: idle %.1f MiB, peak (VmHWM) %.1f MiB, after the run %.1f MiB\n",
		mib(r.idle.RSS), mib(r.peak.Peak), mib(r.last.RSS))
}

// check returns the targets missed.
func (r result) check(o options) []string {
	var missed []string
	if r.failedCampaigns > 0 {
		missed = append(missed, fmt.Sprintf("%d campaign scrapes failed", r.failedCampaigns))
	}
	if p99 := r.percentile(0.99); o.wantLatencyRatio > 0 && float64(p99) > o.wantLatencyRatio*float64(o.delay) {
		missed = append(missed, fmt.Sprintf("p99 latency %v is over %.2f × %v", p99, o.wantLatencyRatio, o.delay))
	}
	if o.wantPeakMiB > 0 && mib(r.peak.Peak) > o.wantPeakMiB {
		missed = append(missed, fmt.Sprintf("peak RSS %.1f MiB is over %.0f MiB", mib(r.peak.Peak), o.wantPeakMiB))
	}
	if o.wantIdleMiB > 0 && mib(r.idle.RSS) > o.wantIdleMiB {
		missed = append(missed, fmt.Sprintf("idle RSS %.1f MiB is over %.0f MiB", mib(r.idle.RSS), o.wantIdleMiB))
	}
	return missed
}

func measure(ctx context.Context, o options, stderr io.Writer) (result, error) {
	var r result
	dir, err := os.MkdirTemp("", "donation-harness-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	bin := o.exporter
	if bin == "" {
		if bin, err = build(ctx, dir); err != nil {
			return r, err
		}
	}

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

	if err := sleep(ctx, o.idle); err != nil {
		return r, err
	}
	if r.idle, err = readMemory(exp.pid()); err != nil {
		return r, err
	}

	client := &http.Client{Timeout: 2 * time.Minute}
	defer client.CloseIdleConnections()
	metricsURL := "http://" + exp.addr + "/metrics"
	first, err := scrape(ctx, client, metricsURL, o.campaigns) // warm-up: connections opened
	if err != nil {
		return r, err
	}
	r.gomaxprocs = first.gauge("go_sched_gomaxprocs_threads")
	cpuBefore, err := cpuSeconds(exp.pid())
	if err != nil {
		return r, err
	}
	last := first
	for range o.scrapes {
		s, err := scrape(ctx, client, metricsURL, o.campaigns)
		if err != nil {
			return r, err
		}
		r.latencies = append(r.latencies, s.took)
		r.failedCampaigns += s.down
		last = s
	}
	cpuAfter, err := cpuSeconds(exp.pid())
	if err != nil {
		return r, err
	}
	slices.Sort(r.latencies)
	r.cpuPerScrape = (cpuAfter - cpuBefore) / float64(o.scrapes)
	if a, b := first.number("go_memstats_alloc_bytes_total"), last.number("go_memstats_alloc_bytes_total"); a > 0 && b > a {
		// Between the two gatherings: the scrapes measured, one whole
		// request each.
		r.allocPerScrape = (b - a) / float64(o.scrapes)
	}
	if r.peak, err = readMemory(exp.pid()); err != nil {
		return r, err
	}
	if err := sleep(ctx, o.idle); err != nil {
		return r, err
	}
	if r.last, err = readMemory(exp.pid()); err != nil {
		return r, err
	}
	r.upstreamRequests = requests.Load()
	return r, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// build runs make build from the module's root, writing the binary into
// dir, so that the binary measured is the one the image ships.
func build(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run the harness inside the donation_exporter module, or pass -exporter")
	}
	bin := filepath.Join(dir, "donation_exporter")
	cmd := exec.CommandContext(ctx, "make", "-C", filepath.Dir(gomod), "build", "BINARY="+bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("make build (or pass -exporter): %w\n%s", err, out)
	}
	return bin, nil
}

// upstream is the local donation site.
type upstream struct {
	Addr   string
	server *http.Server
}

func (u *upstream) Close() { _ = u.server.Close() }

// serveUpstream serves campaign i's page at /c/<i> on 127.0.0.1, after
// o.delay, and counts the requests.
func serveUpstream(o options) (*upstream, *atomic.Int64, error) {
	figures := pagegen.Figures{Raised: 123456, Target: 250000, Donors: 1234}
	body, contentType := pagegen.HTML(o.pageBytes, figures), "text/html; charset=utf-8"
	if o.kind == "json" {
		body, contentType = pagegen.JSON(o.pageBytes, figures), "application/json"
	}
	var requests atomic.Int64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", contentType)
		if strings.HasPrefix(r.URL.Path, "/s/") {
			// A stalled site: headers and the start of a page, then
			// nothing until the exporter gives up.
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(bytes.Repeat([]byte("<p>padding</p>\n"), o.stalledBytes/15))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		if !o.chunked {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		if o.headerFirst {
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
		}
		if sleep(r.Context(), o.delay) != nil {
			return
		}
		_, _ = w.Write(body)
	})
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("upstream: %w", err)
	}
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(listener) }()
	return &upstream{Addr: listener.Addr().String(), server: server}, &requests, nil
}

// exporterEnv configures one campaign per page, reading every field.
func exporterEnv(o options, site string) []string {
	env := []string{"DONATION_LISTEN_ADDRESS=127.0.0.1:0", "DONATION_LOG_FORMAT=json"}
	selectors := pagegen.HTMLSelectors()
	if o.kind == "json" {
		selectors = pagegen.JSONSelectors()
	}
	for i := range o.campaigns {
		p := fmt.Sprintf("DONATION_CAMPAIGN_%d_", i)
		env = append(env, p+"NAME="+fmt.Sprintf("c%d", i), p+"URL="+fmt.Sprintf("%s/c/%d", site, i),
			p+"PLATFORM="+o.kind, p+"TIMEOUT=60s")
		for field, sel := range selectors {
			env = append(env, p+strings.ToUpper(field)+"_SELECTOR="+sel)
		}
	}
	for i := range o.stalled {
		p := fmt.Sprintf("DONATION_CAMPAIGN_%d_", o.campaigns+i)
		env = append(env, p+"NAME="+fmt.Sprintf("s%d", i), p+"URL="+fmt.Sprintf("%s/s/%d", site, i),
			p+"PLATFORM="+o.kind, p+"TIMEOUT="+o.stalledWait.String())
		for field, sel := range selectors {
			env = append(env, p+strings.ToUpper(field)+"_SELECTOR="+sel)
		}
	}
	return append(env, o.env...)
}

// exporter is the running exporter process.
type exporter struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{} // closed when the process has exited
}

func (e *exporter) pid() int { return e.cmd.Process.Pid }

// stop ends the exporter with SIGTERM, or SIGKILL when it does not exit
// within 10 s.
func (e *exporter) stop() {
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.done:
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.done
	}
}

// startExporter runs bin with env alone and waits until it listens. Its
// warnings and errors are copied to stderr.
func startExporter(ctx context.Context, bin string, env []string, stderr io.Writer) (*exporter, error) {
	cmd := exec.Command(bin)
	cmd.Env = env
	logs, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	e := &exporter{cmd: cmd, done: make(chan struct{})}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var rec struct{ Msg, Level, Address string }
			if json.Unmarshal(sc.Bytes(), &rec) != nil {
				fmt.Fprintln(stderr, "exporter:", sc.Text())
				continue
			}
			switch {
			case rec.Msg == "Listening on":
				select {
				case listening <- rec.Address:
				default:
				}
			case rec.Level == "warn" || rec.Level == "error":
				fmt.Fprintln(stderr, "exporter:", sc.Text())
			}
		}
		_ = cmd.Wait()
		close(e.done)
	}()
	select {
	case e.addr = <-listening:
		return e, nil
	case <-e.done:
		return nil, fmt.Errorf("exporter exited before listening: %v", cmd.ProcessState)
	case <-time.After(30 * time.Second):
		e.stop()
		return nil, errors.New("exporter not listening after 30 s")
	case <-ctx.Done():
		e.stop()
		return nil, context.Cause(ctx)
	}
}

// scraped is one /metrics answer.
type scraped struct {
	took time.Duration
	down int // campaigns without donation_up 1
	body string
}

func scrape(ctx context.Context, client *http.Client, url string, campaigns int) (scraped, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return scraped{}, err
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "60")
	begin := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return scraped{}, fmt.Errorf("scrape: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(begin)
	if err != nil {
		return scraped{}, fmt.Errorf("scrape: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return scraped{}, fmt.Errorf("scrape: status %s: %.200s", resp.Status, body)
	}
	up := 0
	for line := range strings.Lines(string(body)) {
		// Labels come sorted by name: a campaign's extra labels (the scale
		// mode's appeal) may come before campaign.
		if strings.HasPrefix(line, "donation_up{") && strings.Contains(line, `campaign="c`) && strings.HasSuffix(line, "} 1\n") {
			up++
		}
	}
	return scraped{took: took, down: campaigns - up, body: string(body)}, nil
}

// number returns the value of the unlabelled sample name, or 0.
func (s scraped) number(name string) float64 {
	v, err := strconv.ParseFloat(s.gauge(name), 64)
	if err != nil {
		return 0
	}
	return v
}

// gauge returns the text of the unlabelled sample name, or "?".
func (s scraped) gauge(name string) string {
	for line := range strings.Lines(s.body) {
		if value, ok := strings.CutPrefix(line, name+" "); ok {
			return strings.TrimSpace(value)
		}
	}
	return "?"
}
