package read

import (
	"strings"
	"unicode"

	"golang.org/x/text/currency"
)

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
func (m parsedMoney) CouldBe(code string) bool {
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
