package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/donation-exporter/donation_exporter/collector"
	"github.com/donation-exporter/donation_exporter/donations"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/source"
)

// backfillArgs are backfill's flags.
type backfillArgs struct {
	campaign, out string
	step          time.Duration
}

// defaultBackfillStep writes samples at the donations only: exact, and
// few blocks for promtool, which makes one per two hours holding samples
// (a sample a minute over 113 days took promtool 2.42 eight minutes for
// 1,361 blocks). Queries between donations use last_over_time
// (docs/backfill.md); --step repeats the total for graphs.
const defaultBackfillStep = 0

// headBlockAge is how recent a sample may be for a backfill: Prometheus
// keeps the last hours in its head block, which blocks made by promtool
// must not overlap (docs/backfill.md).
const headBlockAge = 3 * time.Hour

// runBackfill writes the campaign's history, read from its donation list,
// as OpenMetrics to args.out (standard output when empty), and what it
// did to stderr.
func runBackfill(ctx context.Context, args backfillArgs, campaigns []source.Campaign, fetcher *fetch.Fetcher, stdout, stderr io.Writer, now time.Time) int {
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "%s: backfill: %s\n", exporterName, fmt.Sprintf(format, a...))
		return code
	}
	c, err := campaignNamed(campaigns, args.campaign)
	if err != nil {
		return fail(exitConfig, "%v", err)
	}
	switch {
	case c.Donations == nil:
		return fail(exitConfig, "campaign %q (platform %s) has no donation list to read its history from: only platforms that publish one do (docs/platforms.md)", c.Name, c.Platform)
	case c.RaisedBasis != "cumulative":
		return fail(exitConfig, "campaign %q counts raised %s: a history of donations is a cumulative total", c.Name, c.RaisedBasis)
	}
	values, _, err := source.Scrape(ctx, fetcher, c, now)
	if err != nil {
		return fail(exitFailed, "campaign %q: its figures: %v", c.Name, err)
	}
	if c.PlatformMinInterval > 0 {
		fmt.Fprintf(stderr, "%s: backfill: campaign %q: reading the donation list one page every %v, as %s asks\n",
			exporterName, c.Name, c.PlatformMinInterval, c.Platform)
	}
	list, err := source.FetchDonations(ctx, fetcher, *c.Donations, c.InsecureSkipVerify, time.Time{}, source.BackfillListPages, c.PlatformMinInterval)
	if err != nil {
		return fail(exitFailed, "campaign %q: %v", c.Name, err)
	}
	if !list.Complete {
		return fail(exitFailed, "campaign %q: the donation list is longer than %d pages (%d donations read): a history from part of it would start at a wrong total",
			c.Name, source.BackfillListPages, len(list.Donations))
	}
	if values.Raised != nil {
		if mismatch := donations.Check(list, *values.Raised); mismatch != "" {
			return fail(exitFailed, "campaign %q: %s: a history from this list would not end at the live donation_raised, so none is written", c.Name, mismatch)
		}
	}
	points, err := donations.History(list)
	if err != nil {
		return fail(exitFailed, "campaign %q: %v", c.Name, err)
	}
	if why := donations.HiddenFrom(points); why != "" {
		fmt.Fprintf(stderr, "%s: backfill: campaign %q: %s\n", exporterName, c.Name, why)
	}
	cut := now.Add(-headBlockAge)
	points, recent := donations.Before(points, cut)
	if recent > 0 {
		fmt.Fprintf(stderr, "%s: backfill: left out %d donations of the last %v (before %s): Prometheus' head block holds that time, the live series covers it\n",
			exporterName, recent, headBlockAge, cut.UTC().Format(time.RFC3339))
	}
	w := stdout
	if args.out != "" {
		f, err := os.Create(args.out)
		if err != nil {
			return fail(exitFailed, "%v", err)
		}
		defer f.Close()
		w = f
	}
	stats, err := collector.WriteBackfill(w, collector.Backfill{
		Campaign: c, Currency: values.Currency, Points: points,
		Donors: c.DonorsBasis == "donations", Step: args.step,
	})
	if err == nil && args.out != "" {
		err = w.(*os.File).Close()
	}
	if err != nil {
		return fail(exitFailed, "write %s: %v", args.out, err)
	}
	span := "no donations"
	if len(points) > 0 {
		span = fmt.Sprintf("%d donations from %s to %s", points[len(points)-1].Count,
			points[0].Time.UTC().Format(time.RFC3339), points[len(points)-1].Time.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(stderr, "%s: backfill: campaign %q: %s; wrote %d samples of donation_raised and %d of donation_donors\n",
		exporterName, c.Name, span, stats.Raised, stats.Donors)
	return exitOK
}
