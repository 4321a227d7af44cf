package read

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode"
)

// parsedMoney is an amount read from a page, with the currency the page showed
// next to it (an ISO 4217 code, or "" when the text named none).
type parsedMoney struct {
	Amount   float64
	Currency string
	// Sign is the symbol or code as the text wrote it ("$", "€", "EUR"):
	// a bare "$" is read as USD but may be any dollar or peso.
	Sign string
}

// errNoNumber is returned when a text holds no digits at all.
var errNoNumber = errors.New("no number in text")

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

// parseMoney reads the first amount in a human-written text such as
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
func parseMoney(text string) (parsedMoney, error) {
	start, end := numberSpan(text)
	if start < 0 {
		return parsedMoney{}, fmt.Errorf("%w: %q", errNoNumber, truncate(text))
	}
	start, end, err := cutAtSpaceGroup(text, start, end)
	if err != nil {
		return parsedMoney{}, err
	}
	digits := text[start:end]
	rest := text[end:]
	if exponent.MatchString(rest) {
		// "1e400" is no way to show money: reading it as 1 would be wrong.
		return parsedMoney{}, fmt.Errorf("parse amount %q: exponent notation is not an amount", truncate(text))
	}
	if gluedDigits.MatchString(rest) {
		// "0x10", "12ab34": a number of another notation, or a code, not
		// an amount a person would read.
		return parsedMoney{}, fmt.Errorf("parse amount %q: letters inside a number are not an amount", truncate(text))
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
		return parsedMoney{}, fmt.Errorf("parse amount %q: %w", truncate(text), err)
	}
	amount *= multiplier
	if math.IsInf(amount, 0) || math.IsNaN(amount) {
		return parsedMoney{}, fmt.Errorf("parse amount %q: out of range", truncate(text))
	}
	signAt := strings.TrimRightFunc(text[:start], func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Sc, r) })
	if strings.HasSuffix(signAt, "-") || strings.HasSuffix(signAt, "−") || inParentheses(signAt, rest) {
		amount = -amount
	}
	code, sign := currencyNear(text[:start], rest)
	return parsedMoney{Amount: amount, Currency: code, Sign: sign}, nil
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
