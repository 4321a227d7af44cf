package read

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

func isGroupSeparator(r rune) bool {
	switch r {
	case ' ', '\u00a0', '\u202f', '\u2009', '\'', '’':
		return true
	}
	return false
}

// parseGroupedNumber applies the separator rules of parseMoney to a span of
// digits and separators.
func parseGroupedNumber(span string, compact bool) (float64, error) {
	var b strings.Builder
	for _, r := range span {
		if !isGroupSeparator(r) {
			b.WriteRune(r)
		}
	}
	s := b.String()
	lastDot, lastComma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	decimal := byte(0)
	switch {
	case lastDot >= 0 && lastComma >= 0:
		decimal = '.'
		if lastComma > lastDot {
			decimal = ','
		}
	case lastDot >= 0 || lastComma >= 0:
		sep := byte('.')
		if lastComma >= 0 {
			sep = ','
		}
		pos := strings.LastIndexByte(s, sep)
		groupsOfThree := len(s)-pos-1 == 3 && s[0] != '0'
		if strings.Count(s, string(sep)) == 1 && (compact || !groupsOfThree) {
			decimal = sep
		}
	}
	if err := checkGroups(s, decimal); err != nil {
		return 0, err
	}
	var clean strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case decimal:
			clean.WriteByte('.')
		case '.', ',':
			// grouping separator
		default:
			clean.WriteByte(c)
		}
	}
	if decimal != 0 && strings.Count(s, string(decimal)) > 1 {
		return 0, fmt.Errorf("decimal mark %q appears more than once", decimal)
	}
	amount, err := strconv.ParseFloat(clean.String(), 64)
	if ne := (*strconv.NumError)(nil); errors.As(err, &ne) {
		// NumError quotes the whole number: megabytes of digits, if a
		// page likes.
		return 0, fmt.Errorf("%q: %w", truncate(ne.Num), ne.Err)
	}
	return amount, err
}

// checkGroups checks the digit groups of the whole part of s (the part
// before the decimal mark): "1,234,567" (groups of three) and "12,34,567"
// (India's lakh grouping: threes at the end, twos before) are amounts;
// "1,234,56" and "12,3456" are not, and reading them as 123456 would be a
// confident wrong figure.
func checkGroups(s string, decimal byte) error {
	whole := s
	if decimal != 0 {
		whole = s[:strings.IndexByte(s, decimal)]
	}
	groups := strings.FieldsFunc(whole, func(r rune) bool { return r == '.' || r == ',' })
	if len(groups) <= 1 && !strings.ContainsAny(whole, ".,") {
		return nil
	}
	if len(groups) < 2 || strings.HasPrefix(whole, ".") || strings.HasPrefix(whole, ",") ||
		strings.HasSuffix(whole, ".") || strings.HasSuffix(whole, ",") ||
		strings.Contains(whole, ",,") || strings.Contains(whole, "..") || strings.Contains(whole, ".,") || strings.Contains(whole, ",.") {
		return fmt.Errorf("digit groups %q are not written as an amount is", whole)
	}
	if validGroups(groups, 3) || validGroups(groups, 2) {
		return nil
	}
	return fmt.Errorf("digit groups %q are not written as an amount is (groups of three, or of two before the last three)", whole)
}

// validGroups reports whether groups (split at the grouping separators)
// are a first group of 1 to inner digits, inner groups of inner digits
// and a last group of three.
func validGroups(groups []string, inner int) bool {
	if len(groups[0]) < 1 || len(groups[0]) > max(inner, 3) || (inner == 2 && len(groups) > 2 && len(groups[0]) > 2) {
		return false
	}
	if len(groups[len(groups)-1]) != 3 {
		return false
	}
	for _, g := range groups[1 : len(groups)-1] {
		if len(g) != inner {
			return false
		}
	}
	return true
}

// cutAtSpaceGroup ends the number span text[start:end] before a space
// that does not group digits: "3 100%" is the number 3 and then another,
// "1 234 567" one number. Spaces group in threes after a first group of one
// to three digits. An apostrophe that groups wrongly is an error.
func cutAtSpaceGroup(text string, start, end int) (int, int, error) {
	span := text[start:end]
	var groups []string
	var seps []int // byte offsets in span where each group after the first starts
	cur := strings.Builder{}
	apostrophe := false
	for i, r := range span {
		switch {
		case isGroupSeparator(r):
			groups = append(groups, cur.String())
			cur.Reset()
			seps = append(seps, i)
			apostrophe = apostrophe || r == '\'' || r == '’'
		default:
			cur.WriteRune(r)
		}
	}
	groups = append(groups, cur.String())
	if len(groups) == 1 {
		return start, end, nil
	}
	// A group's digits are what precedes a decimal mark or another
	// separator in it.
	digitsOf := func(g string, last bool) int {
		if i := strings.IndexAny(g, ".,"); i >= 0 && last {
			return i
		}
		return len(g)
	}
	ok := len(groups[0]) >= 1 && len(groups[0]) <= 3 && !strings.ContainsAny(groups[0], ".,")
	for i, g := range groups[1:] {
		last := i == len(groups)-2
		if !ok || digitsOf(g, last) != 3 || (!last && strings.ContainsAny(g, ".,")) {
			ok = false
			break
		}
	}
	if ok {
		return start, end, nil
	}
	if apostrophe {
		return 0, 0, fmt.Errorf("parse amount %q: digit groups %q are not written as an amount is", truncate(text), truncate(span))
	}
	// Spaces: the number is the first group alone.
	return start, start + seps[0], nil
}
