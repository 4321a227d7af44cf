package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// measureMetrics scrapes /metrics o.metricsScrapes times, one after the
// other, reporting the pages each fetched and the campaigns answered up,
// then lets the resident memory settle and measures the peak phases.
func measureMetrics(ctx context.Context, o scaleOptions, client *http.Client, pid int, base string, requests *atomic.Int64, stdout io.Writer) error {
	fmt.Fprintf(stdout, "/metrics with MIN_INTERVAL=%v, %d scrapes one after the other:\n", o.minInterval, o.metricsScrapes)
	if err := resetPeak(pid); err != nil {
		return err
	}
	cpu, err := cpuDuring(pid, func() error {
		for i := range o.metricsScrapes {
			before := requests.Load()
			s, err := scrape(ctx, client, base+"/metrics", o.campaigns)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "  scrape %2d: %8v, %5d pages fetched, %5d campaigns answered up\n",
				i+1, s.took.Round(time.Millisecond), requests.Load()-before, o.campaigns-s.down)
		}
		return nil
	})
	if err != nil {
		return err
	}
	mem, err := readMemory(pid)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  CPU %.1f s for the %d scrapes; RSS %.1f MiB, peak over the scrapes %.1f MiB\n", cpu, o.metricsScrapes, mib(mem.RSS), mib(mem.Peak))
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
