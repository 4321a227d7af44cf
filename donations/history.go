package donations

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Point is the campaign's running totals just after a donation.
type Point struct {
	Time time.Time
	// Raised is the sum of every donation up to Time; nil once a hidden
	// amount has made it unknown.
	Raised *float64
	// Count is the number of donations up to Time.
	Count int
}

// ErrIncomplete is returned for a history asked of a list not read whole.
var ErrIncomplete = errors.New("the donation list was not read to its first donation")

// History returns the running totals at each donation of a complete list,
// oldest first; donations at one instant make one point. From the first
// donation whose amount is hidden on, Raised is unknown (nil): a running
// total that counted it as 0 would be wrong, and the count goes on.
func History(l List) ([]Point, error) {
	if !l.Complete {
		return nil, ErrIncomplete
	}
	oldest := slices.Clone(l.Donations)
	slices.Reverse(oldest)
	var points []Point
	sum, known := 0.0, true
	for i, d := range oldest {
		if d.Amount == nil {
			known = false
		} else {
			sum += *d.Amount
		}
		if i+1 < len(oldest) && oldest[i+1].Time.Equal(d.Time) {
			continue // the point is after the last donation of this instant
		}
		p := Point{Time: d.Time, Count: i + 1}
		if known {
			v := sum
			p.Raised = &v
		}
		points = append(points, p)
	}
	return points, nil
}

// Before returns the points before t, and how many it left out.
func Before(points []Point, t time.Time) ([]Point, int) {
	n := len(points)
	for n > 0 && !points[n-1].Time.Before(t) {
		n--
	}
	return points[:n], len(points) - n
}

// HiddenFrom describes where a history's raised becomes unknown: "" when
// it never does.
func HiddenFrom(points []Point) string {
	for i, p := range points {
		if p.Raised == nil {
			return fmt.Sprintf("a donation of %s hid its amount: donation_raised is known for the %d points before it only",
				p.Time.UTC().Format(time.RFC3339), i)
		}
	}
	return ""
}
