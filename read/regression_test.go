package read

import (
	"strings"
	"testing"
)

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
