package read

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		amount   float64
		currency string
	}{
		{name: "dollar with grouping and cents", text: "$1,234,567.89", amount: 1234567.89, currency: "USD"},
		{name: "euro after, dots group, comma decimal", text: "1.234.567,89 €", amount: 1234567.89, currency: "EUR"},
		{name: "donorbox de raised", text: "44.155,91 €", amount: 44155.91, currency: "EUR"},
		{name: "donorbox de goal: one dot and three digits groups", text: "170.000 €", amount: 170000, currency: "EUR"},
		{name: "spaces group, comma decimal", text: "1 234 567,89", amount: 1234567.89},
		{name: "no-break spaces group", text: "1\u00a0234\u202f567,89\u00a0€", amount: 1234567.89, currency: "EUR"},
		{name: "swiss apostrophes and code before", text: "CHF 1'234.50", amount: 1234.50, currency: "CHF"},
		{name: "ISO code after", text: "2,500 USD", amount: 2500, currency: "USD"},
		{name: "pound", text: "£12,000", amount: 12000, currency: "GBP"},
		{name: "ambiguous 1.500 is fifteen hundred", text: "1.500", amount: 1500},
		{name: "ambiguous 1,500 is fifteen hundred", text: "1,500", amount: 1500},
		{name: "one decimal digit is a decimal", text: "1.5", amount: 1.5},
		{name: "two decimal digits with comma", text: "44,50 €", amount: 44.5, currency: "EUR"},
		{name: "leading zero is a decimal", text: "0.500", amount: 0.5},
		{name: "compact K", text: "$192.3K", amount: 192300, currency: "USD"},
		{name: "compact K without currency", text: "1.8K", amount: 1800},
		{name: "compact M", text: "$1M", amount: 1e6, currency: "USD"},
		{name: "compact with three decimals stays decimal", text: "$1.500M", amount: 1.5e6, currency: "USD"},
		{name: "million spelled out", text: "$1.5 million", amount: 1.5e6, currency: "USD"},
		{name: "german million", text: "1,5 Millionen €", amount: 1.5e6, currency: "EUR"},
		{name: "german abbreviation with a dot", text: "2,3 Mio. €", amount: 2.3e6, currency: "EUR"},
		{name: "indian lakh", text: "₹12.5 lakh", amount: 1.25e6, currency: "INR"},
		{name: "session compact raised", text: "$65.0K raised", amount: 65000, currency: "USD"},
		{name: "first number of a sentence", text: "$254,245 raised of $100,000 goal", amount: 254245, currency: "USD"},
		{name: "words before", text: "Raised so far: €3.200", amount: 3200, currency: "EUR"},
		{name: "word after is not a multiplier", text: "350 backers", amount: 350},
		{name: "word that is not a currency code", text: "TOTAL 100", amount: 100},
		{name: "US dollar prefix", text: "US$5,000", amount: 5000, currency: "USD"},
		{name: "canadian dollar prefix", text: "CA$5,000", amount: 5000, currency: "CAD"},
		{name: "plain integer", text: "65000", amount: 65000},
		{name: "negative", text: "-$20", amount: -20, currency: "USD"},
		// Accounting writes a negative amount in parentheses.
		{name: "accounting parentheses", text: "($5,000)", amount: -5000, currency: "USD"},
		{name: "accounting parentheses, currency after", text: "(5.000 €)", amount: -5000, currency: "EUR"},
		{name: "accounting parentheses, ISO codes", text: "(CHF 1'234.50)", amount: -1234.5, currency: "CHF"},
		{name: "accounting parentheses, ISO code after", text: "Net: (2,500 USD)", amount: -2500, currency: "USD"},
		{name: "accounting parentheses, compact", text: "($1.5M)", amount: -1.5e6, currency: "USD"},
		{name: "accounting parentheses, spaces inside", text: "( $5,000 )", amount: -5000, currency: "USD"},
		{name: "parenthesised aside after the amount", text: "$1,234 (50%)", amount: 1234, currency: "USD"},
		{name: "parentheses around more than the amount", text: "(5 days left)", amount: 5},
		{name: "parentheses opened before other words", text: "(Goal: $5,000)", amount: 5000, currency: "USD"},
		{name: "indian lakh grouping", text: "₹12,34,567", amount: 1234567, currency: "INR"},
		{name: "indian lakh grouping with paise", text: "₹1,23,456.50", amount: 123456.5, currency: "INR"},
		// A space that does not group ends the number: "3 100%" is 3.
		{name: "space before a number that is not a group", text: "3 10% funded", amount: 3},
		{name: "space groups", text: "12 500 € collectés", amount: 12500, currency: "EUR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseMoney(tc.text)
			if err != nil {
				t.Fatalf("ParseMoney(%q): %v", tc.text, err)
			}
			if got.Amount != tc.amount || got.Currency != tc.currency {
				t.Errorf("ParseMoney(%q) = %v %q, want %v %q", tc.text, got.Amount, got.Currency, tc.amount, tc.currency)
			}
		})
	}
}

func TestParseMoneyErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		want error
	}{
		{name: "empty", text: "", want: errNoNumber},
		{name: "no digits", text: "raised so far", want: errNoNumber},
		{name: "currency alone", text: "€", want: errNoNumber},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseMoney(tc.text)
			if !errors.Is(err, tc.want) {
				t.Errorf("ParseMoney(%q) error = %v, want %v", tc.text, err, tc.want)
			}
		})
	}
	t.Run("decimal mark twice", func(t *testing.T) {
		if got, err := parseMoney("1.234,56,78"); err == nil {
			t.Errorf("ParseMoney(%q) = %v, want an error", "1.234,56,78", got)
		}
	})
}

func TestTruncateKeepsRunes(t *testing.T) {
	text := strings.Repeat("a", 79) + "€€"
	got := truncate(text)
	if !utf8.ValidString(got) || got != strings.Repeat("a", 79)+"…" {
		t.Errorf("truncate(%q) = %q", text, got)
	}
}

// TestAccountingParenthesesFailTheField: "($5,000)" is a negative amount,
// which no raised figure can be; it used to read as 5000.
func TestAccountingParenthesesFailTheField(t *testing.T) {
	c := pageSpec{Name: "c", Kind: KindHTML, Spec: Spec{AmountScale: 1, Location: time.UTC,
		Fields: map[Field]FieldSpec{FieldRaised: {Selectors: []Selector{MustParseSelector("#raised")}}}}}
	_, err := c.Read(testPage{Body: []byte(`<p id="raised">($5,000)</p>`), ContentType: "text/html"})
	if err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("err = %v, want the amount refused as negative", err)
	}
}

// TestParseMoneyRefusesWhatIsNoAmount: texts no person reads as an amount
// fail with an error that quotes them, instead of a confident figure
// ("0x10" was 0, "1,234,56" was 123456).
func TestParseMoneyRefusesWhatIsNoAmount(t *testing.T) {
	tests := []struct{ text, want string }{
		{"0x10", "letters inside a number"},
		{"0X1F raised", "letters inside a number"},
		{"12ab34", "letters inside a number"},
		{"1,234,56", `digit groups "1,234,56"`},
		{"1,23.45", `digit groups "1,23"`},
		{"1.2345.678,00 €", `digit groups "1.2345.678"`},
		{"1,,234", `digit groups "1,,234"`},
		{"1'23'456", `digit groups "1'23'456"`},
		{"1234,567,890", `digit groups "1234,567,890"`},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			m, err := parseMoney(tc.text)
			if err == nil {
				t.Fatalf("ParseMoney(%q) = %v, want an error", tc.text, m.Amount)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), strconv.Quote(tc.text)) {
				t.Errorf("error %q: want it to quote the text and say %q", err, tc.want)
			}
		})
	}
}

// TestReadAmountRefusesOtherNotations: a JSON value or attribute written
// for programs is read as a decimal number or not at all.
func TestReadAmountRefusesOtherNotations(t *testing.T) {
	for _, text := range []string{"0x10", "0x1p4", "Inf", "NaN", "1_000", "1,234,56", "12.34.56"} {
		t.Run(text, func(t *testing.T) {
			m, err := readAmount(value{text: text, machine: true})
			if err == nil {
				t.Fatalf("readAmount(%q) = %v, want an error", text, m.Amount)
			}
			if !strings.Contains(err.Error(), text) {
				t.Errorf("error %q does not name %q", err, text)
			}
		})
	}
	for text, want := range map[string]float64{"1234.5": 1234.5, "1,234.50": 1234.5, "170.000": 170, "1e3": 1000} {
		m, err := readAmount(value{text: text, machine: true})
		if err != nil || m.Amount != want {
			t.Errorf("readAmount(%q) = %v, %v; want %v", text, m.Amount, err, want)
		}
	}
}

// TestParseMoneyRejectsExponent: found by the bad-input catalogue, "$1e400"
// was read as $1 (the number stopped at the "e").
func TestParseMoneyRejectsExponent(t *testing.T) {
	for _, text := range []string{"1e400", "$1e400", "1.5e3", "1E5 raised", "€2e-3"} {
		t.Run(text, func(t *testing.T) {
			m, err := parseMoney(text)
			if err == nil || !strings.Contains(err.Error(), "exponent notation") {
				t.Errorf("ParseMoney(%q) = %v, %v; want an exponent notation error", text, m, err)
			}
		})
	}
	// A currency or word right after the number is no exponent.
	for text, want := range map[string]float64{"5EUR": 5, "5 e-mails": 5, "2e": 2, "12 EUR": 12} {
		if m, err := parseMoney(text); err != nil || m.Amount != want {
			t.Errorf("ParseMoney(%q) = %v, %v; want %v", text, m, err, want)
		}
	}
}
