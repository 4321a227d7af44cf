package read

import (
	"slices"
	"time"
)

// Field names a figure of a campaign.
type Field string

const (
	FieldRaised   Field = "raised"
	FieldTarget   Field = "target"
	FieldCurrency Field = "currency"
	FieldStart    Field = "start"
	FieldDeadline Field = "deadline"
	FieldDonors   Field = "donors"
	// FieldRemaining is the amount still needed. A page that gives it
	// instead of the target (or instead of the amount raised) has the
	// missing one derived: target = raised + remaining, raised = target −
	// remaining. It is not exported itself.
	FieldRemaining Field = "remaining"
)

// Holds is the kind of value a field holds.
type Holds int

const (
	// HoldsMoney is an amount in the campaign's currency.
	HoldsMoney Holds = iota
	// HoldsCount is a whole number (donors).
	HoldsCount
	// HoldsCurrency is an ISO 4217 code.
	HoldsCurrency
	// HoldsInstant is a point in time.
	HoldsInstant
)

// fields is the one table of the fields: every field in the order they
// are read and reported, with what it holds. The reader, check and the
// status page go by it.
var fields = []struct {
	field Field
	holds Holds
}{
	{FieldRaised, HoldsMoney},
	{FieldTarget, HoldsMoney},
	{FieldCurrency, HoldsCurrency},
	{FieldStart, HoldsInstant},
	{FieldDeadline, HoldsInstant},
	{FieldDonors, HoldsCount},
	{FieldRemaining, HoldsMoney},
}

// fieldOrder is every field in the order they are read and reported.
var fieldOrder = func() []Field {
	order := make([]Field, len(fields))
	for i, f := range fields {
		order[i] = f.field
	}
	return order
}()

// Fields returns every field in the order they are read and reported.
func Fields() []Field { return slices.Clone(fieldOrder) }

// holdsNothing is what a name that is no field holds.
const holdsNothing Holds = -1

// Holds says what the field holds.
func (f Field) Holds() Holds {
	for _, row := range fields {
		if row.field == f {
			return row.holds
		}
	}
	return holdsNothing
}

// FieldSpec says how to get one field: a literal from the configuration, or
// selectors tried in order until one matches. An empty FieldSpec leaves the
// field unknown.
type FieldSpec struct {
	Literal   string
	Selectors []Selector
	// Optional fields that no selector matches stay unknown instead of
	// failing the scrape.
	Optional bool
	// AbsentIf shows when the page legitimately lacks the field (a goal
	// counted in donors has no amount): when one of these selectors
	// matches, the field stays unknown and Selectors are not tried.
	AbsentIf []Selector
	// PresentIf, when set, is the other way round: the field is read only
	// when one of these selectors matches (Patreon shows earnings only when
	// the creator makes them public), and stays unknown otherwise.
	PresentIf []Selector
	// Checks read the same figure from other places on the page (an
	// amount field only). One that reads a different figure fails the
	// field: the data and what the page shows people are then about two
	// campaigns, and which is the page's own cannot be told. With
	// ChecksNote it is reported in Values.Notes instead and the figure
	// Selectors read is kept.
	Checks     []Selector
	ChecksNote bool
	// Preset names the platform preset that supplied the field ("" when
	// the configuration did), and Override the variable that replaces it:
	// errors name both, so that a platform's new markup is easy to work
	// around.
	Preset   string
	Override string
	// Setting is the variable (or campaigns-file key) that configured the
	// field; "" when a preset did. Errors about dates name it, after the
	// Spec's SettingPrefix.
	Setting string
}

// IsSet reports whether the field has a literal or a selector.
func (fs FieldSpec) IsSet() bool { return fs.Literal != "" || len(fs.Selectors) > 0 }

// Spec says how to read a campaign's figures out of its page.
type Spec struct {
	Fields map[Field]FieldSpec
	// AmountScale multiplies amounts read from the page (not literals):
	// 0.01 for an API that gives cents.
	AmountScale float64
	// Location is the time zone of dates written without an offset.
	Location *time.Location
	// ProgressChecks read the percentage of the target raised as the page
	// shows it, to cross-check raised / target (see FieldSpec.Checks).
	ProgressChecks []Selector
	// ZeroConfig reads raised, target and donors, where Fields do not
	// configure them, from what donation pages commonly carry (see
	// zeroconfig.go).
	ZeroConfig bool
	// SettingPrefix starts the name of each field's Setting in messages
	// (DONATION_CAMPAIGN_0_, or the campaigns file's place of the entry):
	// the fields then keep the key alone (RAISED_SELECTOR), the same in
	// every campaign, so that campaigns configured alike can share one
	// Fields map instead of each keeping its own names (0.6 KB a campaign).
	// "": Setting is the whole name.
	SettingPrefix string
}

// settingName is a field's Setting in full; "" when the field has none.
func (spec Spec) settingName(fs FieldSpec) string {
	if fs.Setting == "" {
		return ""
	}
	return spec.SettingPrefix + fs.Setting
}

// Number returns a money or count field's value: nil when it is unknown
// (or the field holds no number).
func (v Values) Number(f Field) *float64 {
	if p := v.number(f); p != nil {
		return *p
	}
	return nil
}

// number is where a money or count field's value is kept in v.
func (v *Values) number(f Field) **float64 {
	switch f {
	case FieldRaised:
		return &v.Raised
	case FieldTarget:
		return &v.Target
	case FieldDonors:
		return &v.Donors
	case FieldRemaining:
		return &v.Remaining
	}
	return nil
}

// Instant returns a date field's value: nil when it is unknown (or the
// field holds no date).
func (v Values) Instant(f Field) *time.Time {
	if p := v.instant(f); p != nil {
		return *p
	}
	return nil
}

// instant is where a date field's value is kept in v.
func (v *Values) instant(f Field) **time.Time {
	switch f {
	case FieldStart:
		return &v.Start
	case FieldDeadline:
		return &v.Deadline
	}
	return nil
}

// Values are a campaign's figures as read from its page. A nil pointer is a
// figure the page and the configuration do not give.
type Values struct {
	Raised   *float64
	Target   *float64
	Currency string
	Start    *time.Time
	Deadline *time.Time
	Donors   *float64
	// Remaining is the amount still needed, when the page gives it; it
	// completes Raised or Target (see FieldRemaining).
	Remaining *float64
	// Notes are what a person debugging the campaign may want to know but
	// that did not fail the scrape: two places on the page that disagree
	// about a figure, an endpoint that was gone so the page was read.
	Notes []string
}

// FieldTrace tells how one configured field was read, for people checking a
// campaign's configuration.
type FieldTrace struct {
	Field Field
	// Literal is the configured value, when the field has one.
	Literal string
	// Tries are the selectors tried, in order, up to the one that matched.
	Tries []SelectorTry
	// Text is what the literal or the matching selector gave, before it
	// was read as the field.
	Text string
	// Err is why the field could not be read; nil when it was. An optional
	// field that no selector matched has no Err and no Text.
	Err error
}

// SelectorTry is one selector tried on the page.
type SelectorTry struct {
	Selector string
	// Err is why it gave nothing; nil when it matched.
	Err error
}

func (spec Spec) location() *time.Location {
	if spec.Location == nil {
		return time.UTC
	}
	return spec.Location
}
