package preset

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/donation-exporter/donation_exporter/forecast"
	"github.com/donation-exporter/donation_exporter/read"
)

// check validates a decoded preset: names, kinds and bases from their
// lists, URL patterns that compile, and every selector parsed (with its
// variables filled in) for the kind of document it applies to.
func (p *Preset) check(fileName string) error {
	errs := p.checkHeader(fileName)
	if objErrs := p.resolveObjects(); len(objErrs) > 0 {
		// Selectors that refer to a missing object have no text to check.
		return errors.Join(append(errs, objErrs...)...)
	}
	vars, pageErrs := p.compilePages()
	errs = append(errs, pageErrs...)
	errs = append(errs, p.checkFields(vars)...)
	errs = append(errs, p.checkDonations()...)
	return errors.Join(errs...)
}

// checkHeader checks what the preset says of itself: name, title, kind,
// scale, bases and hosts.
func (p *Preset) checkHeader(fileName string) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if p.Name != fileName {
		fail("name %q must be the file's name, %q", p.Name, fileName)
	}
	if p.Title == "" {
		fail("title is required")
	}
	if p.Forecast != "" {
		if _, err := forecast.Builtin(p.Forecast); err != nil {
			fail("forecast: %v", err)
		}
	}
	switch p.KindName {
	case "html":
		p.kind = read.KindHTML
	case "json":
		p.kind = read.KindJSON
	case "auto":
		p.kind = read.KindAuto
	default:
		fail("kind %q: want html, json or auto", p.KindName)
	}
	errs = append(errs, p.Auth.check()...)
	if p.MinInterval < 0 {
		fail("min_interval %v must not be negative", p.MinInterval)
	}
	if p.AmountScale < 0 {
		fail("amount_scale %v must be positive", p.AmountScale)
	}
	if !slices.Contains(raisedBases, p.RaisedBasis) {
		fail("raised_basis %q: want one of %s", p.RaisedBasis, strings.Join(raisedBases, ", "))
	}
	if p.DonorsBasis != "" && !slices.Contains(donorsBases, p.DonorsBasis) {
		fail("donors_basis %q: want one of %s", p.DonorsBasis, strings.Join(donorsBases, ", "))
	}
	if _, reads := p.Fields[read.FieldDonors]; reads && p.DonorsBasis == "" {
		fail("donors_basis is required: the preset reads donors")
	}
	for _, h := range p.Hosts {
		if h != strings.ToLower(h) || strings.ContainsAny(h, "/:") || h == "" {
			fail("host %q: want a lower-case host name, optionally *.domain", h)
		}
	}
	return errs
}

// compilePages compiles the page patterns and returns the variables they
// capture.
func (p *Preset) compilePages() (map[string]bool, []error) {
	var errs []error
	vars := map[string]bool{}
	for _, pg := range p.Pages {
		pat, err := compilePage(pg)
		if err != nil {
			errs = append(errs, fmt.Errorf("page %q: %w", pg.Page, err))
			continue
		}
		p.pages = append(p.pages, pat)
		for _, v := range pat.names {
			vars[v] = true
		}
	}
	return vars, errs
}

// checkFields checks each field's literal or selectors, the progress
// checks, and the required fields.
func (p *Preset) checkFields(vars map[string]bool) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(p.Fields) == 0 {
		fail("fields: the preset reads nothing")
	}
	for field, f := range p.Fields {
		if !slices.Contains(read.Fields(), field) {
			fail("field %q: want one of %v", field, read.Fields())
			continue
		}
		switch {
		case f.Literal != "" && len(f.Selectors) > 0:
			fail("field %s: a literal or selectors, not both", field)
		case f.Literal == "" && len(f.Selectors) == 0:
			fail("field %s: neither a literal nor a selector", field)
		case f.Literal != "":
			if err := read.CheckLiteral(field, f.Literal, nil); err != nil {
				fail("field %s: %v", field, err)
			}
		}
		for _, group := range [][]Selector{f.Selectors, f.Checks, f.AbsentIf, f.PresentIf} {
			errs = append(errs, p.checkSelectors(string(field), group, vars)...)
		}
	}
	errs = append(errs, p.checkSelectors("progress_checks", p.ProgressChecks, vars)...)
	for field := range p.Requires {
		if !slices.Contains(read.Fields(), field) {
			fail("requires %q: not a field", field)
		}
	}
	return errs
}

func (p *Preset) checkSelectors(where string, sels []Selector, vars map[string]bool) []error {
	var errs []error
	for _, s := range sels {
		for _, v := range placeholders(s.Text) {
			if !vars[v] {
				errs = append(errs, fmt.Errorf("%s: selector %q uses {%s}, which no page pattern captures", where, s.Text, v))
			}
		}
		for _, m := range placeholder.FindAllStringSubmatch(s.Text, -1) {
			if m[2] != "" && m[2] != asRegexp {
				errs = append(errs, fmt.Errorf("%s: selector %q: {%s:%s}: the only modifier is :%s", where, s.Text, m[1], m[2], asRegexp))
			}
		}
		for _, v := range unescapedInRegexp(s.Text) {
			errs = append(errs, fmt.Errorf("%s: selector %q puts {%s} into a regular expression unescaped: write {%s:%s}", where, s.Text, v, v, asRegexp))
		}
		if s.Unless != "" && !vars[s.Unless] {
			errs = append(errs, fmt.Errorf("%s: selector %q: unless %q is not a variable of any page pattern", where, s.Text, s.Unless))
		}
		sel, err := read.ParseSelector(fillPlaceholders(s.Text, func(string) string { return "x" }))
		if err == nil {
			kind := s.Kind
			if kind == read.KindAuto {
				kind = p.kind
			}
			err = sel.Validate(kind)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
		if s.Kind != read.KindAuto && p.kind != read.KindAuto && s.Kind != p.kind {
			errs = append(errs, fmt.Errorf("%s: selector %q is for %v documents, and the preset reads %v", where, s.Text, s.Kind, p.kind))
		}
	}
	return errs
}
