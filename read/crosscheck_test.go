package read

import "testing"

func TestMargin(t *testing.T) {
	tests := []struct {
		text string
		json bool // a JSON number: exact
		want float64
	}{
		{text: "$65.0K raised", want: 100},
		{text: "$1.0M", want: 100_000},
		{text: "1.8K", want: 100},
		{text: "$1.5 million", want: 100_000},
		{text: "$254,245", want: 1},
		{text: "$100,000", want: 1}, // trailing zeros are taken as shown
		{text: "44.155,91 €", want: 0.01},
		{text: "0.27", want: 0.01},
		{text: "3061.0", want: 0.1},
		{text: "0", want: 0},
		{json: true, want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			v := value{text: tc.text}
			amount := 65000.0
			if tc.json {
				v = value{number: amount, isNumber: true}
			} else {
				m, err := parseMoney(tc.text)
				if err != nil {
					t.Fatal(err)
				}
				amount = m.Amount
			}
			got := margin(v, amount)
			if diff := got - tc.want; diff > 1e-9*tc.want || diff < -1e-9*tc.want {
				t.Errorf("margin(%q) = %v, want %v", tc.text, got, tc.want)
			}
		})
	}
}

func TestAgree(t *testing.T) {
	tests := []struct {
		name string
		a, b reading
		want bool
	}{
		{name: "exact and equal", a: reading{amount: 65000}, b: reading{amount: 65000}, want: true},
		{name: "exact and off by one", a: reading{amount: 65000}, b: reading{amount: 65001}, want: false},
		{name: "within the rounding of $65.0K", a: reading{amount: 65049}, b: reading{amount: 65000, margin: 100}, want: true},
		{name: "beyond it", a: reading{amount: 65101}, b: reading{amount: 65000, margin: 100}, want: false},
		{name: "1,750 shown as 1.8K", a: reading{amount: 1750}, b: reading{amount: 1800, margin: 100}, want: true},
		{name: "float noise", a: reading{amount: 0.1 + 0.2}, b: reading{amount: 0.3}, want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := agree(tc.a, tc.b); got != tc.want {
				t.Errorf("agree(%+v, %+v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}
