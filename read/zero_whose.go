package read

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/donation-exporter/donation_exporter/internal/textcut"
	"golang.org/x/net/html"
)

// Whose figure is it? Beside the campaign's own figures a page shows other
// campaigns' (cards of similar campaigns, a related campaign's JSON, a feed
// of single donations), counts that are not money (a bar of donors, a
// percentage drawn to 200 %) and goals that are not the money target. A
// reading zero-config cannot tell to be the campaign's own is set aside
// with the reason, which `check` shows; it neither gives a figure nor
// contradicts one.

// foreignWords, as words of a class, id or label, or of a JSON key, mark a
// block of other campaigns or of single donations.
var foreignWords = map[string]bool{
	"related": true, "similar": true, "recommended": true, "recommendation": true, "recommendations": true,
	"suggested": true, "suggestion": true, "suggestions": true, "carousel": true, "slider": true, "swiper": true,
	"slick": true, "trending": true, "popular": true, "explore": true, "discover": true, "nearby": true,
	"other": true, "others": true, "feed": true, "recent": true, "activity": true, "latest": true,
}

// feedWords mark a block of single donations in a page's markup; as JSON
// keys they say nothing (GoFundMe keeps its campaign under "feed").
var feedWords = map[string]bool{"feed": true, "recent": true, "activity": true, "latest": true}

// words splits a class list, an id or a JSON key into lower-case words:
// "relatedCampaigns", "similar_fundraisers", "card--recent" give
// related/campaigns, similar/fundraisers, card/recent.
func words(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, strings.ToLower(b.String()))
			b.Reset()
		}
	}
	prevLower := false
	for _, r := range s {
		switch {
		case !unicode.IsLetter(r):
			flush()
			prevLower = false
			continue
		case unicode.IsUpper(r) && prevLower:
			flush()
		}
		b.WriteRune(r)
		prevLower = unicode.IsLower(r)
	}
	flush()
	return out
}

// foreignWord returns the first word of a class list or id that marks
// another campaign's block or a feed of donations, or "".
func foreignWord(s string) string {
	for _, w := range words(s) {
		if foreignWords[w] {
			return w
		}
	}
	return ""
}

// foreignKey returns the first word of a JSON key that marks other
// campaigns, or "".
func foreignKey(s string) string {
	for _, w := range words(s) {
		if foreignWords[w] && !feedWords[w] {
			return w
		}
	}
	return ""
}

// awayNode says why a figure read inside n is taken for another
// campaign's: n or an element around it is hidden, an aside, navigation or
// a footer, or is named as a block of other campaigns. "" when nothing
// says so.
func awayNode(n *html.Node) string {
	for a := n; a != nil; a = a.Parent {
		if a.Type != html.ElementNode {
			continue
		}
		if hidden(a) {
			return "hidden (" + describeNode(a) + ")"
		}
		switch a.Data {
		case "aside", "nav", "footer":
			return "inside " + describeNode(a)
		}
		for _, at := range a.Attr {
			switch at.Key {
			case "class", "id", "aria-label", "data-testid", "data-section", "data-component":
				if w := foreignWord(at.Val); w != "" {
					return fmt.Sprintf("inside a %q block (%s)", w, describeNode(a))
				}
			}
		}
	}
	return ""
}

// describeNode writes an element short: <div class="related-campaigns">.
func describeNode(n *html.Node) string {
	s := "<" + n.Data
	for _, key := range []string{"id", "class"} {
		if v := attr(n, key); v != "" {
			s += fmt.Sprintf(" %s=%q", key, textcut.Head(v, 40))
		}
	}
	return s + ">"
}

// contains reports whether n is a or inside it.
func contains(a, n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == a {
			return true
		}
	}
	return false
}

// similarSiblings returns a and the elements beside it of the same tag
// and class: the cards of a list, the entries of a feed.
func similarSiblings(a *html.Node) []*html.Node {
	if a.Parent == nil {
		return nil
	}
	class := attr(a, "class")
	var out []*html.Node
	for c := a.Parent.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == a.Data && attr(c, "class") == class {
			out = append(out, c)
		}
	}
	return out
}

// markRepeated sets aside readings inside one of several similar elements
// of which another shows a different figure for the field: a list of
// campaign cards or of donations. Similar elements that all agree (a
// headline repeated for phones and for desktops) are the campaign's.
func markRepeated(readings []zeroReading) {
	for i := range readings {
		r := &readings[i]
		if r.node == nil || r.away != "" {
			continue
		}
		for a := r.node; a != nil && a.Parent != nil; a = a.Parent {
			if a.Type != html.ElementNode {
				continue
			}
			sims := similarSiblings(a)
			if len(sims) < 2 || !siblingDiffers(readings, r, a, sims) {
				continue
			}
			r.away = fmt.Sprintf("one of %d similar %s elements, which show different figures", len(sims), describeNode(a))
			break
		}
	}
}

func siblingDiffers(readings []zeroReading, r *zeroReading, a *html.Node, sims []*html.Node) bool {
	for _, s := range sims {
		if s == a {
			continue
		}
		for _, o := range readings {
			if o.field == r.field && o.node != nil && contains(s, o.node) && !agree(o.r, r.r) {
				return true
			}
		}
	}
	return false
}

// markBars sets aside progress-bar readings whose values carry no currency
// and that no money text around the bar agrees with: such a bar may count
// donors ("42 of 500 donors") or a percentage drawn past 100.
func markBars(readings []zeroReading) {
	for i := range readings {
		r := &readings[i]
		if !r.bar || r.away != "" || r.currency != "" {
			continue
		}
		if !moneyBeside(readings, r) {
			r.away = "a bar whose values carry no currency and that no money text beside it agrees with: it may count donors or a percentage"
		}
	}
}

// moneyBeside reports whether a text reading of the campaign's own with a
// currency, agreeing with one of the values of r's bar, sits within two
// levels around it (never the whole body).
func moneyBeside(readings []zeroReading, r *zeroReading) bool {
	around := r.node
	for range 2 {
		p := around.Parent
		if p == nil || p.Type != html.ElementNode || p.Data == "body" || p.Data == "html" {
			break
		}
		around = p
	}
	for _, b := range readings {
		if !b.bar || b.node != r.node {
			continue
		}
		// Either value of the bar agreeing with money text makes both
		// money: "$12,710 raised of $20,000" beside a bar whose maximum
		// is 20,000.
		for _, o := range readings {
			if o.field == b.field && !o.bar && o.away == "" && o.currency != "" && o.node != nil && contains(around, o.node) && agree(o.r, b.r) {
				return true
			}
		}
	}
	return false
}

// sameOwner reports whether two readings come from one element (or one
// inside the other) or one JSON object: only then may a precise figure
// stand for a rounded one.
func sameOwner(a, b zeroReading) bool {
	if a.object != "" || b.object != "" {
		return a.object == b.object
	}
	if a.node == nil || b.node == nil {
		return false
	}
	return contains(a.node, b.node) || contains(b.node, a.node)
}

// notMoneyGoal reports why a "goal" in line before the amount at
// [start:end] is not the money target: it counts donors or signatures, or
// it is a match, a stretch or a bonus goal. "" when it is.
func notMoneyGoal(line string, start, end int) string {
	before := strings.ToLower(line[max(0, start-24):start])
	for _, w := range words(before) {
		switch w {
		case "match", "matching", "matched", "stretch", "bonus", "donor", "donors", "signature", "signatures",
			"member", "members", "volunteer", "volunteers", "participant", "participants", "backer", "backers", "next":
			return fmt.Sprintf("a %q goal, not the money target", w)
		}
	}
	if w := countWordAfter(line[end:]); w != "" {
		return fmt.Sprintf("a goal of %s, not of money", w)
	}
	return ""
}

// countWordAfter returns the word after an amount when it says the amount
// counts something other than money ("500 donors").
func countWordAfter(rest string) string {
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return ""
	}
	switch w := strings.ToLower(strings.TrimRight(fields[0], ".,;:!)")); w {
	case "donors", "donor", "backers", "supporters", "signatures", "people", "members", "participants",
		"volunteers", "donations", "gifts", "patrons", "contributors", "miles", "km", "hours", "meals", "trees", "steps":
		return w
	}
	return ""
}

// confirmsOnly reports whether a reading set aside for where it sits (an
// aside, navigation, a footer) still tells the currency of a figure it
// agrees with: platforms put their own sidebar in an <aside>.
func confirmsOnly(zr zeroReading) bool {
	return strings.HasPrefix(zr.away, "inside <")
}

// singleDonation reports whether the text after "$50 donated" names a donor
// or a time, as a feed of donations does ("$50 donated · Ann", "$25
// donated by Sam 2 hours ago").
func singleDonation(verb, rest string) bool {
	if !strings.EqualFold(verb, "donated") {
		return false
	}
	rest = strings.TrimSpace(rest)
	for _, p := range []string{"·", "•", "|", "-", "–", "by ", "from ", "By ", "From "} {
		if strings.HasPrefix(rest, p) {
			return true
		}
	}
	return strings.Contains(strings.ToLower(rest), " ago")
}
