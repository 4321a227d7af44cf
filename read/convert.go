package read

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// plainDecimal is a number as programs write amounts: decimal digits, an
// optional fraction and exponent.
var plainDecimal = regexp.MustCompile(`^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$`)

// readAmount reads an amount of money or a count. Values written for
// programs (JSON, attributes) are read as plain numbers first; text written
// for people goes through parseMoney. Amounts must be finite and not
// negative: a page showing otherwise is broken, not poor.
func readAmount(v value) (parsedMoney, error) {
	var m parsedMoney
	switch {
	case v.isNumber:
		m.Amount = v.number
	default:
		n, err := strconv.ParseFloat(v.text, 64)
		if err == nil && !plainDecimal.MatchString(v.text) && !math.IsNaN(n) && !math.IsInf(n, 0) {
			// ParseFloat also reads hex ("0x1p4"), "Inf" and "NaN": no
			// program writing an amount for another means those.
			err = fmt.Errorf("amount %q is not a decimal number", truncate(v.text))
			if v.machine {
				return parsedMoney{}, err
			}
		}
		if v.machine && err == nil {
			m.Amount = n
			break
		}
		if v.machine && errors.Is(err, strconv.ErrRange) {
			return parsedMoney{}, fmt.Errorf("amount %q is out of range", truncate(v.text))
		}
		m, err = parseMoney(v.text)
		if err != nil {
			return parsedMoney{}, err
		}
	}
	if math.IsNaN(m.Amount) || math.IsInf(m.Amount, 0) {
		return parsedMoney{}, fmt.Errorf("amount %v is not a finite number", m.Amount)
	}
	if m.Amount < 0 {
		return parsedMoney{}, fmt.Errorf("amount %v is negative", m.Amount)
	}
	return m, nil
}

func readDate(v value, loc *time.Location, bound DayBound) (time.Time, error) {
	if v.isNumber {
		return DateFromNumber(v.number)
	}
	return ParseDate(v.text, loc, bound)
}

// readCurrency accepts an ISO 4217 code in any case ("usd") or a symbol
// parseMoney knows ("€").
func readCurrency(text string) (string, error) {
	s := strings.TrimSpace(text)
	if code := knownISOCode(strings.ToUpper(s)); code != "" && len(s) == 3 {
		return code, nil
	}
	for _, cs := range currencySymbols {
		if s == cs.symbol {
			return cs.code, nil
		}
	}
	return "", fmt.Errorf("%q is not a currency code or symbol", truncate(s))
}

// scaleAmount applies an amount scale. A scale below 1 (0.01 for cents)
// divides by its inverse, which is exact in floating point where
// multiplying by 0.01 is not: 6355571 cents are 63555.71, not
// 63555.710000000006.
func scaleAmount(amount, scale float64) float64 {
	switch {
	case scale == 0 || scale == 1:
		return amount
	case scale < 1:
		if inverse := math.Round(1 / scale); math.Abs(inverse*scale-1) < 1e-12 {
			return amount / inverse
		}
	}
	return amount * scale
}

// completeFromRemaining derives the target or the amount raised from the
// amount still needed (FieldRemaining), rounded to the decimals of the
// figures it comes from.
func completeFromRemaining(v *Values) error {
	if v.Remaining == nil {
		return nil
	}
	rem := *v.Remaining
	switch {
	case v.Target == nil && v.Raised != nil:
		t := roundLike(*v.Raised+rem, *v.Raised, rem)
		v.Target = &t
	case v.Raised == nil && v.Target != nil:
		r := roundLike(*v.Target-rem, *v.Target, rem)
		if r < 0 {
			return fmt.Errorf("field remaining: %v still needed is more than the target %v", rem, *v.Target)
		}
		v.Raised = &r
	}
	return nil
}

// roundLike rounds x to the most decimals any of from is written with.
func roundLike(x float64, from ...float64) float64 {
	decimals := 0
	for _, f := range from {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if i := strings.IndexByte(s, '.'); i >= 0 {
			decimals = max(decimals, len(s)-i-1)
		}
	}
	p := math.Pow(10, float64(decimals))
	return math.Round(x*p) / p
}
