// Package promqltest reads PromQL expressions for tests: which metrics a
// dashboard panel or a rule selects. It uses the Prometheus PromQL parser,
// which is a large module; only tests may import this package, and
// TestParserStaysOutOfTheBinary checks the exporter binary does not link it.
package promqltest

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// MetricNames returns, sorted and without duplicates, the metric names the
// PromQL expression expr selects, whether written as name{...} or only as
// {__name__="name"}. Grafana variables ($campaign, ${campaign},
// ${campaign:regex}, $__rate_interval, ...) are replaced by valid PromQL
// first (see withoutGrafanaVariables). An expression that does not parse, or a
// selector that does not name exactly one metric ({job="x"},
// {__name__=~"donation_.*"}), is an error: a test cannot tell which metrics
// such a query needs.
func MetricNames(expr string) ([]string, error) {
	parsable := withoutGrafanaVariables(expr)
	node, err := parser.NewParser(parser.Options{}).ParseExpr(parsable)
	if err != nil {
		if parsable != expr {
			return nil, fmt.Errorf("parse %q (as %q, Grafana variables replaced): %w", expr, parsable, err)
		}
		return nil, fmt.Errorf("parse %q: %w", expr, err)
	}
	var names []string
	var errs []error
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			name, err := metricName(vs)
			if err != nil {
				errs = append(errs, err)
			} else {
				names = append(names, name)
			}
		}
		return nil
	})
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%q: %w", expr, err)
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// metricName returns the one metric name vs selects. The parser turns a name
// written before the braces into a __name__ matcher, so both spellings end
// up here.
func metricName(vs *parser.VectorSelector) (string, error) {
	var nameMatchers []*labels.Matcher
	for _, m := range vs.LabelMatchers {
		if m.Name == model.MetricNameLabel {
			nameMatchers = append(nameMatchers, m)
		}
	}
	if len(nameMatchers) != 1 || nameMatchers[0].Type != labels.MatchEqual {
		return "", fmt.Errorf("selector %s does not name exactly one metric", vs)
	}
	return nameMatchers[0].Value, nil
}

// grafanaVariable matches a Grafana variable at the start of a string:
// $name, ${name} or ${name:format}. Group 1 or 2 is the name.
var grafanaVariable = regexp.MustCompile(`^(?:\$([A-Za-z0-9_]+)|\$\{([A-Za-z0-9_]+)(?::[^}]*)?\})`)

// numberStandIn replaces a Grafana variable outside string literals. PromQL
// reads a number both as a number (> $threshold, $__range_s) and as a duration
// in seconds ([$__rate_interval], [$__range], offset $__interval), the places
// Grafana variables go outside label matchers.
const numberStandIn = "300"

// withoutGrafanaVariables returns expr with each Grafana variable replaced by
// PromQL that parses: inside a string literal (a label matcher's value, which
// may be a regular expression) by the variable's name, which is a valid label
// value and regular expression that does not match the empty string (the
// parser rejects a selector whose matchers all match it); outside one by
// numberStandIn. Comments are copied unchanged, and a quote inside one does
// not start a string.
func withoutGrafanaVariables(expr string) string {
	var out strings.Builder
	var quote byte // the quote of the string literal being copied; 0 outside one
	for i := 0; i < len(expr); {
		c := expr[i]
		if c == '$' {
			if m := grafanaVariable.FindStringSubmatch(expr[i:]); m != nil {
				switch {
				case quote == 0:
					out.WriteString(numberStandIn)
				case m[1] != "":
					out.WriteString(m[1])
				default:
					out.WriteString(m[2])
				}
				i += len(m[0])
				continue
			}
		}
		n := 1
		switch {
		case quote != 0 && c == '\\' && quote != '`':
			n = min(2, len(expr)-i) // an escaped character, perhaps the quote
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\'' || c == '`'):
			quote = c
		case quote == 0 && c == '#':
			n = len(expr) - i
			if end := strings.IndexByte(expr[i:], '\n'); end >= 0 {
				n = end
			}
		}
		out.WriteString(expr[i : i+n])
		i += n
	}
	return out.String()
}
