package forecast

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// secondsPerDay: date arithmetic is done in float seconds (unixSeconds),
// as time.Duration only spans ±292 years and a page may say 9999.
const secondsPerDay = 86400

// State is where a campaign is in its life, at an instant.
type State string

const (
	// StateNotStarted: the start is still to come.
	StateNotStarted State = "not_started"
	// StateRunning: started, or with no start known, and not past its
	// deadline, or with no deadline.
	StateRunning State = "running"
	// StateEnded: the deadline has passed. The figures are final.
	StateEnded State = "ended"
)

// States lists every state, in the order of a campaign's life.
var States = []State{StateNotStarted, StateRunning, StateEnded}

// ErrNotFinite is wrapped by Project's error when the arithmetic gives an
// infinite or undefined figure.
var ErrNotFinite = errors.New("figure out of range")

// Inputs are what a page says of a campaign. Nil is unknown.
type Inputs struct {
	Raised, Target  *float64
	Start, Deadline *time.Time
}

// Projection is the arithmetic people do by hand on a campaign page, and
// the forecast. A nil figure is one whose inputs are unknown, or that
// means nothing in the campaign's state: it is omitted, never reported as 0.
type Projection struct {
	// State is where the campaign is in its life.
	State State
	// Curve names the pace curve the projection comes from.
	Curve string
	// ProgressRatio is raised / target.
	ProgressRatio *float64
	// DaysLeft is the fractional number of days to the deadline, 0 after it.
	DaysLeft *float64
	// DailyRate is the average raised per day since the start: up to now
	// while the campaign runs, over its whole span once it has ended. A
	// campaign counts at least one day, so that on its first day the rate
	// is what was raised so far, not a division by ~0.
	DailyRate *float64
	// ElapsedRatio is the share of the campaign's duration gone by.
	ElapsedRatio *float64
	// ProjectedTotal is the central forecast of the final total: raised
	// divided by the share of the final that the curve says comes in by
	// now. Only while the campaign runs with its start and deadline known,
	// and only where the curve's share is above 0.
	ProjectedTotal *float64
	// ProjectedLow and ProjectedHigh bound the final total (about 80 % of
	// the campaigns the curve was measured on ended inside). High is
	// omitted while the curve's low share is 0 (no upper bound yet).
	ProjectedLow, ProjectedHigh *float64
	// ProjectedShortfall is target − projected total, or 0 when on track.
	ProjectedShortfall *float64
	// RequiredDailyRate is what must come in per day to reach the target
	// by the deadline: from now while the campaign runs, over its whole
	// span before it starts; 0 once the target is reached; omitted once it
	// has ended.
	RequiredDailyRate *float64
}

// Project computes the projection of in at the instant now along curve
// (Linear when nil). It fails when a figure would not be a finite number
// (an amount near the largest float, a target near 0): a wrong figure is
// worse than none.
func Project(in Inputs, curve *Curve, now time.Time) (Projection, error) {
	curve = curve.OrLinear()
	p := Projection{State: stateOf(in, now), Curve: curve.Name}
	nowSec := unixSeconds(now)
	days := func(from, to float64) float64 { return (to - from) / secondsPerDay }
	var deadline, start float64
	if in.Deadline != nil {
		deadline = unixSeconds(*in.Deadline)
		p.DaysLeft = ptr(math.Max(days(nowSec, deadline), 0))
	}
	if in.Start != nil {
		start = unixSeconds(*in.Start)
	}
	if in.Raised == nil {
		// A goal counted in donors: the days left are all there is.
		return p, checkFinite(p, in)
	}
	raised := *in.Raised
	if in.Target != nil && *in.Target > 0 {
		p.ProgressRatio = ptr(raised / *in.Target)
	}
	switch p.State {
	case StateNotStarted:
		if in.Target != nil && in.Deadline != nil {
			p.RequiredDailyRate = requiredRate(raised, *in.Target, days(start, deadline))
		}
	case StateEnded:
		if in.Start != nil {
			p.DailyRate = ptr(raised / math.Max(days(start, deadline), 1))
		}
	case StateRunning:
		if in.Start != nil {
			p.DailyRate = ptr(raised / math.Max(days(start, nowSec), 1))
		}
		if in.Start != nil && in.Deadline != nil && deadline > start {
			elapsed := (nowSec - start) / (deadline - start)
			p.ElapsedRatio = ptr(elapsed)
			project(&p, curve, raised, elapsed)
		}
		if in.Target != nil && p.ProjectedTotal != nil {
			p.ProjectedShortfall = ptr(math.Max(*in.Target-*p.ProjectedTotal, 0))
		}
		if in.Target != nil && p.DaysLeft != nil {
			p.RequiredDailyRate = requiredRate(raised, *in.Target, *p.DaysLeft)
		}
	}
	return p, checkFinite(p, in)
}

// project sets the projected total and its range at elapsed (0–1).
func project(p *Projection, curve *Curve, raised, elapsed float64) {
	if raised <= 0 {
		// Nothing raised: at any share the final is 0 so far; the curve
		// cannot say how much more will come, so no upper bound.
		p.ProjectedTotal, p.ProjectedLow = ptr(0), ptr(0)
		return
	}
	if curve.linear {
		// The seed's arithmetic, exactly: the daily rate (at least one day
		// counted) holds for the days left.
		p.ProjectedTotal = ptr(raised + *p.DailyRate**p.DaysLeft)
	}
	at := curve.At(elapsed)
	if !curve.linear && at.Share > 0 {
		p.ProjectedTotal = ptr(raised / at.Share)
	}
	if !curve.hasRange || p.ProjectedTotal == nil {
		return
	}
	// The range's low end comes from the highest share (the campaign has
	// raised much of what it will), the high end from the lowest.
	if at.ShareHigh > 0 {
		p.ProjectedLow = ptr(math.Min(raised/at.ShareHigh, *p.ProjectedTotal))
	}
	if at.ShareLow > 0 {
		p.ProjectedHigh = ptr(math.Max(raised/at.ShareLow, *p.ProjectedTotal))
	}
}

// stateOf tells where a campaign with in's dates is at the instant now.
func stateOf(in Inputs, now time.Time) State {
	switch {
	case in.Deadline != nil && !now.Before(*in.Deadline):
		return StateEnded
	case in.Start != nil && now.Before(*in.Start):
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
func checkFinite(p Projection, in Inputs) error {
	var bad []string
	for _, f := range []struct {
		name string
		v    *float64
	}{
		{"progress ratio", p.ProgressRatio}, {"days left", p.DaysLeft}, {"daily rate", p.DailyRate},
		{"projected total", p.ProjectedTotal}, {"projected low", p.ProjectedLow}, {"projected high", p.ProjectedHigh},
		{"projected shortfall", p.ProjectedShortfall}, {"required daily rate", p.RequiredDailyRate},
	} {
		if f.v != nil && (math.IsInf(*f.v, 0) || math.IsNaN(*f.v)) {
			bad = append(bad, fmt.Sprintf("%s is %v", f.name, *f.v))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s (raised %s, target %s): the page's amounts are too large or too small to compute with",
		ErrNotFinite, strings.Join(bad, ", "), amountText(in.Raised), amountText(in.Target))
}

// amountText formats an amount for an error, or says it is unknown.
func amountText(f *float64) string {
	if f == nil {
		return "unknown"
	}
	return fmt.Sprint(*f)
}

// unixSeconds is t as Unix time in seconds, with its fraction. Unlike
// t.UnixNano it does not overflow after 2262.
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

func ptr(f float64) *float64 { return &f }
