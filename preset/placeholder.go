package preset

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// placeholder is a variable in a page pattern, an endpoint or a selector:
// {name}, or {name:regexp} where the value goes into a regular expression
// (see regexpOf).
var placeholder = regexp.MustCompile(`\{([a-z][a-z0-9_]*)(?::([a-z]+))?\}`)

// asRegexp is the modifier of a placeholder whose value goes into a
// regular expression.
const asRegexp = "regexp"

// regexpOf writes a URL variable as a regular expression that matches it
// and nothing else, in any letter case: a "." in a slug matches a dot, not
// any character, so a similar project's slug is not taken for the
// campaign's. It uses character classes rather than backslashes, which a
// JSONPath string literal would read as escapes of its own.
func regexpOf(value string) string {
	var b strings.Builder
	for _, r := range value {
		switch {
		case unicode.IsLetter(r) && unicode.ToUpper(r) != unicode.ToLower(r):
			b.WriteString("[" + string(unicode.ToLower(r)) + string(unicode.ToUpper(r)) + "]")
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		default:
			b.WriteString("[" + string(r) + "]")
		}
	}
	return b.String()
}

// regexpContext finds where a selector's text is a regular expression: a
// /REGEXP/ stage, or the pattern of a JSONPath match() or search().
var regexpContext = regexp.MustCompile(`(?:match|search)\([^,]*,\s*'[^']*'|\s\|\s/.*$`)

// unescapedInRegexp returns the variables a selector puts into a regular
// expression without :regexp, where their characters would mean something.
func unescapedInRegexp(text string) []string {
	var names []string
	for _, span := range regexpContext.FindAllString(text, -1) {
		for _, m := range placeholder.FindAllStringSubmatch(span, -1) {
			if m[2] != asRegexp {
				names = append(names, m[1])
			}
		}
	}
	return names
}

func placeholders(text string) []string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	return names
}

func fillPlaceholders(text string, value func(name string) string) string {
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		if sub[2] == asRegexp {
			return regexpOf(value(sub[1]))
		}
		return value(sub[1])
	})
}
