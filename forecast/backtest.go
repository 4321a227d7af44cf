package forecast

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Checkpoints are the shares of the duration a back-test projects at.
var Checkpoints = []float64{0.10, 0.25, 0.50, 0.75}

// Score is how a curve did at one checkpoint over a set of timelines.
type Score struct {
	Curve      string
	Checkpoint float64
	// Cases is the number of timelines with a projection there.
	Cases int
	// MedianError and P90Error are |projected − final| / final.
	MedianError, P90Error float64
	// Coverage is the share of cases whose low–high range held the final
	// (an absent high counts as unbounded); NaN for a curve without range.
	Coverage float64
}

// Backtest replays each timeline: at each checkpoint it projects the
// total recorded by then along the curve curveOf gives it, and compares
// with the final.
func Backtest(entries []Entry, curveOf func(Entry) (*Curve, error)) ([]Score, error) {
	type acc struct {
		errs         []float64
		held, ranged int
	}
	type key struct {
		curve      string
		checkpoint float64
	}
	byKey := map[key]*acc{}
	var keys []key
	for _, e := range entries {
		c, err := curveOf(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.File, err)
		}
		tl := e.Timeline
		final := tl.finalOf()
		for _, cp := range Checkpoints {
			now := tl.Start.Add(time.Duration(cp * float64(tl.Deadline.Sub(tl.Start))))
			raised := tl.ShareAt(cp) * final
			p, err := Project(Inputs{Raised: &raised, Start: &tl.Start, Deadline: &tl.Deadline}, c, now)
			if err != nil || p.ProjectedTotal == nil {
				continue
			}
			k := key{c.Name, cp}
			a := byKey[k]
			if a == nil {
				a = &acc{}
				byKey[k] = a
				keys = append(keys, k)
			}
			a.errs = append(a.errs, math.Abs(*p.ProjectedTotal-final)/final)
			if c.hasRange {
				a.ranged++
				if p.ProjectedLow != nil && *p.ProjectedLow <= final*(1+1e-9) && (p.ProjectedHigh == nil || *p.ProjectedHigh >= final*(1-1e-9)) {
					a.held++
				}
			}
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := strings.Compare(a.curve, b.curve); c != 0 {
			return c
		}
		return cmp.Compare(a.checkpoint, b.checkpoint)
	})
	var scores []Score
	for _, k := range keys {
		a := byKey[k]
		s := Score{Curve: k.curve, Checkpoint: k.checkpoint, Cases: len(a.errs), MedianError: quantile(a.errs, 0.5), P90Error: quantile(a.errs, 0.9), Coverage: math.NaN()}
		if a.ranged > 0 {
			s.Coverage = float64(a.held) / float64(a.ranged)
		}
		scores = append(scores, s)
	}
	return scores, nil
}

// quantile is the q-quantile of xs, interpolated between order statistics.
func quantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(s)-1)
	i := int(pos)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (pos-float64(i))*(s[i+1]-s[i])
}

// WriteScores prints scores as a table.
func WriteScores(w io.Writer, title string, scores []Score) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\ncurve\tat\tcases\tmedian error\tp90 error\trange held final\n", title)
	for _, s := range scores {
		cov := "no range"
		if !math.IsNaN(s.Coverage) {
			cov = fmt.Sprintf("%.0f %%", 100*s.Coverage)
		}
		fmt.Fprintf(tw, "%s\t%.0f %%\t%d\t%.0f %%\t%.0f %%\t%s\n", s.Curve, 100*s.Checkpoint, s.Cases, 100*s.MedianError, 100*s.P90Error, cov)
	}
	return tw.Flush()
}
