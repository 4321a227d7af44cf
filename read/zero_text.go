package read

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// The visible-text rule of zero-config, and the page's text as people
// read it.

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

func zeroText(d *pageDoc) []zeroReading {
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
		if m, err := parseMoney(amount); err == nil && m.Currency != "" {
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
		if m, err := parseMoney(amount); away == "" && (err != nil || m.Currency == "") && !lineCurrency {
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
	m, err := parseMoney(text)
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
	m, err := parseMoney(text)
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
