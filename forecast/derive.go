package forecast

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrTimeline is wrapped by every error about a timeline's content.
var ErrTimeline = errors.New("invalid timeline")

// Observation is a running total at an instant.
type Observation struct {
	Time   time.Time
	Raised float64
}

// Timeline is one past campaign: its running totals, dates and final total.
type Timeline struct {
	Name            string
	Start, Deadline time.Time
	// Final is the campaign's final total; 0 takes the last observation.
	Final        float64
	Observations []Observation
}

// ParseTimeline reads timestamp_utc,raised rows (RFC 3339 instants,
// cumulative amounts), with an optional header. Errors name the line.
func ParseTimeline(r io.Reader) ([]Observation, error) {
	var obs []Observation
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") || (line == 1 && strings.HasPrefix(text, "timestamp")) {
			continue
		}
		ts, amount, ok := strings.Cut(text, ",")
		if !ok {
			return nil, fmt.Errorf("%w: line %d: %q is not timestamp_utc,raised", ErrTimeline, line, truncate(text))
		}
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(ts))
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: timestamp %q is not RFC 3339 (2006-01-02T15:04:05Z)", ErrTimeline, line, truncate(ts))
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(amount), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: line %d: raised %q is not a number", ErrTimeline, line, truncate(amount))
		}
		obs = append(obs, Observation{Time: t, Raised: v})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTimeline, err)
	}
	if len(obs) == 0 {
		return nil, fmt.Errorf("%w: no rows", ErrTimeline)
	}
	slices.SortStableFunc(obs, func(a, b Observation) int { return a.Time.Compare(b.Time) })
	return obs, nil
}

// GridSteps is the number of steps of a derived curve's elapsed grid.
const GridSteps = 100

// finalOf is the timeline's final total.
func (tl Timeline) finalOf() float64 {
	if tl.Final > 0 {
		return tl.Final
	}
	best := 0.0
	for _, o := range tl.Observations {
		best = math.Max(best, o.Raised)
	}
	return best
}

// ShareAt is the share of the final total raised by elapsed (0–1) of the
// duration: the highest total recorded by then (a glitch or a refund does
// not undo the pace), interpolated from 0 at the start when recording
// began later, capped at 1.
func (tl Timeline) ShareAt(elapsed float64) float64 {
	final := tl.finalOf()
	if final <= 0 || len(tl.Observations) == 0 {
		return 0
	}
	if elapsed >= 1 {
		return 1
	}
	dur := tl.Deadline.Sub(tl.Start)
	at := tl.Start.Add(time.Duration(elapsed * float64(dur)))
	first := tl.Observations[0]
	if at.Before(first.Time) {
		if !first.Time.After(tl.Start) {
			return 0
		}
		w := float64(at.Sub(tl.Start)) / float64(first.Time.Sub(tl.Start))
		return math.Min(math.Max(w, 0)*first.Raised/final, 1)
	}
	best := 0.0
	for _, o := range tl.Observations {
		if o.Time.After(at) {
			break
		}
		best = math.Max(best, o.Raised)
	}
	return math.Min(best/final, 1)
}

// minShare floors a share before taking its logarithm: a campaign that had
// raised nothing yet says the share is small, not how small.
const minShare = 1e-3

// tQuantile90 is Student's t distribution's 0.9 quantile by degrees of
// freedom: with it, a new campaign's share falls inside mean ± t·s·√(1+1/n)
// (in log space) 80 % of the time, if the campaigns' log shares are normal.
var tQuantile90 = []float64{0, 3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383, 1.372,
	1.363, 1.356, 1.350, 1.345, 1.341, 1.337, 1.333, 1.330, 1.328, 1.325}

// Derive measures a curve from past timelines: at each step of the grid,
// the median share across them and, with two or more, an 80 % prediction
// range of the log share. With one timeline there is no spread to
// measure, and the curve gives no range.
func Derive(name string, timelines []Timeline) (*Curve, error) {
	if len(timelines) == 0 {
		return nil, fmt.Errorf("%w: no timelines to measure a curve on", ErrTimeline)
	}
	for _, tl := range timelines {
		if !tl.Deadline.After(tl.Start) {
			return nil, fmt.Errorf("%w: %s: deadline %s is not after start %s", ErrTimeline, tl.Name, tl.Deadline.Format(time.RFC3339), tl.Start.Format(time.RFC3339))
		}
		if tl.finalOf() <= 0 {
			return nil, fmt.Errorf("%w: %s: its final total is not above 0", ErrTimeline, tl.Name)
		}
	}
	n := len(timelines)
	c := &Curve{Name: name, hasRange: n >= 2}
	shares := make([]float64, n)
	for step := 0; step <= GridSteps; step++ {
		f := float64(step) / GridSteps
		for i, tl := range timelines {
			shares[i] = tl.ShareAt(f)
		}
		p := Point{Elapsed: f, Share: median(shares)}
		if c.hasRange {
			p.ShareLow, p.ShareHigh = predictionRange(shares)
			p.ShareLow, p.ShareHigh = math.Min(p.ShareLow, p.Share), math.Max(p.ShareHigh, p.Share)
		}
		c.points = append(c.points, p)
	}
	c.points[0], c.points[GridSteps] = Point{}, Point{Elapsed: 1, Share: 1}
	if c.hasRange {
		c.points[GridSteps].ShareLow, c.points[GridSteps].ShareHigh = 1, 1
	}
	// Monotone: what is raised by a later instant includes the earlier.
	for i := 1; i < len(c.points); i++ {
		prev, p := c.points[i-1], &c.points[i]
		p.Share, p.ShareLow, p.ShareHigh = math.Max(p.Share, prev.Share), math.Max(p.ShareLow, prev.ShareLow), math.Max(p.ShareHigh, prev.ShareHigh)
		// Rounded as Format writes them, so that a parsed file is the curve.
		p.Share, p.ShareLow, p.ShareHigh = round4(p.Share), round4(p.ShareLow), round4(p.ShareHigh)
	}
	return c, nil
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// predictionRange is the 80 % prediction interval of a new campaign's
// share, from the log shares of xs, capped at 1.
func predictionRange(xs []float64) (low, high float64) {
	n := len(xs)
	var logs []float64
	for _, x := range xs {
		logs = append(logs, math.Log(math.Max(x, minShare)))
	}
	mean := 0.0
	for _, l := range logs {
		mean += l
	}
	mean /= float64(n)
	ss := 0.0
	for _, l := range logs {
		ss += (l - mean) * (l - mean)
	}
	s := math.Sqrt(ss / float64(n-1))
	t := 1.2816 // the normal quantile, which t approaches
	if n-1 < len(tQuantile90) {
		t = tQuantile90[n-1]
	}
	w := t * s * math.Sqrt(1+1/float64(n))
	center := math.Log(math.Max(median(xs), minShare))
	low, high = math.Exp(center-w), math.Min(math.Exp(center+w), 1)
	if low <= minShare*1.0001 {
		low = 0
	}
	return low, high
}
