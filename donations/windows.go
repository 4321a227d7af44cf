package donations

import (
	"fmt"
	"math"
	"time"
)

// Window is a span of time back from now that recent money is summed over.
type Window struct {
	// Name is the window label's value: 1h, 24h, 7d.
	Name   string
	Length time.Duration
}

// Windows are the spans donation_recent_raised is given for, shortest
// first.
var Windows = []Window{
	{"1h", time.Hour},
	{"24h", 24 * time.Hour},
	{"7d", 7 * 24 * time.Hour},
}

// Longest is the longest of Windows: how far back a scrape reads the list.
func Longest() time.Duration { return Windows[len(Windows)-1].Length }

// Recent is what one window holds.
type Recent struct {
	Window
	// Raised is the sum of the amounts known in the window.
	Raised float64
	// Donations counts the donations in the window; Hidden those of them
	// whose amount the donor hid, which Raised leaves out.
	Donations, Hidden int
}

// Summary is what a list tells at an instant.
type Summary struct {
	// Last is the newest donation; nil when the list is empty.
	Last *Donation
	// Recent holds the windows the list covers, shortest first: a window
	// reaching back past the oldest donation read is left out, as its sum
	// would be too low.
	Recent []Recent
	// Mismatch, when not empty, says how the whole list disagrees with the
	// platform's total.
	Mismatch string
}

// Summarize computes the last donation and the windows at now. A donation
// is in a window when it is later than now less the window's length; one
// after now (the platform's clock ahead of ours) is in every window.
// raised is the platform's total, to check a complete list against; nil
// skips the check.
func Summarize(l List, now time.Time, raised *float64) Summary {
	var s Summary
	if len(l.Donations) > 0 {
		last := l.Donations[0]
		s.Last = &last
	}
	for _, w := range Windows {
		start := now.Add(-w.Length)
		if !l.Covers(start) {
			continue
		}
		r := Recent{Window: w}
		for _, d := range l.Donations {
			if !d.Time.After(start) {
				break // newest first: the rest is older
			}
			r.Donations++
			if d.Amount == nil {
				r.Hidden++
			} else {
				r.Raised += *d.Amount
			}
		}
		s.Recent = append(s.Recent, r)
	}
	if raised != nil {
		s.Mismatch = Check(l, *raised)
	}
	return s
}

// Check compares a complete list with the platform's total: without
// hidden amounts they must agree to the cent; with some, the known ones
// may not exceed it. It returns why they disagree, or "" (also for a list
// not read whole, which cannot be checked).
func Check(l List, raised float64) string {
	if !l.Complete {
		return ""
	}
	var sum float64
	hidden := 0
	for _, d := range l.Donations {
		if d.Amount == nil {
			hidden++
		} else {
			sum += *d.Amount
		}
	}
	tolerance := 0.005 + 1e-9*math.Abs(raised)
	switch {
	case hidden == 0 && math.Abs(sum-raised) > tolerance:
		return fmt.Sprintf("the list's %d donations sum to %s, the platform's total is %s", len(l.Donations), amount(sum), amount(raised))
	case hidden > 0 && sum > raised+tolerance:
		return fmt.Sprintf("the amounts known of the list's %d donations sum to %s, more than the platform's total of %s", len(l.Donations), amount(sum), amount(raised))
	case l.Total >= 0 && l.Total != len(l.Donations):
		return fmt.Sprintf("the list holds %d donations, the platform says it has %d", len(l.Donations), l.Total)
	}
	return ""
}

func amount(v float64) string { return fmt.Sprintf("%.2f", v) }
