package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/donation-exporter/donation_exporter/forecast"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// checkNotes says, for a campaign that was read, what `check` would
// otherwise leave a person to work out: which setting would give each
// figure that is missing, what the figures count when they are not money
// raised so far, and a deadline already passed (a year typo ends a
// campaign and turns its alerts off without an error).
func checkNotes(c source.Campaign, v read.Values, p forecast.Projection, now time.Time) []string {
	var notes []string
	if v.Deadline != nil && p.State == forecast.StateEnded {
		ago := now.Sub(*v.Deadline).Hours() / 24
		notes = append(notes, fmt.Sprintf("WARNING: the deadline %s passed %s days ago: the campaign counts as ended, its projections and alerts are off; if it has not ended, fix %s",
			v.Deadline.UTC().Format(time.RFC3339), number(&ago), fieldSetting(c, read.FieldDeadline)))
	}
	if v.Deadline == nil {
		notes = append(notes, fmt.Sprintf("missing: days left, projected total, shortfall and required daily rate need a deadline: set %s (2026-07-08) or %s",
			c.Setting("DEADLINE"), c.Setting("DEADLINE_SELECTOR")))
	}
	if v.Start == nil {
		notes = append(notes, fmt.Sprintf("missing: the daily rate and the projections need a start: set %s (2026-03-24) or %s",
			c.Setting("START"), c.Setting("START_SELECTOR")))
	}
	if v.Target == nil {
		notes = append(notes, fmt.Sprintf("missing: progress ratio, shortfall and required daily rate need a target: set %s (1000000), %s or %s",
			c.Setting("TARGET"), c.Setting("TARGET_SELECTOR"), c.Setting("REMAINING_SELECTOR")))
	}
	if v.Currency == "" && (v.Raised != nil || v.Target != nil) {
		notes = append(notes, fmt.Sprintf(`missing: no currency read, so the amounts go out with currency="": set %s (USD) or %s`,
			c.Setting("CURRENCY"), c.Setting("CURRENCY_SELECTOR")))
	}
	if c.RaisedBasis != "" && c.RaisedBasis != "cumulative" {
		notes = append(notes, fmt.Sprintf("basis: raised is a %s figure, not money raised so far (raised_basis=%q on donation_campaign_info): the shortfall and projection alerts skip this campaign",
			c.RaisedBasis, c.RaisedBasis))
	}
	if c.DonorsBasis != "" && c.DonorsBasis != "donors" && v.Donors != nil {
		notes = append(notes, fmt.Sprintf("basis: donors counts %s (donors_basis=%q)", c.DonorsBasis, c.DonorsBasis))
	}
	return notes
}

// fieldSetting names the setting that gave a field: the variable that
// configured it, the one that overrides a preset's, or the plain one.
func fieldSetting(c source.Campaign, f read.Field) string {
	fs := c.Spec.Fields[f]
	switch {
	case fs.Setting != "":
		return c.Spec.SettingPrefix + fs.Setting
	case fs.Override != "":
		return fs.Override
	}
	return c.Setting(strings.ToUpper(string(f)))
}
