package collector

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/donation-exporter/donation_exporter/read"
)

const (
	day = 24 * time.Hour
	// secondsPerDay converts the float seconds of read.UnixSeconds: date
	// arithmetic is done there, as time.Duration only spans ±292 years.
	secondsPerDay = 86400
)

// State is where a campaign is in its life, at an instant.
type State string

const (
	// StateNotStarted: the start is still to come (and nothing was raised,
	// or the page would have failed read.CheckDates).
	StateNotStarted State = "not_started"
	// StateRunning: started, or with no start known, and not past its
	// deadline, or with no deadline.
	StateRunning State = "running"
	// StateEnded: the deadline has passed. The figures are final.
	StateEnded State = "ended"
)

// States lists every state, in the order of a campaign's life: the values
// of donation_campaign_state's state label.
var States = []State{StateNotStarted, StateRunning, StateEnded}

// ErrNotFinite is wrapped by Project's error when the arithmetic gives an
// infinite or undefined figure.
var ErrNotFinite = errors.New("figure out of range")

// Projection is the arithmetic people do by hand on a campaign page. A nil
// figure is one whose inputs are unknown, or that means nothing in the
// campaign's state: it is omitted, never reported as 0.
type Projection struct {
	// State is where the campaign is in its life.
	State State
	// ProgressRatio is raised / target.
	ProgressRatio *float64
	// DaysLeft is the fractional number of days to the deadline, 0 after it.
	DaysLeft *float64
	// DailyRate is the average raised per day since the start: up to now
	// while the campaign runs, over its whole span (start to deadline) once
	// it has ended, so that it stays what the campaign achieved. A campaign
	// counts at least one day, so that on its first day the rate is what
	// was raised so far, not a division by ~0. Omitted before the start.
	DailyRate *float64
	// ProjectedTotal is what will have been raised at the deadline if the
	// average daily rate holds. Only while the campaign runs.
	ProjectedTotal *float64
	// ProjectedShortfall is target − projected total, or 0 when on track.
	// Only while the campaign runs.
	ProjectedShortfall *float64
	// RequiredDailyRate is what must come in per day to reach the target
	// by the deadline: from now while the campaign runs, over its whole
	// span before it starts; 0 once the target is reached; omitted once it
	// has ended (no days are left to spread it over).
	RequiredDailyRate *float64
}

// Project computes the projection of v at the instant now. It fails when a
// figure would not be a finite number (an amount near the largest float, a
// target near 0): a wrong figure is worse than none.
func Project(v read.Values, now time.Time) (Projection, error) {
	p := Projection{State: stateOf(v, now)}
	nowSec := read.UnixSeconds(now)
	days := func(from, to float64) float64 { return (to - from) / secondsPerDay }
	var deadline, start float64
	if v.Deadline != nil {
		deadline = read.UnixSeconds(*v.Deadline)
		p.DaysLeft = ptr(math.Max(days(nowSec, deadline), 0))
	}
	if v.Start != nil {
		start = read.UnixSeconds(*v.Start)
	}
	if v.Raised == nil {
		// A goal counted in donors: the days left are all there is.
		return p, checkFinite(p, v)
	}
	raised := *v.Raised
	if v.Target != nil && *v.Target > 0 {
		p.ProgressRatio = ptr(raised / *v.Target)
	}
	switch p.State {
	case StateNotStarted:
		if v.Target != nil && v.Deadline != nil {
			p.RequiredDailyRate = requiredRate(raised, *v.Target, days(start, deadline))
		}
	case StateEnded:
		if v.Start != nil {
			p.DailyRate = ptr(raised / math.Max(days(start, deadline), 1))
		}
	case StateRunning:
		if v.Start != nil {
			p.DailyRate = ptr(raised / math.Max(days(start, nowSec), 1))
		}
		if p.DailyRate != nil && p.DaysLeft != nil {
			p.ProjectedTotal = ptr(raised + *p.DailyRate**p.DaysLeft)
		}
		if v.Target != nil && p.ProjectedTotal != nil {
			p.ProjectedShortfall = ptr(math.Max(*v.Target-*p.ProjectedTotal, 0))
		}
		if v.Target != nil && p.DaysLeft != nil {
			p.RequiredDailyRate = requiredRate(raised, *v.Target, *p.DaysLeft)
		}
	}
	return p, checkFinite(p, v)
}

// stateOf tells where a campaign with v's dates is at the instant now.
func stateOf(v read.Values, now time.Time) State {
	switch {
	case v.Deadline != nil && !now.Before(*v.Deadline):
		return StateEnded
	case v.Start != nil && now.Before(*v.Start):
		return StateNotStarted
	}
	return StateRunning
}

// requiredRate spreads what is missing over the days left: 0 once the
// target is reached, unknown when no day is left.
func requiredRate(raised, target, daysLeft float64) *float64 {
	switch {
	case raised >= target:
		return ptr(0)
	case daysLeft > 0:
		return ptr((target - raised) / daysLeft)
	}
	return nil
}

// checkFinite reports the figures of p that are not finite numbers, with
// the amounts they came from.
func checkFinite(p Projection, v read.Values) error {
	var bad []string
	for _, f := range []struct {
		name string
		v    *float64
	}{
		{"progress ratio", p.ProgressRatio}, {"days left", p.DaysLeft}, {"daily rate", p.DailyRate},
		{"projected total", p.ProjectedTotal}, {"projected shortfall", p.ProjectedShortfall},
		{"required daily rate", p.RequiredDailyRate},
	} {
		if f.v != nil && (math.IsInf(*f.v, 0) || math.IsNaN(*f.v)) {
			bad = append(bad, fmt.Sprintf("%s is %v", f.name, *f.v))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s (raised %s, target %s): the page's amounts are too large or too small to compute with",
		ErrNotFinite, strings.Join(bad, ", "), amountText(v.Raised), amountText(v.Target))
}

// amountText formats an amount for an error, or says it is unknown.
func amountText(f *float64) string {
	if f == nil {
		return "unknown"
	}
	return fmt.Sprint(*f)
}

func ptr(f float64) *float64 { return &f }
