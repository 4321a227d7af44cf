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
	"github.com/donation-exporter/donation_exporter/read"
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
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "%s: backfill: %v\n", exporterName, err)
		return code
	}
	c, err := campaignNamed(campaigns, args.campaign)
	if err == nil {
		err = backfillable(c)
	}
	if err != nil {
		return fail(exitConfig, err)
	}
	values, points, err := backfillHistory(ctx, c, fetcher, stderr, now)
	if err != nil {
		return fail(exitFailed, fmt.Errorf("campaign %q: %w", c.Name, err))
	}
	stats, err := writeBackfillTo(args.out, stdout, collector.Backfill{
		Campaign: c, Currency: values.Currency, Points: points,
		Donors: c.DonorsBasis == "donations", Step: args.step,
	})
	if err != nil {
		return fail(exitFailed, fmt.Errorf("write %s: %w", args.out, err))
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

// backfillable says why a campaign's history cannot be written, or nil.
func backfillable(c source.Campaign) error {
	switch {
	case c.Donations == nil:
		return fmt.Errorf("campaign %q (platform %s) has no donation list to read its history from: only platforms that publish one do (docs/platforms.md)", c.Name, c.Platform)
	case c.RaisedBasis != "cumulative":
		return fmt.Errorf("campaign %q counts raised %s: a history of donations is a cumulative total", c.Name, c.RaisedBasis)
	}
	return nil
}

// backfillHistory reads the campaign's figures and its whole donation
// list, and returns the running totals before Prometheus' head block,
// saying on stderr what it leaves out.
func backfillHistory(ctx context.Context, c source.Campaign, fetcher *fetch.Fetcher, stderr io.Writer, now time.Time) (read.Values, []donations.Point, error) {
	values, _, err := source.Scrape(ctx, fetcher, c, now)
	if err != nil {
		return values, nil, fmt.Errorf("its figures: %w", err)
	}
	if c.PlatformMinInterval > 0 {
		fmt.Fprintf(stderr, "%s: backfill: campaign %q: reading the donation list one page every %v, as %s asks\n",
			exporterName, c.Name, c.PlatformMinInterval, c.Platform)
	}
	list, err := source.FetchDonations(ctx, fetcher, *c.Donations, c.InsecureSkipVerify, time.Time{}, source.BackfillListPages, c.PlatformMinInterval)
	if err != nil {
		return values, nil, err
	}
	if !list.Complete {
		return values, nil, fmt.Errorf("the donation list is longer than %d pages (%d donations read): a history from part of it would start at a wrong total",
			source.BackfillListPages, len(list.Donations))
	}
	if values.Raised != nil {
		if mismatch := donations.Check(list, *values.Raised); mismatch != "" {
			return values, nil, fmt.Errorf("%s: a history from this list would not end at the live donation_raised, so none is written", mismatch)
		}
	}
	points, err := donations.History(list)
	if err != nil {
		return values, nil, err
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
	return values, points, nil
}

// writeBackfillTo writes the history to the file out, or to stdout when
// out is empty.
func writeBackfillTo(out string, stdout io.Writer, b collector.Backfill) (collector.BackfillStats, error) {
	if out == "" {
		return collector.WriteBackfill(stdout, b)
	}
	f, err := os.Create(out)
	if err != nil {
		return collector.BackfillStats{}, err
	}
	stats, err := collector.WriteBackfill(f, b)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	return stats, err
}
