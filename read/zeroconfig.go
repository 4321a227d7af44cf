package read

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// Zero-config reads a page no preset and no selector describes, from what
// donation pages commonly carry. Each rule below reads the page its own
// way; a figure is reported when two rules agree on it, or when one rule
// alone finds it and finds nothing else for it. Rules that disagree fail
// the field with what each found: a wrong figure is worse than none.

// zeroRule is one way of reading a page's figures.
type zeroRule struct {
	name string
	read func(d *Document) []zeroReading
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
func (spec Spec) zeroConfig(doc *Document, vals *Values) ([]FieldTrace, []shownAmount, []error) {
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
		tr.Err = fmt.Errorf("zero-config: field %s: %w", field, err)
	case best == nil && field == FieldRaised && len(readings) > 0:
		tr.Err = fmt.Errorf("zero-config: field raised: every amount found was set aside as not the campaign's own (%s); give RAISED_SELECTOR or PLATFORM", asideReasons(readings))
	case best == nil && field == FieldRaised:
		tr.Err = fmt.Errorf("zero-config: field raised: none of the rules found an amount raised (%s); give RAISED_SELECTOR or PLATFORM", ruleNames())
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
			shown = append(shown, shownAmount{field: field, money: Money{Amount: zr.r.amount, Currency: zr.currency, Sign: zr.sign}, text: zr.r.from})
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
	return nil, fmt.Errorf("the page gives different figures: %s; give %s_SELECTOR or PLATFORM to say which", strings.Join(found, ", "), strings.ToUpper(string(field)))
}

// Keys of embedded JSON objects that hold the amount raised and the goal,
// as platforms name them. An object counts only when it has one of each,
// so that a lone "amount" (a donation, a price) is never taken.
var (
	zeroRaisedKeys = []string{"currentAmount", "current_amount", "amountRaised", "amount_raised", "raisedAmount", "raised_amount", "totalRaised", "total_raised", "raised", "pledged", "donatedAmount", "donated_amount", "sumDonations", "funded_amount"}
	zeroGoalKeys   = []string{"goalAmount", "goal_amount", "goal", "target", "targetAmount", "target_amount", "fundraisingGoal", "loan_amount"}
	zeroDonorKeys  = []string{"donorCount", "donor_count", "donorsCount", "donors_count", "backersCount", "backers_count", "numDonors", "donationCount", "donation_count"}
)

func zeroJSON(d *Document) []zeroReading {
	var values []*JSONValue
	if d.html == nil {
		values = []*JSONValue{d.json}
	} else {
		values, _ = d.pageJSON()
	}
	var out []zeroReading
	for _, v := range values {
		decoded, err := v.Decoded()
		if err != nil {
			continue
		}
		nodeAway := ""
		if v.node != nil {
			nodeAway = awayNode(v.node)
		}
		walkJSON(decoded, jsonPlace{}, func(obj map[string]any, at jsonPlace) {
			raised, rKey, okR := jsonAmount(obj, zeroRaisedKeys)
			goal, gKey, okG := jsonAmount(obj, zeroGoalKeys)
			if !okR || !okG {
				return
			}
			away := nodeAway
			if away == "" {
				away = at.away(raised)
			}
			id := fmt.Sprintf("%p", obj)
			add := func(field Field, amount float64, key string) {
				out = append(out, zeroReading{field: field, node: v.node, object: id, away: away,
					r: reading{amount: amount, from: v.Origin + " ." + key}})
			}
			add(FieldRaised, raised, rKey)
			add(FieldTarget, goal, gKey)
			if n, key, ok := jsonAmount(obj, zeroDonorKeys); ok && n == float64(int64(n)) {
				add(FieldDonors, n, key)
			}
		})
	}
	return out
}

// jsonPlace is where an object sits in a JSON value: the keys above it,
// and the array it is an element of, if any.
type jsonPlace struct {
	keys  []string
	array []any
}

// away says why the object at p, whose amount raised is raised, is taken
// for another campaign's: a key above it names other campaigns
// ("relatedCampaigns"), or it is one of several campaign objects in an
// array that show different amounts.
func (p jsonPlace) away(raised float64) string {
	for _, k := range p.keys {
		if w := foreignKey(k); w != "" {
			return fmt.Sprintf("under the key %q", truncateTo(k, 40))
		}
	}
	campaigns, differ := 0, false
	for _, e := range p.array {
		obj, ok := e.(map[string]any)
		if !ok {
			continue
		}
		r, _, okR := jsonAmount(obj, zeroRaisedKeys)
		if _, _, okG := jsonAmount(obj, zeroGoalKeys); okR && okG {
			campaigns++
			differ = differ || r != raised
		}
	}
	if campaigns >= 2 && differ {
		return fmt.Sprintf("one of %d campaign objects in an array, which show different amounts", campaigns)
	}
	return ""
}

// walkJSON calls f on every object in v, with where it sits.
func walkJSON(v any, at jsonPlace, f func(map[string]any, jsonPlace)) {
	if len(at.keys) > MaxJSONDepth {
		return
	}
	switch n := v.(type) {
	case map[string]any:
		f(n, at)
		for k, c := range n {
			walkJSON(c, jsonPlace{keys: append(slices.Clip(at.keys), k)}, f)
		}
	case []any:
		for _, c := range n {
			walkJSON(c, jsonPlace{keys: append(slices.Clip(at.keys), "[]"), array: n}, f)
		}
	}
}

// jsonAmount reads the first of keys that obj has as an amount: a number,
// a numeric string, or an object with a numeric "amount".
func jsonAmount(obj map[string]any, keys []string) (float64, string, bool) {
	for _, k := range keys {
		switch v := obj[k].(type) {
		case float64:
			return v, k, v >= 0
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 {
				return f, k, true
			}
		case map[string]any:
			if f, ok := v["amount"].(float64); ok && f >= 0 {
				return f, k + ".amount", true
			}
		}
	}
	return 0, "", false
}

// zeroProgressbar reads bars whose maximum is an amount, not 100 (a
// percentage says nothing of the amounts).
func zeroProgressbar(d *Document) []zeroReading {
	return zeroBars(d, `[role=progressbar][aria-valuenow][aria-valuemax]`, "aria-valuenow", "aria-valuemax")
}

func zeroProgressElement(d *Document) []zeroReading {
	return zeroBars(d, `progress[value][max]`, "value", "max")
}

func zeroBars(d *Document, css, nowAttr, maxAttr string) []zeroReading {
	if d.html == nil {
		return nil
	}
	var out []zeroReading
	for _, n := range d.html.Find(css).Nodes {
		now, errNow := strconv.ParseFloat(strings.TrimSpace(attr(n, nowAttr)), 64)
		maximum, errMax := strconv.ParseFloat(strings.TrimSpace(attr(n, maxAttr)), 64)
		if errNow != nil || errMax != nil || maximum <= 100 || now < 0 || now != now || maximum != maximum {
			continue
		}
		from := fmt.Sprintf("%s=%s of %s", nowAttr, attr(n, nowAttr), attr(n, maxAttr))
		// A bar that says its value in money ("$12,710 raised") carries
		// its currency; otherwise money text beside it must agree.
		currency := ""
		if m, err := ParseMoney(attr(n, "aria-valuetext")); err == nil && m.Amount == now {
			currency = m.Currency
		}
		away := awayNode(n)
		out = append(out,
			zeroReading{field: FieldRaised, node: n, bar: true, currency: currency, away: away, r: reading{amount: now, from: from}},
			zeroReading{field: FieldTarget, node: n, bar: true, currency: currency, away: away, r: reading{amount: maximum, from: from}})
	}
	return out
}

var (
	zeroRaisedAttrs = []string{"data-raised", "data-pledged", "data-amount-raised", "data-current-amount", "data-total-raised"}
	zeroGoalAttrs   = []string{"data-goal", "data-target", "data-goal-amount"}
	zeroDonorAttrs  = []string{"data-backers-count", "data-donors-count", "data-donor-count", "data-donors"}
)

func zeroDataAttributes(d *Document) []zeroReading {
	if d.html == nil {
		return nil
	}
	var out []zeroReading
	for _, group := range []struct {
		field Field
		attrs []string
	}{{FieldRaised, zeroRaisedAttrs}, {FieldTarget, zeroGoalAttrs}, {FieldDonors, zeroDonorAttrs}} {
		for _, a := range group.attrs {
			for _, n := range d.html.Find("[" + a + "]").Nodes {
				f, err := strconv.ParseFloat(strings.TrimSpace(attr(n, a)), 64)
				if err != nil || f < 0 || f != f {
					continue
				}
				if group.field == FieldDonors && f != float64(int64(f)) {
					continue
				}
				out = append(out, zeroReading{field: group.field, node: n, away: awayNode(n),
					r: reading{amount: f, from: fmt.Sprintf("%s=%q", a, attr(n, a))}})
			}
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// moneyText matches an amount as people write it: a currency sign or
// code, digits with separators, a compact suffix ("$35K", "€1.5 million",
// "1.234,56 €").
const moneyText = `(?:[A-Z]{2}\$|[A-Z]{3}\s?|[$€£¥₹])?\s?\d[\d.,\x{a0}\x{202f}' ]*(?:\s?(?:[KkMm]|million|Mio\.?))?(?:\s?(?:[A-Z]{3}\b|[€£$]))?`

var (
	// "$3,235 raised of $10,000 goal", "£13,194 raised", "$3,235 USD
	// raised", "Raised: $3,235".
	zeroRaisedText = regexp.MustCompile(`(?i)(` + moneyText + `)\s*(?:raised|pledged|collected|donated)\b|\braised\s*:\s*(` + moneyText + `)`)
	// "raised of $10,000 goal", "pledged of $55,000 goal", "raised of
	// 1.8K", "32% of $10,000 goal", "£35K goal · 498 donations", "Goal:
	// $10,000".
	zeroGoalText = regexp.MustCompile(`(?i)(?:raised|pledged|collected|funded)\s+of\s+(` + moneyText + `)` +
		`|\bof\s+(?:the\s+|our\s+|a\s+)?(` + moneyText + `)\s*(?:goal|target)\b` +
		`|(?:^|[·|,]\s+)(` + moneyText + `)\s*(?:goal|target)\b` +
		`|\b(?:goal|target)(?:\s+of|\s*:)\s*(` + moneyText + `)`)
	// "63,416 backers", "498 donations", "34 supporters", "Backers 77".
	zeroDonorText = regexp.MustCompile(`(?i)(?:^|[\s·|,(])(\d[\d,.\x{a0} ]*)\s*(?:backers|donors|donations|supporters|contributors|patrons|gifts)\b` +
		`|\b(?:backers|donors|supporters|contributors|patrons)\s*:?\s*(\d[\d,.\x{a0}]*)\s*$`)
	// "42 of 500 donors": the first count is who gave.
	zeroDonorOfText = regexp.MustCompile(`(?i)(?:^|[\s·|,(])(\d[\d,.\x{a0}]*)\s+(?:of|out of|/)\s+\d[\d,.\x{a0}]*\s*(?:backers|donors|supporters|contributors|patrons)\b`)
	// A line that is only a count, the line after it the word.
	zeroCountLine = regexp.MustCompile(`^\d[\d,.\x{a0} ]*$`)
	zeroCountWord = regexp.MustCompile(`(?i)^(backers|donors|donations|supporters|contributors|patrons)\b`)
	// A line that begins "pledged of $X goal" follows the amount pledged.
	zeroAmountLine = regexp.MustCompile(`^` + moneyText + `$`)
	zeroOfGoalLine = regexp.MustCompile(`(?i)^(?:raised|pledged)\s+of\b`)
)

// submatch is the one group of a FindStringSubmatchIndex match that
// matched.
func submatch(s string, loc []int) string {
	for i := 2; i+1 < len(loc); i += 2 {
		if loc[i] >= 0 {
			return s[loc[i]:loc[i+1]]
		}
	}
	return ""
}

func zeroText(d *Document) []zeroReading {
	if d.html == nil {
		return nil
	}
	lines := visibleLines(d.html.Nodes[0])
	var out []zeroReading
	for i, line := range lines {
		out = append(out, textReadings(line)...)
		if i+1 < len(lines) {
			next := lines[i+1]
			joined := textLine{text: line.text + " / " + next.text, node: line.node}
			if zeroCountLine.MatchString(line.text) && zeroCountWord.MatchString(next.text) {
				out = appendCount(out, line.text, joined)
			}
			if zeroAmountLine.MatchString(line.text) && zeroOfGoalLine.MatchString(next.text) {
				out = appendMoney(out, FieldRaised, line.text, joined, "")
			}
		}
	}
	return out
}

// textReadings reads one line of visible text.
func textReadings(line textLine) []zeroReading {
	var out []zeroReading
	text := line.text
	lineCurrency := false
	for _, loc := range zeroRaisedText.FindAllStringSubmatchIndex(text, -1) {
		// "of $20,000 pledged" is the goal, said the other way round.
		if strings.HasSuffix(strings.ToLower(strings.TrimSpace(text[:loc[0]])), " of") {
			continue
		}
		amount := submatch(text, loc)
		if m, err := ParseMoney(amount); err == nil && m.Currency != "" {
			lineCurrency = true
		}
		away := ""
		if verb := lastWord(text[loc[0]:loc[1]]); singleDonation(verb, text[loc[1]:]) {
			away = "a single donation (a donor or a time follows it)"
		}
		out = appendMoney(out, FieldRaised, amount, line, away)
	}
	for _, loc := range zeroGoalText.FindAllStringSubmatchIndex(text, -1) {
		amount := submatch(text, loc)
		away := notMoneyGoal(text, loc[0], loc[1])
		if m, err := ParseMoney(amount); away == "" && (err != nil || m.Currency == "") && !lineCurrency {
			away = "a goal without a currency, on a line with no money: it may count something else"
		}
		out = appendMoney(out, FieldTarget, amount, line, away)
	}
	for _, loc := range zeroDonorOfText.FindAllStringSubmatchIndex(text, -1) {
		// "42 of 500 donors": 42 have given, 500 is a goal of donors.
		out = appendCount(out, submatch(text, loc), line)
	}
	for _, loc := range zeroDonorText.FindAllStringSubmatchIndex(text, -1) {
		before := strings.ToLower(text[:loc[0]])
		if strings.HasSuffix(strings.TrimSpace(before), " of") || strings.TrimSpace(before) == "of" {
			continue
		}
		if w := words(before[max(0, len(before)-16):]); slices.Contains(w, "goal") || slices.Contains(w, "target") {
			continue
		}
		out = appendCount(out, submatch(text, loc), line)
	}
	return out
}

func lastWord(s string) string {
	ws := strings.Fields(s)
	if len(ws) == 0 {
		return ""
	}
	return ws[len(ws)-1]
}

func appendMoney(out []zeroReading, field Field, text string, line textLine, away string) []zeroReading {
	m, err := ParseMoney(text)
	if err != nil || m.Amount < 0 {
		return out
	}
	if away == "" {
		away = awayNode(line.node)
	}
	v := value{text: strings.TrimSpace(text)}
	return append(out, zeroReading{field: field, currency: m.Currency, sign: m.Sign, node: line.node, away: away,
		r: reading{amount: m.Amount, margin: margin(v, m.Amount), from: strconv.Quote(truncate(line.text))}})
}

func appendCount(out []zeroReading, text string, line textLine) []zeroReading {
	m, err := ParseMoney(text)
	if err != nil || m.Amount != float64(int64(m.Amount)) || m.Currency != "" {
		return out
	}
	return append(out, zeroReading{field: FieldDonors, node: line.node, away: awayNode(line.node),
		r: reading{amount: m.Amount, from: strconv.Quote(truncate(line.text))}})
}

// invisible are elements whose text people do not read as the page.
var invisible = []string{"script", "style", "noscript", "template", "head", "svg", "button", "select", "option", "textarea"}

// blocks start a new line of text.
var blocks = []string{"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset", "figcaption",
	"figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
	"pre", "section", "table", "td", "th", "tr", "ul"}

// textLine is a line of a page's visible text and the innermost block
// element it belongs to.
type textLine struct {
	text string
	node *html.Node
}

// visibleLines returns the page's text as people read it, a line per
// block, skipping what is hidden (hidden, aria-hidden, display:none): a
// page often keeps a template for every state ("Funding Unsuccessful")
// beside the one shown.
func visibleLines(root *html.Node) []textLine {
	var lines []textLine
	var b strings.Builder
	flush := func(block *html.Node) {
		if line := strings.Join(strings.Fields(b.String()), " "); line != "" {
			lines = append(lines, textLine{text: line, node: block})
		}
		b.Reset()
	}
	var walk func(n, block *html.Node)
	walk = func(n, block *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			if slices.Contains(invisible, n.Data) || hidden(n) {
				return
			}
		}
		inner := block
		if n.Type == html.ElementNode && slices.Contains(blocks, n.Data) {
			flush(block)
			inner = n
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inner)
		}
		if inner != block {
			flush(inner)
		}
	}
	walk(root, root)
	flush(root)
	return lines
}

func hidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		case "style":
			style := strings.ReplaceAll(strings.ToLower(a.Val), " ", "")
			if strings.Contains(style, "display:none") || strings.Contains(style, "visibility:hidden") {
				return true
			}
		case "class":
			if hiddenByClass(a.Val) {
				return true
			}
		}
	}
	return false
}

// hiddenByClass reports a class list that hides an element on every
// screen: "hidden" or "d-none" without a responsive class that shows it
// again ("hidden md:block", "d-none d-lg-flex").
func hiddenByClass(classes string) bool {
	hides, shows := false, false
	for _, c := range strings.Fields(classes) {
		switch {
		case c == "hidden" || c == "d-none" || c == "is-hidden" || c == "invisible":
			hides = true
		case strings.Contains(c, ":") || strings.HasPrefix(c, "d-") && c != "d-none":
			shows = true
		}
	}
	return hides && !shows
}
