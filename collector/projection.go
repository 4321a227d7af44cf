package collector

import (
	"math"
	"time"

	"github.com/donation-exporter/donation_exporter/source"
)

const day = 24 * time.Hour

// Projection is the arithmetic people do by hand on a campaign page. A nil
// figure is one whose inputs are unknown: it is omitted, never reported as 0.
type Projection struct {
	// ProgressRatio is raised / target.
	ProgressRatio *float64
	// DaysLeft is the fractional number of days to the deadline, 0 after it.
	DaysLeft *float64
	// DailyRate is the average raised per day since the start. A campaign
	// counts at least one day, so that on its first day (or before it
	// starts) the rate is what was raised so far, not a division by ~0.
	DailyRate *float64
	// ProjectedTotal is what will have been raised at the deadline if the
	// average daily rate holds.
	ProjectedTotal *float64
	// ProjectedShortfall is target − projected total, or 0 when on track.
	ProjectedShortfall *float64
	// RequiredDailyRate is what must come in per day from now on to reach
	// the target by the deadline; 0 once the target is reached, unknown
	// after the deadline (no days are left to spread it over).
	RequiredDailyRate *float64
}

// Project computes the projection of v at the instant now.
func Project(v source.Values, now time.Time) Projection {
	var p Projection
	if v.Deadline != nil {
		p.DaysLeft = ptr(math.Max(v.Deadline.Sub(now).Hours()/24, 0))
	}
	if v.Raised == nil {
		// A goal counted in donors: the days left are all there is.
		return p
	}
	raised := *v.Raised
	if v.Target != nil && *v.Target > 0 {
		p.ProgressRatio = ptr(raised / *v.Target)
	}
	if v.Start != nil {
		elapsed := math.Max(now.Sub(*v.Start).Hours()/24, 1)
		p.DailyRate = ptr(raised / elapsed)
	}
	if p.DailyRate != nil && p.DaysLeft != nil {
		p.ProjectedTotal = ptr(raised + *p.DailyRate**p.DaysLeft)
	}
	if v.Target != nil {
		target := *v.Target
		if p.ProjectedTotal != nil {
			p.ProjectedShortfall = ptr(math.Max(target-*p.ProjectedTotal, 0))
		}
		switch {
		case p.DaysLeft == nil:
		case raised >= target:
			p.RequiredDailyRate = ptr(0)
		case *p.DaysLeft > 0:
			p.RequiredDailyRate = ptr((target - raised) / *p.DaysLeft)
		}
	}
	return p
}

func ptr(f float64) *float64 { return &f }
