package main

import (
	"bytes"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// TestCheckReportSaysWhatFiguresCount: check shows a per-period raised
// figure and a donors figure that counts something else with their basis,
// and a preset campaign whose URL is none of its platform's pages fails
// saying so, before the field that failed.
func TestCheckReportSaysWhatFiguresCount(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	spec := read.Spec{AmountScale: 1, Location: time.UTC, Fields: map[read.Field]read.FieldSpec{
		read.FieldRaised:   {Literal: "1200"},
		read.FieldCurrency: {Literal: "EUR"},
		read.FieldDonors:   {Literal: "85"},
	}}
	vals, trace, err := read.Page([]byte("<p>appeal</p>"), "text/html", read.KindHTML, spec, now)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		report checkReport
		want   []string
	}{
		{
			name: "income per month, patrons",
			report: checkReport{
				Campaign: source.Campaign{Name: "creator", URL: "https://example.org/c", RaisedBasis: "per_month", DonorsBasis: "patrons"},
				Values:   vals, Trace: source.Trace{Trace: trace},
			},
			want: []string{
				`^  raised +configured value +"1200" +1200 EUR a month \(raised_basis per_month\)$`,
				`^  donors +configured value +"85" +85 patrons \(donors_basis patrons\)$`,
			},
		},
		{
			name: "income of the last 12 months",
			report: checkReport{
				Campaign: source.Campaign{Name: "collective", URL: "https://example.org/c", RaisedBasis: "last_12_months"},
				Values:   vals, Trace: source.Trace{Trace: trace},
			},
			want: []string{`^  raised +configured value +"1200" +1200 EUR in the last 12 months \(raised_basis last_12_months\)$`},
		},
		{
			name: "a total and donors say nothing more",
			report: checkReport{
				Campaign: source.Campaign{Name: "drive", URL: "https://example.org/c", RaisedBasis: "cumulative", DonorsBasis: "donors"},
				Values:   vals, Trace: source.Trace{Trace: trace},
			},
			want: []string{`^  raised +configured value +"1200" +1200 EUR$`, `^  donors +configured value +"85" +85$`},
		},
		{
			name: "a URL that is none of the preset's pages",
			report: checkReport{
				Campaign: source.Campaign{Name: "search", URL: "https://www.gofundme.com/discover", Platform: "gofundme",
					PageShapes: []string{"/f/{slug}", "/manage/{slug}"}},
				Trace: source.Trace{Trace: trace},
				Err:   errors.New("raised: no selector matched"),
			},
			want: []string{
				`^  FAILED: the URL is none of the pages platform gofundme reads \(/f/\{slug\}, /manage/\{slug\}\), .*give a campaign page's URL`,
				`^  reading it: raised: no selector matched$`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := writeCheckReport(&out, []checkReport{tc.report}, now); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !regexp.MustCompile(`(?m)` + w).MatchString(out.String()) {
					t.Errorf("no line matches %s in:\n%s", w, out.String())
				}
			}
		})
	}
}

// TestCheckShowsEveryField: check formats the value of every field read
// knows, so that a new field cannot reach the report as "?".
func TestCheckShowsEveryField(t *testing.T) {
	amount, when := 12.0, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	vals := read.Values{Raised: &amount, Target: &amount, Remaining: &amount, Donors: &amount,
		Currency: "USD", Start: &when, Deadline: &when}
	for _, field := range read.Fields() {
		t.Run(string(field), func(t *testing.T) {
			if got := fieldValue(field, vals); got == "?" || got == "" {
				t.Errorf("fieldValue(%s) = %q", field, got)
			}
		})
	}
}
