package grafana

import (
	"slices"
	"strings"
)

// MetricNames returns, sorted and without duplicates, the metric names a
// PromQL expression selects. It is a small scanner, not a parser: it skips
// strings, comments, label matchers, ranges, numbers, Grafana variables
// ($campaign, ${x}), function and aggregation names and the label lists of
// by/without/on/ignoring/group_left/group_right. Selectors that name the
// metric only through {__name__="..."} are not reported.
func MetricNames(expr string) []string {
	var names []string
	s := expr
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			i = skipString(s, i)
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '{':
			i = skipTo(s, i, '}')
		case c == '[':
			i = skipTo(s, i, ']')
		case c == '$':
			i++
			if i < len(s) && s[i] == '{' {
				i = skipTo(s, i, '}')
				break
			}
			for i < len(s) && isIdentChar(s[i]) {
				i++
			}
		case isDigit(c) || (c == '.' && i+1 < len(s) && isDigit(s[i+1])):
			// Numbers and durations: 0.5, 86400, 1e6, 3d, 1h30m.
			for i < len(s) && (isIdentChar(s[i]) || s[i] == '.') {
				i++
			}
		case isIdentStart(c):
			start := i
			for i < len(s) && isIdentChar(s[i]) {
				i++
			}
			word := s[start:i]
			next := nextNonSpace(s, i)
			switch {
			case isGroupingKeyword(word):
				if next < len(s) && s[next] == '(' {
					i = skipTo(s, next, ')')
				}
			case isKeyword(word):
			case next < len(s) && s[next] == '(':
				// A function or aggregation call.
			case startsWithWord(s[next:], "by") || startsWithWord(s[next:], "without"):
				// An aggregation with its grouping first: sum by (x) (...).
			default:
				names = append(names, word)
			}
		default:
			i++
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// skipString returns the index after the string literal starting at i.
func skipString(s string, i int) int {
	quote := s[i]
	for i++; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quote != '`':
			i++
		case s[i] == quote:
			return i + 1
		}
	}
	return len(s)
}

// skipTo returns the index after the first unquoted end at or after i.
func skipTo(s string, i int, end byte) int {
	for i++; i < len(s); {
		switch s[i] {
		case '"', '\'', '`':
			i = skipString(s, i)
		case end:
			return i + 1
		default:
			i++
		}
	}
	return len(s)
}

func nextNonSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) }

// isGroupingKeyword reports whether word takes a parenthesised list of label
// names.
func isGroupingKeyword(word string) bool {
	switch strings.ToLower(word) {
	case "by", "without", "on", "ignoring", "group_left", "group_right":
		return true
	}
	return false
}

// isKeyword reports whether word is a PromQL keyword that looks like an
// identifier but names no metric.
func isKeyword(word string) bool {
	switch strings.ToLower(word) {
	case "and", "or", "unless", "atan2", "bool", "offset", "inf", "nan":
		return true
	}
	return isGroupingKeyword(word)
}

// startsWithWord reports whether s starts with word (any case) as a whole
// identifier.
func startsWithWord(s, word string) bool {
	if len(s) < len(word) || !strings.EqualFold(s[:len(word)], word) {
		return false
	}
	return len(s) == len(word) || !isIdentChar(s[len(word)])
}
