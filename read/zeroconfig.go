package read

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"golang.org/x/net/html"
)

// UndecidedError is a field zero-config could not read with confidence.
// The reader knows nothing of configuration: its caller names the setting
// that would say where the field is.
type UndecidedError struct {
	Field  Field
	Reason string
}

func (e *UndecidedError) Error() string {
	return fmt.Sprintf("zero-config: field %s: %s", e.Field, e.Reason)
}

// Zero-config reads a page no preset and no selector describes, from what
// donation pages commonly carry. Each rule (zero_json.go, zero_markup.go,
// zero_text.go) reads the page its own way; readings that are not the
// campaign's own are set aside (zero_whose.go); a figure is reported when
// two rules agree on it, or when one rule alone finds it and finds nothing
// else for it. Rules that disagree fail
// the field with what each found: a wrong figure is worse than none.

// zeroRule is one way of reading a page's figures.
type zeroRule struct {
	name string
	read func(d *pageDoc) []zeroReading
}

// zeroReading is what a rule read for one field.
type zeroReading struct {
	field Field
	// rule is the name of the rule that read it: readings are grouped by
	// the rules that agree on them.
	rule string
	r    reading // amount, margin, and where ("from")
	// currency is the one shown with an amount, if any, and sign how the
	// text wrote it.
	currency, sign string
	// node is the element it was read from, object the JSON object (an
	// identity, "" for none): a precise figure stands for a rounded one
	// only from the same owner.
	node   *html.Node
	object string
	// bar marks a progress bar's value, which counts as money only beside
	// money text.
	bar bool
	// away says why the reading is taken for another campaign's figure
	// or for no money figure at all; "" for the campaign's own.
	away string
}

var zeroRules = []zeroRule{
	{"embedded JSON (a raised and a goal key in one object)", zeroJSON},
	{"progress bar (role=progressbar, aria-valuenow of aria-valuemax)", zeroProgressbar},
	{"<progress value max>", zeroProgressElement},
	{"data-* amount attributes", zeroDataAttributes},
	{`visible text ("$3,235 raised of $10,000 goal", "63,416 backers")`, zeroText},
}

// zeroConfigFields are the fields zero-config reads.
var zeroConfigFields = []Field{FieldRaised, FieldTarget, FieldDonors}

// zeroConfig reads every zero-config field the spec does not configure
// into vals, and returns a trace for each, the amounts it kept that showed
// a currency, and its errors.
func (spec Spec) zeroConfig(doc *pageDoc, vals *Values) ([]FieldTrace, []shownAmount, []error) {
	var all []zeroReading
	for _, rule := range zeroRules {
		for _, zr := range rule.read(doc) {
			zr.rule = rule.name
			zr.r.from = rule.name + ": " + zr.r.from
			all = append(all, zr)
		}
	}
	markRepeated(all)
	markBars(all)
	var traces []FieldTrace
	var errs []error
	var shown []shownAmount
	for _, field := range zeroConfigFields {
		if fs, ok := spec.Fields[field]; ok && fs.IsSet() {
			continue
		}
		tr, fieldShown := zeroField(field, all, vals)
		if tr.Err != nil {
			errs = append(errs, tr.Err)
		}
		shown = append(shown, fieldShown...)
		traces = append(traces, tr)
	}
	currencies := map[string]bool{}
	for _, s := range shown {
		currencies[s.money.Currency] = true
	}
	if fs, ok := spec.Fields[FieldCurrency]; (!ok || !fs.IsSet()) && len(currencies) == 1 {
		for c := range currencies {
			vals.Currency = c
		}
	}
	return traces, shown, errs
}

// zeroField decides one field from all readings, stores it in vals, and
// returns its trace and the readings that agree with it and showed a
// currency.
func zeroField(field Field, all []zeroReading, vals *Values) (FieldTrace, []shownAmount) {
	var readings []zeroReading
	for _, zr := range all {
		if zr.field == field {
			readings = append(readings, zr)
		}
	}
	tr := FieldTrace{Field: field}
	best, err := decideZero(field, readings)
	tr.Tries = zeroTries(readings, best)
	switch {
	case err != nil:
		tr.Err = &UndecidedError{Field: field, Reason: err.Error()}
	case best == nil && field == FieldRaised && len(readings) > 0:
		tr.Err = &UndecidedError{Field: field, Reason: fmt.Sprintf("every amount found was set aside as not the campaign's own (%s)", asideReasons(readings))}
	case best == nil && field == FieldRaised:
		tr.Err = &UndecidedError{Field: field, Reason: fmt.Sprintf("none of the rules found an amount raised (%s)", ruleNames())}
	}
	if best == nil {
		return tr, nil
	}
	amount := best.r.amount
	tr.Text = formatNumber(amount)
	switch field {
	case FieldRaised:
		vals.Raised = &amount
	case FieldTarget:
		vals.Target = &amount
	case FieldDonors:
		vals.Donors = &amount
	}
	var shown []shownAmount
	for _, zr := range readings {
		if (zr.away == "" || confirmsOnly(zr)) && zr.currency != "" && agree(zr.r, best.r) {
			shown = append(shown, shownAmount{field: field, money: parsedMoney{Amount: zr.r.amount, Currency: zr.currency, Sign: zr.sign}, text: zr.r.from})
		}
	}
	return tr, shown
}

// asideReasons says, for an error, why the first readings were set aside.
func asideReasons(readings []zeroReading) string {
	var reasons []string
	for _, zr := range readings[:min(len(readings), 3)] {
		reasons = append(reasons, fmt.Sprintf("%s: %s", formatNumber(zr.r.amount), zr.away))
	}
	if len(readings) > 3 {
		reasons = append(reasons, "…")
	}
	return strings.Join(reasons, "; ")
}

func ruleNames() string {
	names := make([]string, len(zeroRules))
	for i, r := range zeroRules {
		names[i] = r.name
	}
	return strings.Join(names, "; ")
}

// zeroTries lists every reading of a field for the trace: the one taken,
// and for the others why they were set aside or not taken.
func zeroTries(readings []zeroReading, best *zeroReading) []SelectorTry {
	tries := make([]SelectorTry, 0, len(readings))
	for _, zr := range readings {
		try := SelectorTry{Selector: zr.r.from}
		switch {
		case zr.away != "":
			try.Err = fmt.Errorf("set aside, %s: %s", formatNumber(zr.r.amount), zr.away)
		case best != nil && !agree(zr.r, best.r):
			try.Err = fmt.Errorf("not taken, %s: another figure than %s", formatNumber(zr.r.amount), formatNumber(best.r.amount))
		case best != nil && zr.r.margin > best.r.margin:
			try.Err = fmt.Errorf("confirms %s to its precision (%s)", formatNumber(best.r.amount), formatNumber(zr.r.amount))
		}
		tries = append(tries, try)
	}
	return tries
}

// zeroGroup is readings that agree on a figure, with the most precise one
// standing for them.
type zeroGroup struct {
	best  zeroReading
	rules map[string]bool
	all   []zeroReading
}

// groupZero groups agreeing readings. A reading more precise than a group
// joins it only from the same element or object as one of its members: a
// hidden or foreign "1234.56" must not sharpen a headline's "$1.2K".
func groupZero(readings []zeroReading) []*zeroGroup {
	var groups []*zeroGroup
	for _, zr := range readings {
		if zr.away != "" {
			continue
		}
		var g *zeroGroup
		for _, cand := range groups {
			if agree(cand.best.r, zr.r) && (zr.r.margin == cand.best.r.margin || slices.ContainsFunc(cand.all, func(m zeroReading) bool { return sameOwner(m, zr) })) {
				g = cand
				break
			}
		}
		if g == nil {
			g = &zeroGroup{best: zr, rules: map[string]bool{}}
			groups = append(groups, g)
		}
		if zr.r.margin < g.best.r.margin {
			g.best = zr
		}
		g.rules[zr.rule] = true
		g.all = append(g.all, zr)
	}
	return groups
}

// familyZero folds groups that agree at the precision of the rounder one
// (a headline's "$13.2K" and a figure of 13,194 elsewhere) into one: they
// do not contradict each other. It stands for the most precise group that
// two rules support, or, when none is, for the roundest: what the page
// shows, to the precision it can be trusted.
func familyZero(groups []*zeroGroup) []*zeroGroup {
	var families [][]*zeroGroup
	for _, g := range groups {
		joined := false
		for i, f := range families {
			if slices.ContainsFunc(f, func(o *zeroGroup) bool { return agree(o.best.r, g.best.r) }) {
				families[i] = append(f, g)
				joined = true
				break
			}
		}
		if !joined {
			families = append(families, []*zeroGroup{g})
		}
	}
	out := make([]*zeroGroup, 0, len(families))
	for _, f := range families {
		sort.SliceStable(f, func(i, j int) bool { return f[i].best.r.margin < f[j].best.r.margin })
		pick := f[len(f)-1]
		for _, g := range f {
			if len(g.rules) >= 2 || len(f) == 1 {
				pick = g
				break
			}
		}
		merged := &zeroGroup{best: pick.best, rules: map[string]bool{}}
		for _, g := range f {
			for rule := range g.rules {
				merged.rules[rule] = true
			}
			merged.all = append(merged.all, g.all...)
		}
		out = append(out, merged)
	}
	return out
}

// decideZero takes the readings of one field: two rules that agree, or
// one rule whose readings all agree, give the figure; readings that
// disagree give an error listing them. Readings set aside take no part.
func decideZero(field Field, readings []zeroReading) (*zeroReading, error) {
	groups := familyZero(groupZero(readings))
	switch len(groups) {
	case 0:
		return nil, nil
	case 1:
		return &groups[0].best, nil
	}
	// Several figures: one that two rules agree on, and that no other
	// figure has as much support for, wins only when every other figure
	// comes from a single rule that also gave the winner; otherwise the
	// page says two things and nothing is reported.
	sort.SliceStable(groups, func(i, j int) bool { return len(groups[i].rules) > len(groups[j].rules) })
	top := groups[0]
	if len(top.rules) >= 2 && len(groups[1].rules) < len(top.rules) {
		ok := true
		for _, g := range groups[1:] {
			for rule := range g.rules {
				if !top.rules[rule] {
					ok = false
				}
			}
		}
		if ok {
			return &top.best, nil
		}
	}
	var found []string
	for _, g := range groups {
		for _, zr := range g.all {
			found = append(found, fmt.Sprintf("%s (%s)", formatNumber(zr.r.amount), zr.r.from))
		}
	}
	return nil, fmt.Errorf("the page gives different figures: %s", strings.Join(found, ", "))
}
