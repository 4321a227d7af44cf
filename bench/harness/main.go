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
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run picks the mode from the first argument: scale (scale.go), peer
// (peer.go), or else the load mode (load.go) with args as its flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "scale" {
		return runScale(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "peer" {
		return runPeer(ctx, args[1:], stdout, stderr)
	}
	return runLoad(ctx, args, stdout, stderr)
}

// flagError is every mode's exit code for flags that did not parse: 0 for
// -h (the flag package has printed the usage), else 2 with the error after
// the mode's name.
func flagError(err error, mode string, stderr io.Writer) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(stderr, mode+":", err)
	return 2
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

// sleep waits d, or until ctx is done.
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
