package read

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
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

// fieldOrder is every field in the order they are read and reported.
var fieldOrder = []Field{FieldRaised, FieldTarget, FieldCurrency, FieldStart, FieldDeadline, FieldDonors, FieldRemaining}

// Fields returns every field in the order they are read and reported.
func Fields() []Field { return slices.Clone(fieldOrder) }

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
	// field; "" when a preset did. Errors about dates name it.
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

// extract reads every field of spec from the document, telling for each
// configured field (in the order of Fields()) which selectors were tried and
// what text was read. It reports every field that failed, each error
// naming the field and the selectors tried.
func extract(doc *Document, spec Spec) (Values, []FieldTrace, error) {
	var vals Values
	var errs []error
	var traces []FieldTrace
	pageCurrency := ""
	var shown []shownAmount
	readings := map[Field]reading{}
	for _, field := range fieldOrder {
		fs, ok := spec.Fields[field]
		if !ok || !fs.IsSet() {
			continue
		}
		tr := FieldTrace{Field: field, Literal: fs.Literal}
		if fs.Literal == "" && fs.absent(doc) {
			// The page says it legitimately lacks the field.
			traces = append(traces, tr)
			continue
		}
		v, from, fromPage, err := readField(doc, fs, &tr.Tries)
		switch {
		case errors.Is(err, errNoMatch) && fs.Optional:
			// Absent from this page: the field stays unknown.
		case err != nil:
			tr.Err = fs.fieldError(field, err)
		default:
			tr.Text = v.String()
			m, err := spec.set(&vals, field, v, fromPage)
			if err != nil {
				if fs.Preset != "" {
					err = fmt.Errorf("selector %q: %w", from, err)
				}
				tr.Err = fs.fieldError(field, err)
				break
			}
			if m.Currency != "" {
				shown = append(shown, shownAmount{field: field, money: m, text: tr.Text})
				if pageCurrency == "" {
					pageCurrency = m.Currency
				}
			}
			if r, ok := readingOf(vals, field, v, from, fromPage); ok {
				readings[field] = r
				differ := spec.crossCheck(doc, field, fs.Checks, r)
				switch {
				case len(differ) == 0:
				case fs.ChecksNote:
					for _, d := range differ {
						vals.Notes = append(vals.Notes, fmt.Sprintf("%s: %s; reporting the first", field, d))
					}
				default:
					tr.Err = fs.fieldError(field, fmt.Errorf("%s: the page shows two figures, and which is the campaign's cannot be told", strings.Join(differ, "; ")))
				}
			}
		}
		if tr.Err != nil {
			errs = append(errs, tr.Err)
		}
		traces = append(traces, tr)
	}
	if spec.ZeroConfig {
		zeroTraces, zeroShown, zeroErrs := spec.zeroConfig(doc, &vals)
		traces = append(traces, zeroTraces...)
		shown = append(shown, zeroShown...)
		errs = append(errs, zeroErrs...)
	}
	if err := spec.currencyAgrees(vals.Currency, shown); err != nil {
		errs = append(errs, err)
	}
	if err := completeFromRemaining(&vals); err != nil {
		errs = append(errs, err)
	}
	vals.Notes = append(vals.Notes, spec.checkProgress(doc, readings)...)
	if vals.Currency == "" {
		vals.Currency = pageCurrency
	}
	if len(errs) > 0 {
		return vals, traces, fieldErrors(errs)
	}
	return vals, traces, nil
}

// shownAmount is an amount whose text showed a currency.
type shownAmount struct {
	field Field
	money Money
	text  string
}

// currencyAgrees fails the currency field when the configured (or read)
// currency is not one the page's amounts can be in: CURRENCY=CAD on a page
// of "€1,234" would relabel euros as dollars. A bare "$" agrees with every
// dollar and peso.
func (spec Spec) currencyAgrees(code string, shown []shownAmount) error {
	if code == "" {
		return nil
	}
	for _, s := range shown {
		if s.money.CouldBe(code) {
			continue
		}
		fs := spec.Fields[FieldCurrency]
		from := "the currency read"
		switch {
		case fs.Literal != "" && fs.Setting != "":
			from = fs.Setting
		case fs.Literal != "":
			from = "the configured currency"
		}
		return fs.fieldError(FieldCurrency, fmt.Errorf("%s is %s but the page shows %s for %s (%q): which is right cannot be told", from, code, s.money.Currency, s.field, truncate(s.text)))
	}
	return nil
}

// fieldErrors reports several failed fields on one line, so that one
// failed scrape is one log line.
type fieldErrors []error

func (e fieldErrors) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (e fieldErrors) Unwrap() []error { return e }

// CheckLiteral reports whether a configured literal can be read as field.
func CheckLiteral(field Field, literal string, loc *time.Location) error {
	spec := Spec{AmountScale: 1, Location: loc}
	_, err := spec.set(&Values{}, field, value{text: literal, machine: true}, false)
	return err
}

// fieldError names the field, and for a field a preset supplied, the
// preset and the variable that overrides it.
func (fs FieldSpec) fieldError(field Field, err error) error {
	if fs.Preset == "" {
		return fmt.Errorf("field %s: %w", field, err)
	}
	err = fmt.Errorf("preset %s: field %s: %w", fs.Preset, field, err)
	if fs.Override != "" {
		err = fmt.Errorf("%w; set %s to override", err, fs.Override)
	}
	return err
}

// absent reports whether one of the field's AbsentIf selectors matches.
func (fs FieldSpec) absent(doc *Document) bool {
	if len(fs.PresentIf) > 0 && !anyMatches(doc, fs.PresentIf) {
		return true
	}
	return anyMatches(doc, fs.AbsentIf)
}

func anyMatches(doc *Document, sels []Selector) bool {
	for _, sel := range sels {
		if sel.appliesTo(doc.Kind()) && doc.matches(sel) {
			return true
		}
	}
	return false
}

// readField returns the field's literal, or what the first matching
// selector reads and that selector. fromPage tells the two apart.
// Selectors written for another kind of document are skipped. Each
// selector tried is appended to tries.
func readField(doc *Document, fs FieldSpec, tries *[]SelectorTry) (v value, from string, fromPage bool, err error) {
	if fs.Literal != "" {
		return value{text: fs.Literal, machine: true}, "", false, nil
	}
	var tried []string
	var lastErr error
	for _, sel := range fs.Selectors {
		if !sel.appliesTo(doc.Kind()) {
			continue
		}
		v, err := doc.selectValue(sel)
		*tries = append(*tries, SelectorTry{Selector: sel.String(), Err: err})
		if err == nil {
			return v, sel.String(), true, nil
		}
		lastErr = fmt.Errorf("selector %q: %w", sel.String(), err)
		// A JSON object where a figure was expected (a page of another
		// shape) is no figure either: the next selector may read it.
		if !errors.Is(err, errNoMatch) && !errors.Is(err, errNotScalar) {
			return value{}, "", true, lastErr
		}
		tried = append(tried, fmt.Sprintf("%q (%v)", sel.String(), err))
	}
	switch len(tried) {
	case 0:
		return value{}, "", true, fmt.Errorf("no selector is written for a %s document: %w", doc.Kind(), errNoMatch)
	case 1:
		return value{}, "", true, lastErr
	}
	return value{}, "", true, fmt.Errorf("%w by any selector tried: %s", errNoMatch, strings.Join(tried, ", "))
}

// set interprets v as field and stores it in vals. For an amount it
// returns the money read, with the currency its text showed, if any.
func (spec Spec) set(vals *Values, field Field, v value, fromPage bool) (Money, error) {
	switch field {
	case FieldRaised, FieldTarget, FieldRemaining:
		m, err := readAmount(v)
		if err != nil {
			return Money{}, err
		}
		if fromPage {
			m.Amount = scaleAmount(m.Amount, spec.AmountScale)
		}
		switch field {
		case FieldRaised:
			vals.Raised = &m.Amount
		case FieldTarget:
			vals.Target = &m.Amount
		default:
			vals.Remaining = &m.Amount
		}
		return m, nil
	case FieldDonors:
		m, err := readAmount(v)
		if err != nil {
			return Money{}, err
		}
		if m.Amount != math.Trunc(m.Amount) {
			return Money{}, fmt.Errorf("donor count %v is not a whole number", m.Amount)
		}
		vals.Donors = &m.Amount
		return Money{}, nil
	case FieldCurrency:
		code, err := readCurrency(v.text)
		if err != nil {
			return Money{}, err
		}
		vals.Currency = code
		return Money{}, nil
	case FieldStart, FieldDeadline:
		bound := StartOfDay
		if field == FieldDeadline {
			bound = EndOfDay
		}
		t, err := readDate(v, spec.location(), bound)
		if err != nil {
			return Money{}, err
		}
		if field == FieldStart {
			vals.Start = &t
		} else {
			vals.Deadline = &t
		}
		return Money{}, nil
	}
	return Money{}, fmt.Errorf("unknown field %q", field)
}

func (spec Spec) location() *time.Location {
	if spec.Location == nil {
		return time.UTC
	}
	return spec.Location
}

// plainDecimal is a number as programs write amounts: decimal digits, an
// optional fraction and exponent.
var plainDecimal = regexp.MustCompile(`^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$`)

// readAmount reads an amount of money or a count. Values written for
// programs (JSON, attributes) are read as plain numbers first; text written
// for people goes through ParseMoney. Amounts must be finite and not
// negative: a page showing otherwise is broken, not poor.
func readAmount(v value) (Money, error) {
	var m Money
	switch {
	case v.isNumber:
		m.Amount = v.number
	default:
		n, err := strconv.ParseFloat(v.text, 64)
		if err == nil && !plainDecimal.MatchString(v.text) && !math.IsNaN(n) && !math.IsInf(n, 0) {
			// ParseFloat also reads hex ("0x1p4"), "Inf" and "NaN": no
			// program writing an amount for another means those.
			err = fmt.Errorf("amount %q is not a decimal number", truncate(v.text))
			if v.machine {
				return Money{}, err
			}
		}
		if v.machine && err == nil {
			m.Amount = n
			break
		}
		if v.machine && errors.Is(err, strconv.ErrRange) {
			return Money{}, fmt.Errorf("amount %q is out of range", truncate(v.text))
		}
		m, err = ParseMoney(v.text)
		if err != nil {
			return Money{}, err
		}
	}
	if math.IsNaN(m.Amount) || math.IsInf(m.Amount, 0) {
		return Money{}, fmt.Errorf("amount %v is not a finite number", m.Amount)
	}
	if m.Amount < 0 {
		return Money{}, fmt.Errorf("amount %v is negative", m.Amount)
	}
	return m, nil
}

func readDate(v value, loc *time.Location, bound DayBound) (time.Time, error) {
	if v.isNumber {
		return DateFromNumber(v.number)
	}
	return ParseDate(v.text, loc, bound)
}

// readCurrency accepts an ISO 4217 code in any case ("usd") or a symbol
// ParseMoney knows ("€").
func readCurrency(text string) (string, error) {
	s := strings.TrimSpace(text)
	if code := knownISOCode(strings.ToUpper(s)); code != "" && len(s) == 3 {
		return code, nil
	}
	for _, cs := range currencySymbols {
		if s == cs.symbol {
			return cs.code, nil
		}
	}
	return "", fmt.Errorf("%q is not a currency code or symbol", truncate(s))
}

// scaleAmount applies an amount scale. A scale below 1 (0.01 for cents)
// divides by its inverse, which is exact in floating point where
// multiplying by 0.01 is not: 6355571 cents are 63555.71, not
// 63555.710000000006.
func scaleAmount(amount, scale float64) float64 {
	switch {
	case scale == 0 || scale == 1:
		return amount
	case scale < 1:
		if inverse := math.Round(1 / scale); math.Abs(inverse*scale-1) < 1e-12 {
			return amount / inverse
		}
	}
	return amount * scale
}

// completeFromRemaining derives the target or the amount raised from the
// amount still needed (FieldRemaining), rounded to the decimals of the
// figures it comes from.
func completeFromRemaining(v *Values) error {
	if v.Remaining == nil {
		return nil
	}
	rem := *v.Remaining
	switch {
	case v.Target == nil && v.Raised != nil:
		t := roundLike(*v.Raised+rem, *v.Raised, rem)
		v.Target = &t
	case v.Raised == nil && v.Target != nil:
		r := roundLike(*v.Target-rem, *v.Target, rem)
		if r < 0 {
			return fmt.Errorf("field remaining: %v still needed is more than the target %v", rem, *v.Target)
		}
		v.Raised = &r
	}
	return nil
}

// roundLike rounds x to the most decimals any of from is written with.
func roundLike(x float64, from ...float64) float64 {
	decimals := 0
	for _, f := range from {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if i := strings.IndexByte(s, '.'); i >= 0 {
			decimals = max(decimals, len(s)-i-1)
		}
	}
	p := math.Pow(10, float64(decimals))
	return math.Round(x*p) / p
}
