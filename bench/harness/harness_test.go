package main

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	// Fields after the name: state ppid pgrp session tty tpgid flags minflt
	// cminflt majflt cmajflt utime stime ...
	tests := []struct {
		name    string
		stat    string
		want    float64
		wantErr string
	}{
		{name: "plain", stat: "4242 (donation_export) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 75 0 0 20 0 7 0",
			want: 3.25},
		{name: "name with spaces and parentheses", stat: "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0", want: 0.03},
		{name: "cut short", stat: "7 (x) R 1 7", wantErr: "fields after the name"},
		{name: "no name", stat: "7 x R", wantErr: "no command name"},
		{name: "not a number", stat: "7 (x) R 1 7 7 0 -1 0 0 0 0 0 many 2 0", wantErr: `CPU time "many"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStat(tc.stat)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("parseStat = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestParseStatus(t *testing.T) {
	status := "Name:\tdonation_export\nVmPeak:\t 1300000 kB\nVmHWM:\t   98304 kB\nVmRSS:\t   16384 kB\nThreads:\t7\n"
	m, err := parseStatus(bufio.NewScanner(strings.NewReader(status)))
	if err != nil || m.Peak != 96<<20 || m.RSS != 16<<20 {
		t.Errorf("parseStatus = %+v, %v; want VmHWM 96 MiB and VmRSS 16 MiB", m, err)
	}
	if _, err := parseStatus(bufio.NewScanner(strings.NewReader("VmRSS:\t1 kB\n"))); err == nil {
		t.Error("parseStatus without VmHWM: no error")
	}
}

// TestThisProcess reads this test's own CPU time and memory.
func TestThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc: the harness runs on Linux")
	}
	before, err := cpuSeconds(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
	}
	after, err := cpuSeconds(os.Getpid())
	if err != nil || after <= before {
		t.Errorf("CPU seconds %v, then %v after 50 ms of work (%v)", before, after, err)
	}
	m, err := readMemory(os.Getpid())
	if err != nil || m.RSS <= 0 || m.Peak < m.RSS {
		t.Errorf("memory %+v, %v", m, err)
	}
}

func TestPercentile(t *testing.T) {
	var r result
	for i := 1; i <= 200; i++ {
		r.latencies = append(r.latencies, time.Duration(i)*time.Millisecond)
	}
	if p50, p99 := r.percentile(0.5), r.percentile(0.99); p50 != 100*time.Millisecond || p99 != 198*time.Millisecond {
		t.Errorf("p50 %v p99 %v, want 100ms and 198ms", p50, p99)
	}
	r.latencies = r.latencies[:20]
	if p99 := r.percentile(0.99); p99 != 20*time.Millisecond {
		t.Errorf("p99 of 20 is %v, want the slowest, 20ms", p99)
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-campaigns", "0"}, {"-kind", "xml"}, {"-env", "NOEQUALS"}, {"-delay", "-1s"}, {"extra"},
		{"-stalled", "-1"}, {"-stalled-timeout", "0s"},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("parseFlags(%q): no error", args)
		}
	}
}

// TestHarness runs the harness end to end on a small load: it builds the
// exporter (make build), so it needs TEST_BENCH_HARNESS=1:
//
//	TEST_BENCH_HARNESS=1 go test ./bench/harness -run TestHarness -v
func TestHarness(t *testing.T) {
	if os.Getenv("TEST_BENCH_HARNESS") != "1" {
		t.Skip("set TEST_BENCH_HARNESS=1 to build the exporter and run the harness")
	}
	var out, errs bytes.Buffer
	code := run(t.Context(), []string{"-campaigns", "5", "-delay", "100ms", "-page-bytes", "20000", "-scrapes", "3",
		"-idle", "200ms", "-want-latency-ratio", "10", "-want-peak-rss-mib", "200"}, &out, &errs)
	t.Logf("output:\n%s%s", out.String(), errs.String())
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, want := range []string{"5 campaigns", "campaigns not up 0", "upstream requests 20", "latency: p50 ", "cpu: ", "peak (VmHWM)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestPeerFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-probes", "0"}, {"-rounds", "0"}, {"-probes", "5", "-rounds", "6"}, {"-env", "NOEQUALS"}, {"extra"},
	} {
		if _, err := parsePeerFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("parsePeerFlags(%q): no error", args)
		}
	}
}

// TestPeerSkipped: without a json_exporter binary the peer mode says so and
// succeeds, building nothing: the peer is not part of the project.
func TestPeerSkipped(t *testing.T) {
	t.Setenv("DONATION_BENCH_PEER", "")
	var out, errs bytes.Buffer
	if code := run(t.Context(), []string{"peer", "-probes", "10"}, &out, &errs); code != 0 {
		t.Fatalf("exit code %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), "skipped") {
		t.Errorf("output %q does not say the run was skipped", out.String())
	}
}

// TestPeer runs the side-by-side measurement on a few probes when a
// json_exporter binary is given (DONATION_BENCH_PEER) and
// TEST_BENCH_HARNESS=1 (it builds the exporter):
//
//	TEST_BENCH_HARNESS=1 DONATION_BENCH_PEER=/tmp/peer/json_exporter go test ./bench/harness -run TestPeer -v
func TestPeer(t *testing.T) {
	if os.Getenv("TEST_BENCH_HARNESS") != "1" || os.Getenv("DONATION_BENCH_PEER") == "" {
		t.Skip("set TEST_BENCH_HARNESS=1 and DONATION_BENCH_PEER to a json_exporter binary")
	}
	var out, errs bytes.Buffer
	code := run(t.Context(), []string{"peer", "-probes", "200", "-rounds", "2"}, &out, &errs)
	t.Logf("output:\n%s%s", out.String(), errs.String())
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, want := range []string{"donation_exporter: CPU ", "json_exporter:     CPU ", "CPU per probe, donation_exporter / json_exporter: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestResetPeak grows this process' resident memory, lets it go, and
// resets the peak: the peak read after is what is resident then, not the
// growth before.
func TestResetPeak(t *testing.T) {
	if _, err := os.Stat("/proc/self/clear_refs"); err != nil {
		t.Skip("no /proc: the harness runs on Linux")
	}
	grown := make([]byte, 64<<20)
	for i := range grown {
		grown[i] = 1
	}
	before, err := readMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(grown)
	debug.FreeOSMemory()
	if err := resetPeak(os.Getpid()); err != nil {
		t.Skipf("cannot reset the peak here: %v", err)
	}
	after, err := readMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after.Peak > before.Peak-32<<20 {
		t.Errorf("peak %d MiB after the reset, %d MiB before: not reset", after.Peak>>20, before.Peak>>20)
	}
}
