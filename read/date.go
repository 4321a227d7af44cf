package read

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DayBound says which instant a bare date ("2026-07-08") stands for.
type DayBound int

const (
	// StartOfDay reads a bare date as its first instant: a campaign that
	// starts on July 1 takes donations from midnight.
	StartOfDay DayBound = iota
	// EndOfDay reads a bare date as the end of that day (midnight of the
	// next one): a campaign "until July 8" takes donations all of July 8.
	EndOfDay
)

// errNoDate is returned when a text matches none of the accepted formats.
var errNoDate = errors.New("not a date")

// errDateRange is returned for a date outside the years the exporter
// accepts (see FirstYear and LastYear).
var errDateRange = errors.New("date out of range")

// The years a campaign date may fall in. Before 1970 a Unix timestamp is
// negative; after 9999 no page means it. Go's durations and UnixNano only
// span 1678–2262, so arithmetic on dates is done in float seconds (see
// UnixSeconds), which is exact to the microsecond over this whole range.
const (
	FirstYear = 1970
	LastYear  = 9999
)

// checkYear reports a date whose calendar year, as written (in its own
// time zone, before a bare deadline is moved to the end of its day), lies
// outside FirstYear–LastYear.
func checkYear(t time.Time, text string) error {
	if y := t.Year(); y < FirstYear || y > LastYear {
		return fmt.Errorf("%w: %q is in the year %d; dates must fall in the years %d to %d", errDateRange, truncate(text), y, FirstYear, LastYear)
	}
	return nil
}

// UnixSeconds is t as Unix time in seconds, with its fraction. Unlike
// t.UnixNano it does not overflow after 2262.
func UnixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// Instants with a time of day or an offset.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05Z07:00",
	time.RFC1123Z,
	time.RFC1123,
}

// Calendar days, written the ways donation pages write them.
var dateLayouts = []string{
	"2006-01-02",
	"January 2, 2006",
	"January 2 2006",
	"Jan 2, 2006",
	"Jan 2 2006",
	"2 January 2006",
	"2 Jan 2006",
	"Monday, January 2, 2006",
	"Mon, Jan 2, 2006",
}

var ordinalSuffix = regexp.MustCompile(`\b(\d{1,2})(st|nd|rd|th)\b`)

// ParseDate reads a date or instant: RFC 3339 ("2026-07-08T12:00:00Z"), a
// date ("2026-07-08", "July 8, 2026", "8 July 2026", "July 8th, 2026") or
// Unix time in seconds or milliseconds ("1504220400", "1504220400000"), or
// the /Date(ms)/ form of Microsoft's JSON ("/Date(1181059181000+0100)/").
// Texts without an offset are read in loc; a bare date stands for the start
// or end of that day as bound says.
func ParseDate(text string, loc *time.Location, bound DayBound) (time.Time, error) {
	s := strings.Join(strings.Fields(text), " ")
	if s == "" {
		return time.Time{}, fmt.Errorf("%w: empty text", errNoDate)
	}
	if t, ok, err := parseUnix(s); ok {
		return t, err
	}
	if t, ok, err := parseMSDate(s); ok {
		return t, err
	}
	for _, layout := range timestampLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, checkYear(t, text)
		}
	}
	s = ordinalSuffix.ReplaceAllString(s, "$1")
	var firstErr error
	for _, layout := range dateLayouts {
		// Read in UTC for the calendar day alone: in loc, a midnight that
		// daylight saving skips would already have moved the day back.
		day, err := time.ParseInLocation(layout, s, time.UTC)
		if err == nil {
			if err := checkYear(day, text); err != nil {
				return time.Time{}, err
			}
			if bound == EndOfDay {
				day = day.AddDate(0, 0, 1)
			}
			return firstInstant(day.Year(), day.Month(), day.Day(), loc), nil
		}
		if firstErr == nil && isRangeError(err) {
			firstErr = err
		}
	}
	if firstErr != nil {
		// "2026-02-30" has the shape of a date but is not one: say so.
		return time.Time{}, fmt.Errorf("%w: %q: %w", errNoDate, truncate(text), firstErr)
	}
	return time.Time{}, fmt.Errorf("%w: %q", errNoDate, truncate(text))
}

// firstInstant is the first instant of a calendar day in loc. It is
// midnight, except where daylight saving skips midnight (America/Santiago
// in September, America/Havana in March): there the day begins when the
// clocks jump, at 01:00. time.Date alone normalises the missing midnight
// to 23:00 of the day before, an hour early.
func firstInstant(year int, month time.Month, day int, loc *time.Location) time.Time {
	t := time.Date(year, month, day, 0, 0, 0, 0, loc)
	if y, m, d := t.Date(); y == year && m == month && d == day {
		return t
	}
	if _, next := t.ZoneBounds(); !next.IsZero() {
		return next
	}
	return t
}

// DateFromNumber reads a number from a JSON document as Unix time in
// seconds, or in milliseconds when it is too large to be seconds. A time
// after the year LastYear is an ErrDateRange error.
func DateFromNumber(n float64) (time.Time, error) {
	if math.IsNaN(n) || math.IsInf(n, 0) || n < 0 || n > 1e15 {
		return time.Time{}, fmt.Errorf("%w: %v is not a Unix time", errNoDate, n)
	}
	if n >= 1e11 { // later than year 5138 in seconds: must be milliseconds
		n /= 1000
	}
	sec, frac := math.Modf(n)
	t := time.Unix(int64(sec), int64(frac*1e9)).UTC()
	if t.Year() > LastYear {
		return time.Time{}, fmt.Errorf("%w: Unix time %v is in the year %d; dates must fall in the years %d to %d", errDateRange, n, t.Year(), FirstYear, LastYear)
	}
	return t, nil
}

func parseUnix(s string) (time.Time, bool, error) {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return time.Time{}, false, nil
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, false, nil //nolint:nilerr // not a number ("1.2.3"): the other layouts are tried
	}
	t, err := DateFromNumber(n)
	return t, true, err
}

// msDate is Microsoft's JSON date (WCF, ASP.NET; JustGiving's API):
// /Date(ms)/ or /Date(ms+hhmm)/, ms being Unix milliseconds, negative
// before 1970. JSON may escape the slashes ("\/Date(…)\/").
var msDate = regexp.MustCompile(`^\\?/Date\((-?\d{1,15})([+-]\d{4})?\)\\?/$`)

// parseMSDate reads a /Date(…)/ text. The milliseconds count from the Unix
// epoch in UTC whatever the offset says: the offset only tells the zone the
// time was written in, so it gives the result's zone and moves no instant.
func parseMSDate(s string) (time.Time, bool, error) {
	m := msDate.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false, nil
	}
	ms, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return time.Time{}, true, fmt.Errorf("%w: %q: %w", errNoDate, truncate(s), err)
	}
	t := time.UnixMilli(ms).UTC()
	if m[2] != "" {
		hh, _ := strconv.Atoi(m[2][1:3])
		mm, _ := strconv.Atoi(m[2][3:5])
		if hh > 14 || mm > 59 {
			return time.Time{}, true, fmt.Errorf("%w: %q: offset %s is not one a clock shows", errNoDate, truncate(s), m[2])
		}
		offset := hh*3600 + mm*60
		if m[2][0] == '-' {
			offset = -offset
		}
		t = t.In(time.FixedZone(m[2], offset))
	}
	return t, true, checkYear(t, s)
}

func isRangeError(err error) bool {
	var pe *time.ParseError
	return errors.As(err, &pe) && strings.Contains(pe.Message, "out of range")
}

// errImpossibleDates is wrapped by every error CheckDates and
// CheckConfiguredDates return.
var errImpossibleDates = errors.New("dates that cannot be")

// checkDates reports the dates of figures read from a page that cannot be,
// at the instant now:
//   - a start that is not before the deadline;
//   - a start in the future while money (or donors) already came in.
//
// A start in the future with nothing raised yet is a campaign that has not
// started: that is no error (see docs/lifecycle.md). The error names the
// fields at fault and the figures that contradict each other, so that a
// failed scrape says why.
func checkDates(v Values, now time.Time) error {
	return Spec{}.checkDates(v, now)
}

// checkDates is CheckDates naming, beside each field, the setting that
// configured it (FieldSpec.Setting): DONATION_CAMPAIGN_0_START for a start
// given as a value, so that the error says what to change.
func (s Spec) checkDates(v Values, now time.Time) error {
	field := func(f Field) string {
		if setting := s.settingName(s.Fields[f]); setting != "" {
			return fmt.Sprintf("%s (field %s)", setting, f)
		}
		return "field " + string(f)
	}
	var errs []error
	if v.Start != nil && v.Deadline != nil && !v.Start.Before(*v.Deadline) {
		errs = append(errs, fmt.Errorf("%w: %s: %s is not before %s %s",
			errImpossibleDates, field(FieldStart), formatDate(*v.Start), field(FieldDeadline), formatDate(*v.Deadline)))
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
				errImpossibleDates, field(FieldStart), formatDate(*v.Start), formatDate(now), strings.Join(came, " and ")))
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
			name(FieldStart), errImpossibleDates, strings.TrimSpace(start), formatDate(*s),
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
