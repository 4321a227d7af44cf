package collector

import (
	"github.com/donation-exporter/donation_exporter/forecast"
	"github.com/donation-exporter/donation_exporter/read"
	"time"
)

// Project is the forecast of what the page said, along the campaign's
// curve (linear when it has none), at the instant now.
func Project(v read.Values, curve *forecast.Curve, now time.Time) (forecast.Projection, error) {
	return forecast.Project(forecast.Inputs{Raised: v.Raised, Target: v.Target, Start: v.Start, Deadline: v.Deadline}, curve, now)
}
