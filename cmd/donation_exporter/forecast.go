package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/donation-exporter/donation_exporter/forecast"
)

// runCurve is the curve subcommand: it measures a pace curve on past
// timelines and writes it as a curve file for FORECAST_CURVE.
func runCurve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("curve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var timelines timelineFlags
	fs.Var(&timelines, "timeline", "a past timeline: FILE.csv,START,DEADLINE[,FINAL] (timestamp_utc,raised rows; RFC 3339 dates); repeat for each year")
	manifest := fs.String("timelines", "", "a folder with MANIFEST.json naming its timelines (the form of the project's forecast/testdata/timelines), instead of --timeline")
	name := fs.String("name", "mine", "the curve's name in the file's comments")
	out := fs.String("out", "", "file to write (default: standard output)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s curve --timeline FILE.csv,START,DEADLINE[,FINAL] ... [--out FILE]\n\n"+
			"Measures a pace curve (elapsed_fraction,share_of_final,share_low,share_high) on past timelines,\n"+
			"for DONATION_CAMPAIGN_<n>_FORECAST_CURVE. With two or more timelines it has an 80 %% range.\n\n", exporterName)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitConfig
	}
	if *manifest != "" {
		entries, err := forecast.LoadManifest(os.DirFS(*manifest))
		if err != nil {
			fmt.Fprintf(stderr, "%s curve: --timelines %s: %v\n", exporterName, *manifest, err)
			return exitConfig
		}
		for _, e := range entries {
			timelines = append(timelines, e.Timeline)
		}
	}
	if len(timelines) == 0 {
		fmt.Fprintf(stderr, "%s curve: give at least one --timeline (or --timelines DIR)\n", exporterName)
		return exitConfig
	}
	c, err := forecast.Derive(*name, timelines)
	if err != nil {
		fmt.Fprintf(stderr, "%s curve: %v\n", exporterName, err)
		return exitConfig
	}
	c.Source = append(c.Source, fmt.Sprintf("Pace curve %q, measured by %s curve on %d timelines:", *name, exporterName, len(timelines)))
	for _, tl := range timelines {
		c.Source = append(c.Source, fmt.Sprintf("  %s (%s to %s)", tl.Name, tl.Start.Format(time.RFC3339), tl.Deadline.Format(time.RFC3339)))
	}
	if !c.HasRange() {
		c.Source = append(c.Source, "One timeline: no spread to measure, so the curve gives no range. Add other years for one.")
		fmt.Fprintf(stderr, "%s curve: one timeline gives a curve without range; add other years for an 80 %% range\n", exporterName)
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintf(stderr, "%s curve: %v\n", exporterName, err)
			return exitFailed
		}
		defer f.Close()
		w = f
	}
	if err := c.Format(w); err != nil {
		fmt.Fprintf(stderr, "%s curve: %v\n", exporterName, err)
		return exitFailed
	}
	return exitOK
}

// timelineFlags collects --timeline FILE.csv,START,DEADLINE[,FINAL].
type timelineFlags []forecast.Timeline

func (t *timelineFlags) String() string { return fmt.Sprint(len(*t), " timelines") }

func (t *timelineFlags) Set(value string) error {
	parts := strings.Split(value, ",")
	if len(parts) != 3 && len(parts) != 4 {
		return errors.New("want FILE.csv,START,DEADLINE[,FINAL]")
	}
	start, err := time.Parse(time.RFC3339, parts[1])
	if err != nil {
		return fmt.Errorf("start %q is not RFC 3339 (2025-12-01T17:00:00Z)", parts[1])
	}
	deadline, err := time.Parse(time.RFC3339, parts[2])
	if err != nil {
		return fmt.Errorf("deadline %q is not RFC 3339 (2026-01-01T17:00:00Z)", parts[2])
	}
	tl := forecast.Timeline{Name: filepath.Base(parts[0]), Start: start, Deadline: deadline}
	if len(parts) == 4 {
		if tl.Final, err = strconv.ParseFloat(parts[3], 64); err != nil || tl.Final <= 0 {
			return fmt.Errorf("final %q is not an amount above 0", parts[3])
		}
	}
	f, err := os.Open(parts[0])
	if err != nil {
		return err
	}
	defer f.Close()
	if tl.Observations, err = forecast.ParseTimeline(f); err != nil {
		return fmt.Errorf("%s: %w", parts[0], err)
	}
	*t = append(*t, tl)
	return nil
}

// runBacktest is the backtest subcommand: it replays the timelines of a
// folder (MANIFEST.json and its files) at 10, 25, 50 and 75 % of their
// duration and prints how far each curve's projection was from the final
// total, and how often its range held it, next to the linear arithmetic.
func runBacktest(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("timelines", "", "folder with MANIFEST.json and the timelines it names (required)")
	curveSpec := fs.String("curve", "", "curve for every timeline: a built-in name or a curve file (default: the built-in curve of each timeline's platform or kind)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s backtest --timelines DIR [--curve NAME|FILE]\n\n", exporterName)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitConfig
	}
	if *dir == "" {
		fs.Usage()
		return exitConfig
	}
	entries, err := forecast.LoadManifest(os.DirFS(*dir))
	if err != nil {
		fmt.Fprintf(stderr, "%s backtest: --timelines %s: %v\n", exporterName, *dir, err)
		return exitConfig
	}
	open := func(path string) (io.ReadCloser, error) { return os.Open(path) }
	var fixed *forecast.Curve
	if *curveSpec != "" {
		if fixed, err = forecast.Load(*curveSpec, open); err != nil {
			fmt.Fprintf(stderr, "%s backtest: --curve: %v\n", exporterName, err)
			return exitConfig
		}
	}
	curveOf := func(e forecast.Entry) (*forecast.Curve, error) {
		if fixed != nil {
			return fixed, nil
		}
		return forecast.Builtin(forecast.CurveFor(e.Platform, e.Kind))
	}
	scores, err := forecast.Backtest(entries, curveOf)
	if err == nil {
		var linear []forecast.Score
		linear, err = forecast.Backtest(entries, func(forecast.Entry) (*forecast.Curve, error) { return forecast.Linear(), nil })
		if err == nil {
			fmt.Fprintf(stdout, "%d timelines from %s; error = |projected − final| / final\n\n", len(entries), *dir)
			err = errors.Join(forecast.WriteScores(stdout, "curves", scores), forecast.WriteScores(stdout, "\nlinear (the seed's arithmetic)", linear))
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s backtest: %v\n", exporterName, err)
		return exitFailed
	}
	return exitOK
}
