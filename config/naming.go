package config

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/donation-exporter/donation_exporter/read"
)

// namedEnvError names the variable behind each typed setting that does not
// parse (DONATION_MAX_BODY_BYTES=lots): env's own message names the Go field.
func namedEnvError(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	named := make([]error, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if !errors.As(e, &pe) {
			named = append(named, e)
			continue
		}
		if f, ok := reflect.TypeFor[Env]().FieldByName(pe.Name); ok {
			var ne *strconv.NumError
			if f.Type.Kind() == reflect.Bool && errors.As(pe.Err, &ne) {
				// strconv's "ParseBool: parsing "yes": invalid syntax" says
				// neither what is wanted nor that it is ours.
				named = append(named, fmt.Errorf("%s%s: %q is not true or false", Prefix, f.Tag.Get("env"), ne.Num))
				continue
			}
			named = append(named, fmt.Errorf("%s%s: %w", Prefix, f.Tag.Get("env"), pe.Err))
			continue
		}
		named = append(named, e)
	}
	return errors.Join(named...)
}

func campaignPrefix(i int) string { return fmt.Sprintf("%sCAMPAIGN_%d_", Prefix, i) }

// naming says where a campaign's settings come from, for its errors: a
// variable (DONATION_CAMPAIGN_3_RAISED) or a key of the campaigns file
// (campaigns.yml:12: campaigns[3] (name "spring"): raised).
type naming struct {
	prefix string
	lower  bool // file keys are the variables' suffixes in lower case
	// zones caches time zones by name across the campaigns of one load
	// (each LoadLocation reads the zone database); nil: no cache.
	zones map[string]*time.Location
	// selectors caches parsed selectors by their text across the
	// campaigns of one load: a Selector is never changed once parsed, and
	// 10,000 campaigns each parsing their own kept 60 MiB of them; nil:
	// no cache.
	selectors map[string][]read.Selector
	// fields caches campaigns' Fields maps by what they hold (see
	// sharedFields); nil: no cache.
	fields map[string]map[read.Field]read.FieldSpec
}

// sharedFields returns a map equal to fields that campaigns of the same
// fields share: 10,000 campaigns configured alike (the same selectors,
// each field naming its setting by key alone, read.Spec.SettingPrefix)
// kept 12 MB of maps, one each. Nothing changes a campaign's Fields once
// it is compiled (a redirect's spec is a clone), so sharing is safe. The
// selectors are compared by identity: the same text gives the same slice
// within a load (naming.selector), and a preset's fields whose selectors
// are the campaign's own are simply not shared.
func (n naming) sharedFields(fields map[read.Field]read.FieldSpec) map[read.Field]read.FieldSpec {
	if n.fields == nil {
		return fields
	}
	var key strings.Builder
	for _, f := range read.Fields() {
		fs, ok := fields[f]
		if !ok {
			continue
		}
		fmt.Fprintf(&key, "%s\x00%q %q %q %q %t %t", f, fs.Literal, fs.Setting, fs.Preset, fs.Override, fs.Optional, fs.ChecksNote)
		for _, sels := range [][]read.Selector{fs.Selectors, fs.AbsentIf, fs.PresentIf, fs.Checks} {
			fmt.Fprintf(&key, " %p/%d", sels, len(sels))
		}
		key.WriteByte('\n')
	}
	if shared, ok := n.fields[key.String()]; ok {
		return shared
	}
	n.fields[key.String()] = fields
	return fields
}

// selector parses text, once per load (see naming.selectors).
func (n naming) selector(text string) ([]read.Selector, error) {
	if sels, ok := n.selectors[text]; ok {
		return sels, nil
	}
	sel, err := read.ParseSelector(text)
	if err != nil {
		return nil, err
	}
	sels := []read.Selector{sel}
	if n.selectors != nil {
		n.selectors[text] = sels
	}
	return sels, nil
}

func envNaming(i int) naming { return naming{prefix: campaignPrefix(i)} }

// key is a setting's name: RAISED_SELECTOR, or raised_selector in a file.
func (n naming) key(suffix string) string {
	if n.lower {
		return strings.ToLower(suffix)
	}
	return suffix
}

// where names a setting fully, for errors.
func (n naming) where(suffix string) string { return n.prefix + n.key(suffix) }

// fileNaming names an entry's keys in errors: the file, the entry's line,
// index and name, then the key.
func fileNaming(path string, i int, entry fileEntry) naming {
	name := strings.TrimSpace(entry.Name)
	if name == "" {
		return naming{prefix: fmt.Sprintf("%s:%d: campaigns[%d]: ", path, entry.line, i), lower: true}
	}
	return naming{prefix: fmt.Sprintf("%s:%d: campaigns[%d] (name %s): ", path, entry.line, i, shortText(name)), lower: true}
}
