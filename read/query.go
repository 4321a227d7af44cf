package read

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/theory/jsonpath"
	"github.com/tidwall/gjson"
)

// compiledQuery is a path into JSON, in one of two syntaxes:
//
//   - RFC 9535 JSONPath when it starts with "$": it can search by key at
//     any depth ("$..currentAmount.amount") and pick objects by what they
//     hold ("$..[?@.slug=='help-ahmad'].goalAmount.amount");
//   - otherwise a gjson path from the top of the value
//     ("feed.campaign.current_amount", "loans.0.funded_amount").
//
// A query is applied to the JSON values a page carries one after the
// other, in page order (see Find): a JSONPath query sees each value as
// the one element of the array $, so that "$..key" searches it at any
// depth and "$[0].key" or "$.*.key" reads a key at its top. A path
// that starts with a name ("$.key", "$['mov.donate.entity']") reads it at
// the top of the value too, as anyone writing JSONPath for the object they
// see means it: a name selects nothing in the array $ otherwise.
type compiledQuery struct {
	raw   string
	path  *jsonpath.Path // nil for a gjson path
	gjson string
	// fromTop is set for a JSONPath whose first segment is a name: it is
	// applied to the value itself.
	fromTop bool
}

// parseQuery reads a query.
func parseQuery(text string) (compiledQuery, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return compiledQuery{}, errors.New("empty JSON path")
	}
	if !strings.HasPrefix(text, "$") {
		return compiledQuery{raw: text, gjson: text}, nil
	}
	p, err := jsonpath.Parse(text)
	if err != nil {
		return compiledQuery{}, fmt.Errorf("JSONPath %q: %w", text, err)
	}
	return compiledQuery{raw: text, path: p, fromTop: startsWithName(text)}, nil
}

// startsWithName reports whether a JSONPath's first segment selects a
// member by name: "$.key" or "$['key']", not "$..", "$.*" or "$[0]".
func startsWithName(path string) bool {
	rest := strings.TrimLeft(path[1:], " \t")
	switch {
	case strings.HasPrefix(rest, "."):
		return len(rest) > 1 && rest[1] != '.' && rest[1] != '*'
	case strings.HasPrefix(rest, "["):
		inner := strings.TrimLeft(rest[1:], " \t")
		return strings.HasPrefix(inner, "'") || strings.HasPrefix(inner, `"`)
	}
	return false
}

// String returns the query as written.
func (q compiledQuery) String() string { return q.raw }

// queryMatch is what a query selected in one JSON value.
type queryMatch struct {
	// Nodes are the values selected: float64, string, bool, nil, or a
	// map or slice for objects and arrays.
	Nodes []any
	// Origin is where the JSON value holding them was found.
	Origin string
}

// errNoMatch is the error of a query or selector that selects nothing, so
// that a field with several selectors can go on to the next one.
var errNoMatch = errors.New("matched nothing")

// Find applies the query to each value in turn and returns what it
// selects in the first value where it selects anything. A value that does
// not decode is passed over.
func (q compiledQuery) Find(values []*jsonValue) (queryMatch, error) {
	for _, v := range values {
		nodes, err := q.selectIn(v)
		if err != nil || len(nodes) == 0 {
			continue
		}
		return queryMatch{Nodes: nodes, Origin: v.Origin}, nil
	}
	return queryMatch{}, fmt.Errorf("JSON path %q %w", q.raw, errNoMatch)
}

func (q compiledQuery) selectIn(v *jsonValue) ([]any, error) {
	if q.path == nil {
		r := gjson.Get(v.Text, q.gjson)
		if !r.Exists() {
			return nil, nil
		}
		return []any{gjsonValue(r)}, nil
	}
	decoded, err := v.Decoded()
	if err != nil {
		return nil, err
	}
	if q.fromTop {
		return q.path.Select(decoded), nil
	}
	return q.path.Select([]any{decoded}), nil
}

func gjsonValue(r gjson.Result) any {
	switch r.Type {
	case gjson.Number:
		return r.Num
	case gjson.String:
		return r.Str
	case gjson.True:
		return true
	case gjson.False:
		return false
	case gjson.Null:
		return nil
	}
	return r.Value()
}

// Pick says what to do when a query selects several values in one JSON
// value.
type Pick int

const (
	// PickSame takes the value when every node selected is the same
	// (a page often repeats a figure); different values are an error, since
	// one of them is some other campaign's.
	PickSame Pick = iota
	// PickLowest takes the lowest number ("the lowest goal not yet
	// reached").
	PickLowest
	// PickAny takes the first node, for selectors that only ask whether
	// the page has something.
	PickAny
	// PickSole takes the value only when every JSON value on the page
	// that the path selects anything in agrees on it: the fallback of a
	// preset that could not find the campaign's own object, where several
	// different figures mean several campaigns and none is known to be
	// the page's.
	PickSole
)

// ParsePick reads a Pick by name: "same" (or ""), "lowest" or "sole".
func ParsePick(name string) (Pick, error) {
	switch name {
	case "", "same":
		return PickSame, nil
	case "lowest":
		return PickLowest, nil
	case "sole":
		return PickSole, nil
	}
	return PickSame, fmt.Errorf("pick %q: want same, lowest or sole", name)
}

// FindSole applies the query to every value and returns what it selects
// when every node selected, in all of them, is the same scalar. Different
// ones are an error naming them and where each was found: candidates of
// which none is known to be the campaign's.
func (q compiledQuery) FindSole(values []*jsonValue) (queryMatch, error) {
	var first queryMatch
	type candidate struct {
		node   any
		origin string
	}
	var distinct []candidate
	for _, v := range values {
		nodes, err := q.selectIn(v)
		if err != nil || len(nodes) == 0 {
			continue
		}
		if first.Nodes == nil {
			first = queryMatch{Nodes: nodes[:1], Origin: v.Origin}
		}
		for _, n := range nodes {
			if !slices.ContainsFunc(distinct, func(c candidate) bool { return sameScalar(c.node, n) }) {
				distinct = append(distinct, candidate{n, v.Origin})
			}
		}
	}
	switch {
	case first.Nodes == nil:
		return queryMatch{}, fmt.Errorf("JSON path %q %w", q.raw, errNoMatch)
	case len(distinct) > 1:
		names := make([]string, 0, min(len(distinct), 4))
		for _, c := range distinct[:min(len(distinct), 4)] {
			names = append(names, fmt.Sprintf("%s in %s", describe(c.node), c.origin))
		}
		// Sorted: a descendant search over JSON objects finds them in no
		// fixed order, and the message should not change from run to run.
		slices.Sort(names)
		more := ""
		if len(distinct) > 4 {
			more = ", …"
		}
		return queryMatch{}, fmt.Errorf("%d candidates (%s%s) and none is known to be the campaign's own: %w", len(distinct), strings.Join(names, ", "), more, errAmbiguous)
	}
	return first, nil
}

// errAmbiguous marks a path that selects different values of which none
// can be told to be the campaign's.
var errAmbiguous = errors.New("narrow the path to the campaign's own object")

// One returns the one value m stands for under pick.
func (m queryMatch) One(pick Pick) (any, error) {
	if len(m.Nodes) == 1 {
		return m.Nodes[0], nil
	}
	switch pick {
	case PickAny:
		return m.Nodes[0], nil
	case PickLowest:
		lowest := math.Inf(1)
		for _, n := range m.Nodes {
			f, ok := n.(float64)
			if !ok {
				return nil, fmt.Errorf("%d values in %s, and %s is not a number: cannot take the lowest", len(m.Nodes), m.Origin, describe(n))
			}
			lowest = math.Min(lowest, f)
		}
		return lowest, nil
	default:
		first := m.Nodes[0]
		for _, n := range m.Nodes[1:] {
			if !sameScalar(first, n) {
				return nil, fmt.Errorf("ambiguous: %d different values (%s, %s, …) in %s; narrow the path to the campaign's own object", len(m.Nodes), describe(first), describe(n), m.Origin)
			}
		}
		return first, nil
	}
}

func sameScalar(a, b any) bool {
	switch a.(type) {
	case float64, string, bool, nil:
		return a == b
	}
	return false
}

// describe writes a node short, for error messages.
func describe(n any) string {
	switch v := n.(type) {
	case nil:
		return "null"
	case string:
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		return fmt.Sprintf("%q", v)
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprint(n)
}
