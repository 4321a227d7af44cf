package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// A campaign's settings are kept as text in CampaignEnv, so that an error
// can name the variable or the campaigns-file key it came from. These
// types read that text into the campaign, each saying what it wants when
// the text is not that; readSettings names the setting.

// positiveDuration reads a duration over 0 (TIMEOUT, MAX_STALENESS).
type positiveDuration struct {
	into    *time.Duration
	example string // a duration of the setting's size, for the error
}

func (d positiveDuration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil || v <= 0 {
		return fmt.Errorf("%q is not a positive duration such as %s", text, d.example)
	}
	*d.into = v
	return nil
}

// interval reads a duration of 0 or more (MIN_INTERVAL: 0 fetches on
// every scrape).
type interval struct{ into *time.Duration }

func (d interval) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil || v < 0 {
		return fmt.Errorf("%q is not a duration such as 1m (0 to fetch on every scrape)", text)
	}
	*d.into = v
	return nil
}

// positiveNumber reads a finite number over 0 (AMOUNT_SCALE).
type positiveNumber struct{ into *float64 }

func (f positiveNumber) UnmarshalText(text []byte) error {
	v, err := strconv.ParseFloat(string(text), 64)
	if err != nil || v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%q is not a positive number", text)
	}
	*f.into = v
	return nil
}

// boolean reads true or false, as strconv.ParseBool does.
type boolean struct{ into *bool }

func (b boolean) UnmarshalText(text []byte) error {
	v, err := strconv.ParseBool(string(text))
	if err != nil {
		return fmt.Errorf("%q is not true or false", text)
	}
	*b.into = v
	return nil
}

// textSetting is one setting's text, by the suffix of its variable, and
// what reads it into the campaign.
type textSetting struct {
	suffix, text string
	into         interface{ UnmarshalText([]byte) error }
}

// readSettings reads each setting whose text (trimmed) is not empty; each
// error goes to fail, which names the setting.
func readSettings(settings []textSetting, fail func(suffix, format string, args ...any)) {
	for _, s := range settings {
		text := strings.TrimSpace(s.text)
		if text == "" {
			continue
		}
		if err := s.into.UnmarshalText([]byte(text)); err != nil {
			fail(s.suffix, "%v", err)
		}
	}
}
