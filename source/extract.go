package source

import (
	"errors"
	"fmt"
	"math"
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
)

// Fields lists every field in the order they are read and reported.
var Fields = []Field{FieldRaised, FieldTarget, FieldCurrency, FieldStart, FieldDeadline, FieldDonors}

// FieldSpec says how to get one field: a literal from the configuration, or
// selectors tried in order until one matches. An empty FieldSpec leaves the
// field unknown.
type FieldSpec struct {
	Literal   string
	Selectors []Selector
	// Optional fields that no selector matches stay unknown instead of
	// failing the scrape.
	Optional bool
}

// IsSet reports whether the field has a literal or a selector.
func (f FieldSpec) IsSet() bool { return f.Literal != "" || len(f.Selectors) > 0 }

// Spec says how to read a campaign's figures out of its page.
type Spec struct {
	Fields map[Field]FieldSpec
	// AmountScale multiplies amounts read from the page (not literals):
	// 0.01 for an API that gives cents.
	AmountScale float64
	// Location is the time zone of dates written without an offset.
	Location *time.Location
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
}

// Extract reads every field of spec from the document. It reports every
// field that failed, each error naming the field and the selectors tried.
func Extract(doc *Document, spec Spec) (Values, error) {
	vals, _, err := ExtractTrace(doc, spec)
	return vals, err
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

// ExtractTrace is Extract, also telling for each configured field (in the
// order of Fields) which selectors were tried and what text was read.
func ExtractTrace(doc *Document, spec Spec) (Values, []FieldTrace, error) {
	var vals Values
	var errs []error
	var traces []FieldTrace
	pageCurrency := ""
	for _, field := range Fields {
		fs, ok := spec.Fields[field]
		if !ok || !fs.IsSet() {
			continue
		}
		tr := FieldTrace{Field: field, Literal: fs.Literal}
		v, fromPage, err := readField(doc, fs, &tr.Tries)
		switch {
		case errors.Is(err, errNoMatch) && fs.Optional:
			// Absent from this page: the field stays unknown.
		case err != nil:
			tr.Err = fmt.Errorf("field %s: %w", field, err)
		default:
			tr.Text = v.String()
			cur, err := spec.set(&vals, field, v, fromPage)
			if err != nil {
				tr.Err = fmt.Errorf("field %s: %w", field, err)
			} else if pageCurrency == "" {
				pageCurrency = cur
			}
		}
		if tr.Err != nil {
			errs = append(errs, tr.Err)
		}
		traces = append(traces, tr)
	}
	if vals.Currency == "" {
		vals.Currency = pageCurrency
	}
	if len(errs) > 0 {
		return vals, traces, fieldErrors(errs)
	}
	return vals, traces, nil
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

// readField returns the field's literal, or what the first matching
// selector reads. fromPage tells the two apart. Each selector tried is
// appended to tries.
func readField(doc *Document, fs FieldSpec, tries *[]SelectorTry) (v value, fromPage bool, err error) {
	if fs.Literal != "" {
		return value{text: fs.Literal, machine: true}, false, nil
	}
	var tried []string
	var lastErr error
	for _, sel := range fs.Selectors {
		v, err := doc.selectValue(sel)
		*tries = append(*tries, SelectorTry{Selector: sel.String(), Err: err})
		if err == nil {
			return v, true, nil
		}
		lastErr = fmt.Errorf("selector %q: %w", sel.String(), err)
		if !errors.Is(err, errNoMatch) {
			return value{}, true, lastErr
		}
		tried = append(tried, fmt.Sprintf("%q (%v)", sel.String(), err))
	}
	if len(tried) == 1 {
		return value{}, true, lastErr
	}
	return value{}, true, fmt.Errorf("%w by any selector tried: %s", errNoMatch, strings.Join(tried, ", "))
}

// set interprets v as field and stores it in vals. It returns the currency
// a money text showed, if any.
func (spec Spec) set(vals *Values, field Field, v value, fromPage bool) (string, error) {
	switch field {
	case FieldRaised, FieldTarget:
		m, err := readAmount(v)
		if err != nil {
			return "", err
		}
		if fromPage && spec.AmountScale != 0 {
			m.Amount *= spec.AmountScale
		}
		if field == FieldRaised {
			vals.Raised = &m.Amount
		} else {
			vals.Target = &m.Amount
		}
		return m.Currency, nil
	case FieldDonors:
		m, err := readAmount(v)
		if err != nil {
			return "", err
		}
		if m.Amount != math.Trunc(m.Amount) {
			return "", fmt.Errorf("donor count %v is not a whole number", m.Amount)
		}
		vals.Donors = &m.Amount
		return "", nil
	case FieldCurrency:
		code, err := readCurrency(v.text)
		if err != nil {
			return "", err
		}
		vals.Currency = code
		return "", nil
	case FieldStart, FieldDeadline:
		bound := StartOfDay
		if field == FieldDeadline {
			bound = EndOfDay
		}
		t, err := readDate(v, spec.location(), bound)
		if err != nil {
			return "", err
		}
		if field == FieldStart {
			vals.Start = &t
		} else {
			vals.Deadline = &t
		}
		return "", nil
	}
	return "", fmt.Errorf("unknown field %q", field)
}

func (spec Spec) location() *time.Location {
	if spec.Location == nil {
		return time.UTC
	}
	return spec.Location
}

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
