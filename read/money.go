package read

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/currency"
)

// Money is an amount read from a page, with the currency the page showed
// next to it (an ISO 4217 code, or "" when the text named none).
type Money struct {
	Amount   float64
	Currency string
	// Sign is the symbol or code as the text wrote it ("$", "€", "EUR"):
	// a bare "$" is read as USD but may be any dollar or peso.
	Sign string
}

// sharedSigns are the symbols several currencies write. A page showing one
// of them agrees with a configured CURRENCY of any of these codes.
var sharedSigns = map[string][]string{
	"$": {"USD", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "MXN", "ARS", "CLP", "COP", "UYU", "DOP", "CUP",
		"JMD", "TTD", "BSD", "BBD", "BZD", "BMD", "KYD", "XCD", "FJD", "SBD", "GYD", "SRD", "LRD", "NAD", "BND"},
	"C$": {"CAD", "NIO"},
	"¥":  {"JPY", "CNY"},
	"kr": {"SEK", "NOK", "DKK", "ISK"},
}

// CouldBe reports whether the amount's text allows the currency code: it
// showed no currency, showed that one, or showed a sign that code writes
// too.
func (m Money) CouldBe(code string) bool {
	if m.Currency == "" || m.Currency == code {
		return true
	}
	for _, c := range sharedSigns[m.Sign] {
		if c == code {
			return true
		}
	}
	return false
}

// ErrNoNumber is returned when a text holds no digits at all.
var ErrNoNumber = errors.New("no number in text")

// currencySymbols maps the symbols and prefixed symbols people write next to
// amounts to ISO codes. A bare "$" is read as USD: it is by far the most
// common, and CURRENCY overrides it for the other dollars.
var currencySymbols = []struct{ symbol, code string }{
	// Longer forms first, so that "US$" is not read as "$".
	{"US$", "USD"}, {"CA$", "CAD"}, {"AU$", "AUD"}, {"NZ$", "NZD"}, {"HK$", "HKD"},
	{"C$", "CAD"}, {"A$", "AUD"}, {"R$", "BRL"}, {"$", "USD"},
	{"€", "EUR"}, {"£", "GBP"}, {"¥", "JPY"}, {"₹", "INR"}, {"₩", "KRW"},
	{"₽", "RUB"}, {"₺", "TRY"}, {"₪", "ILS"}, {"₴", "UAH"}, {"zł", "PLN"}, {"kr", "SEK"},
}

// gluedDigits matches letters and then digits right after a number, with
// nothing between: "0x10" (hex), "12ab34".
var gluedDigits = regexp.MustCompile(`^\pL+[0-9]`)

// exponent matches the exponent of a number in scientific notation.
var exponent = regexp.MustCompile(`^[eE][-+]?[0-9]`)

// compactSuffixes are the multipliers of abbreviated amounts ("$1.5M",
// "$192.3K", "$1.5 million"). Matched case-insensitively on a whole word.
var compactSuffixes = map[string]float64{
	"k": 1e3, "thousand": 1e3, "tsd": 1e3, "tausend": 1e3, "mille": 1e3,
	"m": 1e6, "mn": 1e6, "mio": 1e6, "million": 1e6, "millions": 1e6, "millionen": 1e6, "millones": 1e6, "milioni": 1e6,
	"b": 1e9, "bn": 1e9, "billion": 1e9, "billions": 1e9, "mrd": 1e9, "milliarde": 1e9, "milliarden": 1e9, "milliard": 1e9, "milliards": 1e9,
	"lakh": 1e5, "lakhs": 1e5, "crore": 1e7, "crores": 1e7,
}

// ParseMoney reads the first amount in a human-written text such as
// "$254,245 raised", "44.155,91 €", "1 234 567,89 CHF" or "$1.5 million".
//
// Separators: spaces, no-break spaces and apostrophes always group digits.
// When both '.' and ',' occur, the last one is the decimal mark. When only
// one of them occurs, it groups digits if it occurs more than once or is
// followed by exactly three digits ("1.500" and "1,500" are both 1500, as a
// donation page in de-DE or en-US means them); otherwise it is the decimal
// mark ("44,5", "1.25"). With a compact suffix ("1.500K") it is always the
// decimal mark.
//
// Sign: a minus before the number, or parentheses around it with nothing
// but a currency inside ("($5,000)", accounting's way), make it negative.
func ParseMoney(text string) (Money, error) {
	start, end := numberSpan(text)
	if start < 0 {
		return Money{}, fmt.Errorf("%w: %q", ErrNoNumber, truncate(text))
	}
	start, end, err := cutAtSpaceGroup(text, start, end)
	if err != nil {
		return Money{}, err
	}
	digits := text[start:end]
	rest := text[end:]
	if exponent.MatchString(rest) {
		// "1e400" is no way to show money: reading it as 1 would be wrong.
		return Money{}, fmt.Errorf("parse amount %q: exponent notation is not an amount", truncate(text))
	}
	if gluedDigits.MatchString(rest) {
		// "0x10", "12ab34": a number of another notation, or a code, not
		// an amount a person would read.
		return Money{}, fmt.Errorf("parse amount %q: letters inside a number are not an amount", truncate(text))
	}
	multiplier := 1.0
	if word, n := leadingWord(rest); word != "" {
		if m, ok := compactSuffixes[strings.ToLower(word)]; ok {
			multiplier = m
			rest = strings.TrimPrefix(rest[n:], ".") // "Mio."
		}
	}
	amount, err := parseGroupedNumber(digits, multiplier != 1)
	if err != nil {
		return Money{}, fmt.Errorf("parse amount %q: %w", truncate(text), err)
	}
	amount *= multiplier
	if math.IsInf(amount, 0) || math.IsNaN(amount) {
		return Money{}, fmt.Errorf("parse amount %q: out of range", truncate(text))
	}
	signAt := strings.TrimRightFunc(text[:start], func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Sc, r) })
	if strings.HasSuffix(signAt, "-") || strings.HasSuffix(signAt, "−") || inParentheses(signAt, rest) {
		amount = -amount
	}
	code, sign := currencyNear(text[:start], rest)
	return Money{Amount: amount, Currency: code, Sign: sign}, nil
}

// inParentheses reports whether an amount sits between parentheses with
// nothing but a currency beside it, "($5,000)" or "(5.000 €)": the way
// accounting writes a negative amount. before is the text before the
// number, currency symbols and spaces taken off; after is the text after it
// and its compact suffix.
func inParentheses(before, after string) bool {
	before = strings.TrimRightFunc(before, unicode.IsSpace)
	if code := isoCodeSuffix(before); code != "" {
		before = strings.TrimRightFunc(before[:len(before)-len(code)], unicode.IsSpace)
	}
	if !strings.HasSuffix(before, "(") {
		return false
	}
	after = strings.TrimLeftFunc(after, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Sc, r) })
	if code := isoCodePrefix(after); code != "" {
		after = strings.TrimLeftFunc(after[len(code):], unicode.IsSpace)
	}
	return strings.HasPrefix(after, ")")
}

// numberSpan finds the first run of digits with the separators that can sit
// inside a number. It returns -1, -1 when there is none.
func numberSpan(text string) (int, int) {
	start := strings.IndexFunc(text, isDigit)
	if start < 0 {
		return -1, -1
	}
	end := start
	lastDigitEnd := start
	for i, r := range text[start:] {
		switch {
		case isDigit(r):
			lastDigitEnd = start + i + len(string(r))
		case isGroupSeparator(r) || r == '.' || r == ',':
			// A separator belongs to the number only if a digit follows it.
		default:
			return start, lastDigitEnd
		}
		end = lastDigitEnd
	}
	return start, end
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isGroupSeparator(r rune) bool {
	switch r {
	case ' ', '\u00a0', '\u202f', '\u2009', '\'', '’':
		return true
	}
	return false
}

// parseGroupedNumber applies the separator rules of ParseMoney to a span of
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

// leadingWord returns the first word of s after optional spaces, and how many
// bytes of s reach its end.
func leadingWord(s string) (string, int) {
	trimmed := strings.TrimLeftFunc(s, unicode.IsSpace)
	skipped := len(s) - len(trimmed)
	end := strings.IndexFunc(trimmed, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		end = len(trimmed)
	}
	return trimmed[:end], skipped + end
}

// currencyNear looks for a currency symbol or ISO code right before or right
// after the number, and returns its code and the sign as written.
func currencyNear(before, after string) (code, sign string) {
	before = strings.TrimRightFunc(before, func(r rune) bool { return unicode.IsSpace(r) || r == '-' })
	after = strings.TrimLeftFunc(after, unicode.IsSpace)
	for _, cs := range currencySymbols {
		if strings.HasSuffix(before, cs.symbol) || strings.HasPrefix(after, cs.symbol) {
			return cs.code, cs.symbol
		}
	}
	if code := isoCodeSuffix(before); code != "" {
		return code, code
	}
	code = isoCodePrefix(after)
	return code, code
}

func isoCodeSuffix(s string) string {
	if len(s) < 3 {
		return ""
	}
	code := s[len(s)-3:]
	if len(s) > 3 && unicode.IsLetter(rune(s[len(s)-4])) {
		return ""
	}
	return knownISOCode(code)
}

func isoCodePrefix(s string) string {
	if len(s) < 3 {
		return ""
	}
	code := s[:3]
	if len(s) > 3 && unicode.IsLetter(rune(s[3])) {
		return ""
	}
	return knownISOCode(code)
}

// knownISOCode returns code when it is an upper-case ISO 4217 code, so that
// a word such as "TOTAL" next to a number is not taken for a currency.
func knownISOCode(code string) string {
	if strings.ToUpper(code) != code {
		return ""
	}
	unit, err := currency.ParseISO(code)
	if err != nil {
		return ""
	}
	return unit.String()
}

// truncate keeps error messages about hostile pages short: it keeps the
// first 80 bytes of s, cut at a rune boundary.
func truncate(s string) string { return truncateTo(s, 80) }

// truncateTo keeps the first n bytes of s, cut at a rune boundary.
func truncateTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	end := n
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + "…"
}
