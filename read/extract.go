package read

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// extract reads every field of spec from the document, telling for each
// configured field (in the order of Fields()) which selectors were tried and
// what text was read. It reports every field that failed, each error
// naming the field and the selectors tried.
func extract(doc *pageDoc, spec Spec) (Values, []FieldTrace, error) {
	x := extraction{doc: doc, spec: spec, readings: map[Field]reading{}}
	for _, field := range fieldOrder {
		fs, ok := spec.Fields[field]
		if !ok || !fs.IsSet() {
			continue
		}
		tr := x.readOne(field, fs)
		if tr.Err != nil {
			x.errs = append(x.errs, tr.Err)
		}
		x.traces = append(x.traces, tr)
	}
	if spec.ZeroConfig {
		zeroTraces, zeroShown, zeroErrs := spec.zeroConfig(doc, &x.vals)
		x.traces = append(x.traces, zeroTraces...)
		x.shown = append(x.shown, zeroShown...)
		x.errs = append(x.errs, zeroErrs...)
	}
	if err := spec.currencyAgrees(x.vals.Currency, x.shown); err != nil {
		x.errs = append(x.errs, err)
	}
	if err := completeFromRemaining(&x.vals); err != nil {
		x.errs = append(x.errs, err)
	}
	x.vals.Notes = append(x.vals.Notes, spec.checkProgress(doc, x.readings)...)
	if x.vals.Currency == "" {
		x.vals.Currency = x.pageCurrency
	}
	if len(x.errs) > 0 {
		return x.vals, x.traces, fieldErrors(x.errs)
	}
	return x.vals, x.traces, nil
}

// extraction is one page's reading in progress: the figures so far, and
// what the checks between fields need.
type extraction struct {
	doc    *pageDoc
	spec   Spec
	vals   Values
	errs   []error
	traces []FieldTrace
	shown  []shownAmount // amounts whose text showed a currency, in field order
	// pageCurrency is the currency of the first configured field whose
	// text showed one: the currency when none is configured.
	pageCurrency string
	readings     map[Field]reading // for the progress bar's check
}

// readOne reads one configured field into x.vals and says how.
func (x *extraction) readOne(field Field, fs FieldSpec) FieldTrace {
	tr := FieldTrace{Field: field, Literal: fs.Literal}
	if fs.Literal == "" && fs.absent(x.doc) {
		return tr // the page says it legitimately lacks the field
	}
	v, from, fromPage, err := readField(x.doc, fs, &tr.Tries)
	switch {
	case errors.Is(err, errNoMatch) && fs.Optional:
		return tr // absent from this page: the field stays unknown
	case err != nil:
		tr.Err = fs.fieldError(field, err)
		return tr
	}
	tr.Text = v.String()
	m, err := x.spec.set(&x.vals, field, v, fromPage)
	if err != nil {
		if fs.Preset != "" {
			err = fmt.Errorf("selector %q: %w", from, err)
		}
		tr.Err = fs.fieldError(field, err)
		return tr
	}
	if m.Currency != "" {
		x.shown = append(x.shown, shownAmount{field: field, money: m, text: tr.Text})
		if x.pageCurrency == "" {
			x.pageCurrency = m.Currency
		}
	}
	if r, ok := readingOf(x.vals, field, v, from, fromPage); ok {
		x.readings[field] = r
		tr.Err = x.crossCheck(field, fs, r)
	}
	return tr
}

// crossCheck compares a reading with the other places the page shows the
// same figure: a difference is a note where the preset says which to
// report, and fails the field otherwise.
func (x *extraction) crossCheck(field Field, fs FieldSpec, r reading) error {
	differ := x.spec.crossCheck(x.doc, field, fs.Checks, r)
	switch {
	case len(differ) == 0:
		return nil
	case fs.ChecksNote:
		for _, d := range differ {
			x.vals.Notes = append(x.vals.Notes, fmt.Sprintf("%s: %s; reporting the first", field, d))
		}
		return nil
	}
	return fs.fieldError(field, fmt.Errorf("%s: the page shows two figures, and which is the campaign's cannot be told", strings.Join(differ, "; ")))
}

// shownAmount is an amount whose text showed a currency.
type shownAmount struct {
	field Field
	money parsedMoney
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
			from = spec.settingName(fs)
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
func (fs FieldSpec) absent(doc *pageDoc) bool {
	if len(fs.PresentIf) > 0 && !anyMatches(doc, fs.PresentIf) {
		return true
	}
	return anyMatches(doc, fs.AbsentIf)
}

func anyMatches(doc *pageDoc, sels []Selector) bool {
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
func readField(doc *pageDoc, fs FieldSpec, tries *[]SelectorTry) (v value, from string, fromPage bool, err error) {
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
func (spec Spec) set(vals *Values, field Field, v value, fromPage bool) (parsedMoney, error) {
	switch field.Holds() {
	case HoldsMoney:
		m, err := readAmount(v)
		if err != nil {
			return parsedMoney{}, err
		}
		if fromPage {
			m.Amount = scaleAmount(m.Amount, spec.AmountScale)
		}
		*vals.number(field) = &m.Amount
		return m, nil
	case HoldsCount:
		m, err := readAmount(v)
		if err != nil {
			return parsedMoney{}, err
		}
		if m.Amount != math.Trunc(m.Amount) {
			return parsedMoney{}, fmt.Errorf("donor count %v is not a whole number", m.Amount)
		}
		*vals.number(field) = &m.Amount
		return parsedMoney{}, nil
	case HoldsCurrency:
		code, err := readCurrency(v.text)
		if err != nil {
			return parsedMoney{}, err
		}
		vals.Currency = code
		return parsedMoney{}, nil
	case HoldsInstant:
		bound := StartOfDay
		if field == FieldDeadline {
			bound = EndOfDay
		}
		t, err := readDate(v, spec.location(), bound)
		if err != nil {
			return parsedMoney{}, err
		}
		*vals.instant(field) = &t
		return parsedMoney{}, nil
	}
	return parsedMoney{}, fmt.Errorf("unknown field %q", field)
}
