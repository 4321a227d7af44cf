package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The peer mode measures /probe side by side with
// json_exporter, the exporter a user would otherwise configure to read a
// donation platform's JSON:
//
//	go run ./bench/harness peer -peer /tmp/peer/json_exporter -probes 5000
//
// One local upstream serves one JSON document; json_exporter reads its
// two figures with a module, the exporter with a campaign reading the
// same two. Both are probed the same number of times, in alternating
// rounds so that the machine's noise falls on both alike, and for each the
// CPU seconds per probe (utime+stime from /proc/<pid>/stat) and the
// resident memory (VmRSS after the probes, VmHWM) are reported. Without
// -peer (or DONATION_BENCH_PEER) it says so and exits 0: the peer is not
// part of the project.

// peerDocument is the upstream's document: a donation API's two figures.
const peerDocument = `{"currentAmount": 192345.5, "goalAmount": 1000000}`

// peerModule is json_exporter's configuration reading the same two figures.
const peerModule = `modules:
  donation:
    metrics:
      - name: donation_raised
        path: '{ .currentAmount }'
      - name: donation_target
        path: '{ .goalAmount }'
`

// peerOptions are the peer mode's flags.
type peerOptions struct {
	peer     string
	exporter string
	probes   int
	rounds   int
	env      []string
}

func parsePeerFlags(args []string, stderr io.Writer) (peerOptions, error) {
	var o peerOptions
	fs := flag.NewFlagSet("harness peer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.peer, "peer", os.Getenv("DONATION_BENCH_PEER"), "json_exporter binary (default: $DONATION_BENCH_PEER; none: skip)")
	fs.StringVar(&o.exporter, "exporter", "", "exporter binary to run (default: build one with make build)")
	fs.IntVar(&o.probes, "probes", 5000, "probes measured at each exporter, after a warm-up of 100")
	fs.IntVar(&o.rounds, "rounds", 10, "rounds the probes are split into, alternating between the two exporters")
	envFlag(fs, &o.env, "")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.probes < 1 || o.probes > 10_000_000:
		return o, fmt.Errorf("-probes %d: want 1 to 10,000,000", o.probes)
	case o.rounds < 1 || o.rounds > o.probes:
		return o, fmt.Errorf("-rounds %d: want 1 to -probes", o.rounds)
	}
	return o, nil
}

func runPeer(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parsePeerFlags(args, stderr)
	if err != nil {
		return flagError(err, "harness peer", stderr)
	}
	if o.peer == "" {
		fmt.Fprintln(stdout, "harness peer: skipped, no json_exporter binary (-peer or DONATION_BENCH_PEER); docs/benchmarks.md says how to build one")
		return 0
	}
	if err := measurePeer(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "harness peer:", err)
		return 1
	}
	return 0
}

// probed is one exporter under measurement.
type probed struct {
	name  string
	pid   int
	url   string // its /probe URL, query included
	want  string // a line its answer must hold
	cpu   float64
	count int
}

// measurePeer starts both exporters on one upstream document, checks their
// answers, probes each o.probes times and reports the CPU and memory.
func measurePeer(ctx context.Context, o peerOptions, stdout, stderr io.Writer) error {
	dir, bin, err := exporterBinary(ctx, "donation-peer-", o.exporter)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	site, err := serveDocument()
	if err != nil {
		return err
	}
	defer site.Close()
	docURL := "http://" + site.Addr + "/donations.json"

	exp, err := startExporter(ctx, bin, append(append(exporterBaseEnv(),
		"DONATION_CAMPAIGN_0_NAME=c0", "DONATION_CAMPAIGN_0_URL="+docURL, "DONATION_CAMPAIGN_0_PLATFORM=json",
		"DONATION_CAMPAIGN_0_RAISED_SELECTOR=currentAmount", "DONATION_CAMPAIGN_0_TARGET_SELECTOR=goalAmount",
	), o.env...), stderr)
	if err != nil {
		return err
	}
	defer exp.stop()
	peer, peerAddr, err := startPeer(ctx, o.peer, dir, stderr)
	if err != nil {
		return err
	}
	defer func() {
		done := make(chan struct{})
		go func() { _ = peer.Wait(); close(done) }()
		stopProcess(peer.Process, os.Interrupt, done)
	}()

	exporters := []*probed{
		{name: "donation_exporter", pid: exp.pid(), url: "http://" + exp.addr + "/probe?campaign=c0",
			want: `donation_raised{campaign="c0",currency=""} 192345.5`},
		{name: "json_exporter", pid: peer.Process.Pid,
			url:  "http://" + peerAddr + "/probe?module=donation&target=" + url.QueryEscape(docURL),
			want: "donation_raised 192345.5"},
	}
	client := &http.Client{Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	return probeBoth(ctx, o, client, exporters, stdout)
}

// probeBoth warms both exporters up, probes them in o.rounds alternating
// rounds, and reports each one's CPU per probe and memory.
func probeBoth(ctx context.Context, o peerOptions, client *http.Client, exporters []*probed, stdout io.Writer) error {
	for _, e := range exporters {
		// Warm-up: connections open, the first answer checked.
		for range 100 {
			if err := probe(ctx, client, e.url, e.want); err != nil {
				return fmt.Errorf("%s: %w", e.name, err)
			}
		}
	}
	fmt.Fprintf(stdout, "upstream: one JSON document of %d bytes: %s\n", len(peerDocument), peerDocument)
	if load, err := loadAverage(); err == nil {
		fmt.Fprintf(stdout, "machine load average (1, 5, 15 min) before: %s\n", load)
	}
	begin := time.Now()
	for round := range o.rounds {
		n := o.probes / o.rounds
		if round < o.probes%o.rounds {
			n++
		}
		for _, e := range exporters {
			if err := e.probeTimes(ctx, client, n); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(stdout, "probes: %d at each, one after the other, in %d alternating rounds, %v in all\n",
		o.probes, o.rounds, time.Since(begin).Round(time.Millisecond))
	for _, e := range exporters {
		mem, err := readMemory(e.pid)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-18s CPU %.3f ms per probe (%.2f s for %d); RSS %.1f MiB, peak %.1f MiB\n",
			e.name+":", 1000*e.cpu/float64(e.count), e.cpu, e.count, mib(mem.RSS), mib(mem.Peak))
	}
	if p := exporters[1].cpu / float64(exporters[1].count); p > 0 {
		fmt.Fprintf(stdout, "CPU per probe, donation_exporter / json_exporter: %.2f\n",
			exporters[0].cpu/float64(exporters[0].count)/p)
	}
	return nil
}

// probeTimes probes e n times, one after the other, adding the CPU they
// took to e's.
func (e *probed) probeTimes(ctx context.Context, client *http.Client, n int) error {
	cpu, err := cpuDuring(e.pid, func() error {
		for range n {
			if err := probe(ctx, client, e.url, ""); err != nil {
				return fmt.Errorf("%s: %w", e.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.cpu += cpu
	e.count += n
	return nil
}

// serveDocument serves peerDocument on 127.0.0.1, at once.
func serveDocument() (*upstream, error) {
	return serveLoopback(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, peerDocument)
	}))
}

// startPeer runs json_exporter with peerModule on a free loopback port and
// waits until it answers.
func startPeer(ctx context.Context, bin, dir string, stderr io.Writer) (*exec.Cmd, string, error) {
	config := filepath.Join(dir, "json_exporter.yml")
	if err := os.WriteFile(config, []byte(peerModule), 0o600); err != nil {
		return nil, "", err
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(bin, "--config.file="+config, "--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start %s: %w", bin, err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			resp.Body.Close()
			return cmd, addr, nil
		}
		if time.Now().After(deadline) || sleep(ctx, 50*time.Millisecond) != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return nil, "", fmt.Errorf("json_exporter not answering on %s: %w", addr, err)
		}
	}
}

// probe asks for u and reads the answer; with want, the answer must hold
// that line.
func probe(ctx context.Context, client *http.Client, u, want string) error {
	body, _, err := get(ctx, client, u, "probe", nil)
	switch {
	case err != nil:
		return err
	case want != "" && !strings.Contains(string(body), want+"\n"):
		return fmt.Errorf("probe: the answer has no line %q:\n%.2000s", want, body)
	}
	return nil
}
