// Package forecast projects what a campaign will have raised by its
// deadline, with a range, from what it has raised so far and a pace curve:
// the share of the final total that campaigns of its kind have raised by
// each fraction of their duration. It is pure: no clock, no I/O.
package forecast

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/donation-exporter/donation_exporter/internal/textcut"
)

// ErrCurve is wrapped by every error about a curve file's content.
var ErrCurve = errors.New("invalid pace curve")

// MaxCurveRows bounds a curve file: a curve on a 0.01 grid has 101 rows.
const MaxCurveRows = 10001

// Point is one row of a curve: by Elapsed (0–1) of the duration, campaigns
// of the kind had raised Share of their final total, and ShareLow to
// ShareHigh is the range that holds about 80 % of them (both 0 when the
// curve measured no spread).
type Point struct {
	Elapsed, Share, ShareLow, ShareHigh float64
}

// Curve is a pace curve: monotone, 0 at the start, 1 at the deadline.
type Curve struct {
	// Name is what donation_campaign_info's forecast label says.
	Name string
	// Source says where the curve was measured (its file's comments).
	Source []string
	// linear marks the seed's arithmetic: the average daily rate since the
	// start holds to the deadline, with at least one day counted.
	linear bool
	points []Point
	// hasRange is false for a curve without spread columns.
	hasRange bool
}

// HasRange tells whether the curve gives a low–high range.
func (c *Curve) HasRange() bool { return c.hasRange }

// Points returns a copy of the curve's rows.
func (c *Curve) Points() []Point { return append([]Point(nil), c.points...) }

// Parse reads a curve file: rows of elapsed_fraction,share_of_final and
// optionally share_low,share_high, with an optional header row and lines
// starting with # as comments (kept as the curve's Source). Errors name the
// line.
func Parse(name string, r io.Reader) (*Curve, error) {
	c := &Curve{Name: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	columns := 0
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		switch {
		case text == "":
			continue
		case strings.HasPrefix(text, "#"):
			c.Source = append(c.Source, strings.TrimSpace(strings.TrimPrefix(text, "#")))
			continue
		case len(c.points) == 0 && columns == 0 && strings.HasPrefix(text, "elapsed_fraction"):
			continue
		}
		if len(c.points) >= MaxCurveRows {
			return nil, fmt.Errorf("%w: line %d: more than %d rows", ErrCurve, line, MaxCurveRows)
		}
		p, n, err := parseRow(text)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrCurve, line, err)
		}
		if columns == 0 {
			columns = n
		} else if n != columns {
			return nil, fmt.Errorf("%w: line %d: %d columns where earlier rows have %d", ErrCurve, line, n, columns)
		}
		if k := len(c.points); k > 0 {
			prev := c.points[k-1]
			if p.Elapsed <= prev.Elapsed {
				return nil, fmt.Errorf("%w: line %d: elapsed_fraction %v does not follow %v (rows must be in increasing order)", ErrCurve, line, p.Elapsed, prev.Elapsed)
			}
			if p.Share < prev.Share || p.ShareLow < prev.ShareLow || p.ShareHigh < prev.ShareHigh {
				return nil, fmt.Errorf("%w: line %d: shares must not decrease as time passes (the share raised by a later instant is at least the earlier one)", ErrCurve, line)
			}
		}
		c.points = append(c.points, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCurve, err)
	}
	if len(c.points) < 2 {
		return nil, fmt.Errorf("%w: %d rows; a curve needs at least the rows 0,0 and 1,1", ErrCurve, len(c.points))
	}
	first, last := c.points[0], c.points[len(c.points)-1]
	if first.Elapsed != 0 || first.Share != 0 {
		return nil, fmt.Errorf("%w: the first row is %v,%v; a curve starts at 0,0 (nothing is raised before the start)", ErrCurve, first.Elapsed, first.Share)
	}
	if last.Elapsed != 1 || last.Share != 1 || (columns == 4 && (last.ShareLow != 1 || last.ShareHigh != 1)) {
		return nil, fmt.Errorf("%w: the last row is %v,%v; a curve ends at 1,1 (the final total is all of it)", ErrCurve, last.Elapsed, last.Share)
	}
	c.hasRange = columns == 4
	return c, nil
}

// parseRow reads one data row and tells how many columns it had.
func parseRow(text string) (Point, int, error) {
	fields := strings.Split(text, ",")
	if len(fields) != 2 && len(fields) != 4 {
		return Point{}, 0, fmt.Errorf("%d columns in %q; want elapsed_fraction,share_of_final[,share_low,share_high]", len(fields), truncate(text))
	}
	var v [4]float64
	names := [4]string{"elapsed_fraction", "share_of_final", "share_low", "share_high"}
	for i, f := range fields {
		x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || math.IsNaN(x) || x < 0 || x > 1 {
			return Point{}, 0, fmt.Errorf("%s %q is not a number from 0 to 1", names[i], truncate(strings.TrimSpace(f)))
		}
		v[i] = x
	}
	p := Point{Elapsed: v[0], Share: v[1], ShareLow: v[2], ShareHigh: v[3]}
	if len(fields) == 4 && !(p.ShareLow <= p.Share && p.Share <= p.ShareHigh) {
		return Point{}, 0, fmt.Errorf("share_low %v, share_of_final %v, share_high %v: the range must hold the share", p.ShareLow, p.Share, p.ShareHigh)
	}
	return p, len(fields), nil
}

// truncate quotes at most 40 bytes of a curve file's field in a message.
func truncate(s string) string { return textcut.Head(s, 40) }

// At returns the curve's share and range at elapsed (0–1), interpolated
// linearly between rows.
func (c *Curve) At(elapsed float64) Point {
	pts := c.points
	i := sort.Search(len(pts), func(i int) bool { return pts[i].Elapsed >= elapsed })
	switch {
	case i == 0:
		return pts[0]
	case i == len(pts):
		return pts[len(pts)-1]
	}
	a, b := pts[i-1], pts[i]
	w := (elapsed - a.Elapsed) / (b.Elapsed - a.Elapsed)
	lerp := func(x, y float64) float64 { return x + w*(y-x) }
	return Point{Elapsed: elapsed, Share: lerp(a.Share, b.Share), ShareLow: lerp(a.ShareLow, b.ShareLow), ShareHigh: lerp(a.ShareHigh, b.ShareHigh)}
}

// Format writes the curve as a curve file, comments first.
func (c *Curve) Format(w io.Writer) error {
	var b strings.Builder
	for _, s := range c.Source {
		b.WriteString("# " + s + "\n")
	}
	if c.hasRange {
		b.WriteString("elapsed_fraction,share_of_final,share_low,share_high\n")
	} else {
		b.WriteString("elapsed_fraction,share_of_final\n")
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
	for _, p := range c.points {
		b.WriteString(strconv.FormatFloat(p.Elapsed, 'f', 2, 64) + "," + f(p.Share))
		if c.hasRange {
			b.WriteString("," + f(p.ShareLow) + "," + f(p.ShareHigh))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
