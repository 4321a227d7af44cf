// Package preset holds what donation_exporter knows about donation
// platforms, as data: one YAML file per platform under presets/, loaded
// and checked once at start. A preset says which hosts are the platform's,
// how a page URL maps to the machine-readable endpoint it is read at, and
// where each figure is, as ordered selectors run by the same reader as a
// campaign configured by hand.
//
// The files, by job:
//
//	format.go       the preset format: Preset, Page, Field, and the bases
//	selector.go     Selector, and how one is written in YAML
//	object.go       named objects, and the selectors that step into them
//	auth.go         how a platform's API takes a key
//	donations.go    the donation list: its format, its check, its spec
//	load.go         Load and the Registry: reading the embedded files, lookup
//	check.go        validating a decoded preset
//	placeholder.go  {name} variables, filled in or written as a regexp
//	resolve.go      page URL patterns, and Apply: page URL → endpoint and spec
package preset
