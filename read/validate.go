package read

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrImpossibleDates is wrapped by every error CheckDates and
// CheckConfiguredDates return.
var ErrImpossibleDates = errors.New("dates that cannot be")

// CheckDates reports the dates of figures read from a page that cannot be,
// at the instant now:
//   - a start that is not before the deadline;
//   - a start in the future while money (or donors) already came in.
//
// A start in the future with nothing raised yet is a campaign that has not
// started: that is no error (see docs/lifecycle.md). The error names the
// fields at fault and the figures that contradict each other, so that a
// failed scrape says why.
func CheckDates(v Values, now time.Time) error {
	return Spec{}.checkDates(v, now)
}

// checkDates is CheckDates naming, beside each field, the setting that
// configured it (FieldSpec.Setting): DONATION_CAMPAIGN_0_START for a start
// given as a value, so that the error says what to change.
func (s Spec) checkDates(v Values, now time.Time) error {
	field := func(f Field) string {
		if setting := s.Fields[f].Setting; setting != "" {
			return fmt.Sprintf("%s (field %s)", setting, f)
		}
		return "field " + string(f)
	}
	var errs []error
	if v.Start != nil && v.Deadline != nil && !v.Start.Before(*v.Deadline) {
		errs = append(errs, fmt.Errorf("%w: %s: %s is not before %s %s",
			ErrImpossibleDates, field(FieldStart), formatDate(*v.Start), field(FieldDeadline), formatDate(*v.Deadline)))
	}
	if v.Start != nil && v.Start.After(now) {
		var came []string
		if v.Raised != nil && *v.Raised > 0 {
			came = append(came, fmt.Sprintf("raised %v", *v.Raised))
		}
		if v.Donors != nil && *v.Donors > 0 {
			came = append(came, fmt.Sprintf("donors %v", *v.Donors))
		}
		if len(came) > 0 {
			errs = append(errs, fmt.Errorf("%w: %s: %s is in the future (now %s), yet the page shows %s: "+
				"check the start's selector or value, and TIMEZONE if the page writes its dates in another zone",
				ErrImpossibleDates, field(FieldStart), formatDate(*v.Start), formatDate(now), strings.Join(came, " and ")))
		}
	}
	return errors.Join(errs...)
}

// CheckConfiguredDates checks the START and DEADLINE a person configured
// (literals, read in loc as the exporter reads them; empty when not set): a
// start that is not before the deadline cannot be. A start still to come is
// a campaign set up before it opens (donation_campaign_state not_started);
// only money already raised makes it impossible, and that is the read's to
// judge (CheckDates), since the amount raised comes from the page. name
// gives the variable that sets a field, so that each error names it.
// Literals that do not parse are left to CheckLiteral.
func CheckConfiguredDates(start, deadline string, loc *time.Location, name func(Field) string) error {
	parse := func(text string, bound DayBound) *time.Time {
		t, err := ParseDate(text, locationOr(loc), bound)
		if strings.TrimSpace(text) == "" || err != nil {
			return nil
		}
		return &t
	}
	s, d := parse(start, StartOfDay), parse(deadline, EndOfDay)
	if s != nil && d != nil && !s.Before(*d) {
		return fmt.Errorf("%s: %w: %q (%s) is not before %s %q (%s)",
			name(FieldStart), ErrImpossibleDates, strings.TrimSpace(start), formatDate(*s),
			name(FieldDeadline), strings.TrimSpace(deadline), formatDate(*d))
	}
	return nil
}

func locationOr(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

func formatDate(t time.Time) string { return t.UTC().Format(time.RFC3339) }
