package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// result is what one run of the load mode measured.
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
