package read

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// The markup rules of zero-config: progress bars and data-* attributes.

// zeroProgressbar reads bars whose maximum is an amount, not 100 (a
// percentage says nothing of the amounts).
func zeroProgressbar(d *pageDoc) []zeroReading {
	return zeroBars(d, `[role=progressbar][aria-valuenow][aria-valuemax]`, "aria-valuenow", "aria-valuemax")
}

func zeroProgressElement(d *pageDoc) []zeroReading {
	return zeroBars(d, `progress[value][max]`, "value", "max")
}

func zeroBars(d *pageDoc, css, nowAttr, maxAttr string) []zeroReading {
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
		if m, err := parseMoney(attr(n, "aria-valuetext")); err == nil && m.Amount == now {
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

func zeroDataAttributes(d *pageDoc) []zeroReading {
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
