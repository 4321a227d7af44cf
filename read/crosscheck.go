package read

import (
	"fmt"
	"math"
	"strconv"
)

// A page often shows a figure twice: as data for programs (JSON, an
// attribute) and as text for people ("$65.0K raised"). The field reads the
// first; checks read the others and, when they disagree, say so in
// Values.Notes. Text for people is rounded, so two readings agree when
// they are within the precision each was written with.

// reading is an amount a field read, with the margin its text allows.
type reading struct {
	amount float64
	// margin is how far the true figure may be from amount: one unit of
	// the last digit shown ("$65.0K" is within 100 of 65,000, "$1.5
	// million" within 100,000), 0 for a number given exactly.
	margin float64
	from   string // the selector that read it; "" for a configured literal
}

// readingOf returns the amount field now has in vals, if it is an amount.
func readingOf(vals Values, field Field, v value, from string, fromPage bool) (reading, bool) {
	var p *float64
	switch field {
	case FieldRaised:
		p = vals.Raised
	case FieldTarget:
		p = vals.Target
	case FieldDonors:
		p = vals.Donors
	}
	if p == nil {
		return reading{}, false
	}
	r := reading{amount: *p, from: from}
	if fromPage {
		r.margin = margin(v, *p)
	}
	return r, true
}

// crossCheck reads field again with each check selector and describes
// each reading that differs from r. A check that matches nothing or reads
// no number is no evidence either way and is passed over.
func (spec Spec) crossCheck(doc *pageDoc, field Field, checks []Selector, r reading) []string {
	var differ []string
	for _, sel := range checks {
		c, ok := spec.readCheck(doc, sel, field != FieldDonors)
		if !ok || agree(r, c) {
			continue
		}
		differ = append(differ, fmt.Sprintf("%s read by %q, but %s by %q",
			formatNumber(r.amount), r.from, formatNumber(c.amount), c.from))
	}
	return differ
}

// checkProgress compares raised / target with the percentage the page
// shows. A bar that stops at 100% agrees with any ratio above it.
func (spec Spec) checkProgress(doc *pageDoc, readings map[Field]reading) []string {
	raised, okR := readings[FieldRaised]
	target, okT := readings[FieldTarget]
	if !okR || !okT || target.amount <= 0 {
		return nil
	}
	percent := 100 * raised.amount / target.amount
	// The relative margins of a quotient add up.
	relative := target.margin / target.amount
	if raised.amount > 0 {
		relative += raised.margin / raised.amount
	}
	r := reading{amount: percent, margin: percent * relative}
	var notes []string
	for _, sel := range spec.ProgressChecks {
		c, ok := spec.readCheck(doc, sel, false)
		if !ok || agree(r, c) || (c.amount >= 100 && percent >= 100) {
			continue
		}
		notes = append(notes, fmt.Sprintf("progress: raised / target is %s%%, but %q reads %s%%",
			strconv.FormatFloat(percent, 'g', 4, 64), c.from, formatNumber(c.amount)))
	}
	return notes
}

// readCheck reads an amount with a check selector, scaled like the
// field's amounts when scaled is true.
func (spec Spec) readCheck(doc *pageDoc, sel Selector, scaled bool) (reading, bool) {
	if !sel.appliesTo(doc.Kind()) {
		return reading{}, false
	}
	v, err := doc.selectValue(sel)
	if err != nil {
		return reading{}, false
	}
	m, err := readAmount(v)
	if err != nil {
		return reading{}, false
	}
	if scaled {
		m.Amount = scaleAmount(m.Amount, spec.AmountScale)
	}
	return reading{amount: m.Amount, margin: margin(v, m.Amount), from: sel.String()}, true
}

func agree(a, b reading) bool {
	slack := 1e-9 * math.Max(math.Abs(a.amount), math.Abs(b.amount))
	return math.Abs(a.amount-b.amount) <= a.margin+b.margin+slack
}

// margin is one unit of the last significant digit of the number v's text
// shows, at the magnitude of amount (the number after compact suffixes
// and scaling): "$65.0K" is 65,000 to three digits, so 100.
func margin(v value, amount float64) float64 {
	if v.isNumber || amount == 0 {
		return 0
	}
	start, end := numberSpan(v.text)
	if start < 0 {
		return 0
	}
	digits := 0
	for _, r := range v.text[start:end] {
		if isDigit(r) && (digits > 0 || r != '0') {
			digits++
		}
	}
	if digits == 0 {
		return 0
	}
	exponent := math.Floor(math.Log10(math.Abs(amount))) - float64(digits-1)
	return math.Pow(10, exponent)
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
