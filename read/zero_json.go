package read

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/donation-exporter/donation_exporter/internal/textcut"
)

// The embedded-JSON rule of zero-config.

// Keys of embedded JSON objects that hold the amount raised and the goal,
// as platforms name them. An object counts only when it has one of each,
// so that a lone "amount" (a donation, a price) is never taken.
var (
	zeroRaisedKeys = []string{"currentAmount", "current_amount", "amountRaised", "amount_raised", "raisedAmount", "raised_amount", "totalRaised", "total_raised", "raised", "pledged", "donatedAmount", "donated_amount", "sumDonations", "funded_amount"}
	zeroGoalKeys   = []string{"goalAmount", "goal_amount", "goal", "target", "targetAmount", "target_amount", "fundraisingGoal", "loan_amount"}
	zeroDonorKeys  = []string{"donorCount", "donor_count", "donorsCount", "donors_count", "backersCount", "backers_count", "numDonors", "donationCount", "donation_count"}
)

func zeroJSON(d *pageDoc) []zeroReading {
	var values []*jsonValue
	if d.html == nil {
		values = []*jsonValue{d.json}
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
			return fmt.Sprintf("under the key %q", textcut.Head(k, 40))
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
	if len(at.keys) > maxJSONDepth {
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
