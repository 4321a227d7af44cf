package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/donation-exporter/donation_exporter/forecast"

	"github.com/donation-exporter/donation_exporter/collector"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// checkReport is what checking one campaign found.
type checkReport struct {
	Campaign source.Campaign
	Values   read.Values
	Trace    source.Trace
	Err      error
	Duration time.Duration
	// Donations is what the campaign's donation list gave; nil when it
	// has none (check_donations.go).
	Donations *checkDonations
}

// checkCampaigns fetches every campaign once, concurrently, and writes a
// report of how each field was read to w. It returns exitOK when every
// campaign was read, exitFailed otherwise.
func checkCampaigns(ctx context.Context, w io.Writer, campaigns []source.Campaign, fetcher *fetch.Fetcher, now time.Time) int {
	reports := make([]checkReport, len(campaigns))
	var wg sync.WaitGroup
	for i, c := range campaigns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			begin := time.Now()
			vals, trace, err := source.Scrape(ctx, fetcher, c, now)
			reports[i] = checkReport{Campaign: c, Values: vals, Trace: trace, Err: err, Duration: time.Since(begin)}
			if err == nil {
				reports[i].Donations = checkDonationList(ctx, fetcher, c, vals, now)
			}
		}()
	}
	wg.Wait()
	if err := writeCheckReport(w, reports, now); err != nil {
		return exitFailed
	}
	for _, r := range reports {
		if r.Err != nil {
			return exitFailed
		}
		if _, err := collector.Project(r.Values, r.Campaign.Curve, now); err != nil {
			return exitFailed
		}
	}
	return exitOK
}

// namesListed is how many campaign names an unknown name's error lists.
const namesListed = 20

// campaignNamed picks the campaign check NAME asks for; an unknown name is
// an error listing the names there are (the first namesListed of them).
func campaignNamed(campaigns []source.Campaign, name string) (source.Campaign, error) {
	names := make([]string, 0, min(len(campaigns), namesListed))
	for _, c := range campaigns {
		if c.Name == name {
			return c, nil
		}
		if len(names) < namesListed {
			names = append(names, strconv.Quote(c.Name))
		}
	}
	list := strings.Join(names, ", ")
	if more := len(campaigns) - len(names); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	return source.Campaign{}, fmt.Errorf("no campaign named %q: the campaigns are %s", name, list)
}

// readSummary says which fields were read, which optional ones the page
// lacks, and that selectors which found nothing were fallbacks, so that an
// OK line after a "no match" line does not read as a contradiction.
func readSummary(fields []read.FieldTrace) string {
	var read, absent []string
	misses := 0
	for _, f := range fields {
		if f.Literal == "" && f.Text == "" {
			absent = append(absent, string(f.Field))
			continue
		}
		read = append(read, string(f.Field))
		for _, try := range f.Tries {
			if try.Err != nil {
				misses++
			}
		}
	}
	s := "read " + strings.Join(read, ", ")
	if len(read) == 0 {
		s = "no field read"
	}
	if len(absent) > 0 {
		s += "; not on the page, left out (optional): " + strings.Join(absent, ", ")
	}
	switch misses {
	case 0:
	case 1:
		s += "; the selector that found nothing is a fallback: the next one was used"
	default:
		s += fmt.Sprintf("; the %d selectors that found nothing are fallbacks: the next one was used", misses)
	}
	return s
}

// writeCheckReport writes, for each campaign, a table of its fields (where
// each was looked for, the text found, the value read) and the figures the
// exporter derives from them.
func writeCheckReport(w io.Writer, reports []checkReport, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	failed := 0
	for i, r := range reports {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		writeCampaignHeader(tw, r)
		if !writeOutcome(tw, r, now) {
			failed++
		}
		writeDonationList(tw, r.Donations)
	}
	fmt.Fprintf(tw, "\n%d of %d campaigns read, %d failed\n", len(reports)-failed, len(reports), failed)
	return tw.Flush()
}

// writeCampaignHeader writes what was fetched and how each field was read.
func writeCampaignHeader(tw io.Writer, r checkReport) {
	c := r.Campaign
	fmt.Fprintf(tw, "campaign %q\n", c.Name)
	fmt.Fprintf(tw, "  page:\t%s\n", c.URL)
	if c.Platform != "" {
		fmt.Fprintf(tw, "  read by:\t%s\n", c.Platform)
	}
	// The URL whose answer was read: the endpoint, or the page after the
	// endpoint was gone.
	fetched := cmp.Or(r.Trace.URL, c.FetchURL, c.URL)
	if r.Trace.Kind != read.KindAuto {
		fmt.Fprintf(tw, "  fetched:\t%s, read as %s, in %v\n", fetched, r.Trace.Kind, r.Duration.Round(time.Millisecond))
	}
	if len(r.Trace.Fields) > 0 {
		fmt.Fprintln(tw, "\n  FIELD\tFROM\tTEXT FOUND\tVALUE")
		for _, f := range r.Trace.Fields {
			writeFieldRows(tw, f, r.Values, c)
		}
		if !hasField(r.Trace.Fields, read.FieldCurrency) && r.Values.Currency != "" {
			fmt.Fprintf(tw, "  %s\t(shown with the amounts)\t\t%s\n", read.FieldCurrency, r.Values.Currency)
		}
	}
}

// writeOutcome writes why the campaign failed, or its derived figures and
// notes; it reports whether the campaign was read.
func writeOutcome(tw io.Writer, r checkReport, now time.Time) bool {
	c := r.Campaign
	if r.Err != nil {
		if len(c.PageShapes) > 0 && len(r.Trace.Fields) > 0 {
			// The field that failed is the symptom: the preset's selectors
			// are written for its platform's campaign pages.
			fmt.Fprintf(tw, "\n  FAILED: the URL is none of the pages platform %s reads (%s), so its figures are looked for where they would be on one; give a campaign page's URL, or selectors for this page\n",
				c.Platform, strings.Join(c.PageShapes, ", "))
			fmt.Fprintf(tw, "  reading it: %v\n", r.Err)
			return false
		}
		fmt.Fprintf(tw, "\n  FAILED: %v\n", r.Err)
		return false
	}
	p, err := collector.Project(r.Values, c.Curve, now)
	if err != nil {
		fmt.Fprintf(tw, "\n  FAILED: project: %v\n", err)
		return false
	}
	fmt.Fprintln(tw, "\n  DERIVED\tVALUE")
	writeDerived(tw, r.Values, p)
	fmt.Fprintf(tw, "\n  OK: %s\n", readSummary(r.Trace.Fields))
	for _, note := range checkNotes(c, r.Values, p, now) {
		fmt.Fprintf(tw, "  %s\n", note)
	}
	return true
}

func hasField(fields []read.FieldTrace, field read.Field) bool {
	for _, f := range fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// writeFieldRows writes one row per selector tried (or one for a literal).
func writeFieldRows(w io.Writer, f read.FieldTrace, vals read.Values, c source.Campaign) {
	var result string
	switch {
	case f.Err != nil:
		result = "error: " + f.Err.Error()
	case f.Text != "":
		result = fieldValue(f.Field, vals) + basisText(f.Field, c)
	default:
		result = "unknown (optional, not on the page)"
	}
	if f.Literal != "" {
		fmt.Fprintf(w, "  %s\tconfigured value\t%q\t%s\n", f.Field, f.Literal, result)
		return
	}
	name := string(f.Field)
	for _, try := range f.Tries {
		text, value := "-", "no match: "+errString(try.Err)
		if try.Err == nil {
			text, value = strconv.Quote(f.Text), result
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", name, try.Selector, text, value)
		name = ""
	}
	if len(f.Tries) == 0 || (f.Err != nil && f.Tries[len(f.Tries)-1].Err != nil) {
		// No selector gave text: the field's error says why it failed.
		fmt.Fprintf(w, "  %s\t\t\t%s\n", name, result)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// fieldValue formats the value read for field, by what the field holds.
func fieldValue(field read.Field, v read.Values) string {
	switch field.Holds() {
	case read.HoldsMoney:
		return amount(v.Number(field), v.Currency)
	case read.HoldsCount:
		return amount(v.Number(field), "")
	case read.HoldsCurrency:
		return v.Currency
	case read.HoldsInstant:
		return instant(v.Instant(field))
	}
	return "?"
}

// basisText says what a figure counts when it is not the plain one
// (money raised so far, donors), as donation_campaign_info's basis labels
// do: a per-month figure shown bare reads as a total.
func basisText(field read.Field, c source.Campaign) string {
	switch {
	case field == read.FieldRaised && c.RaisedBasis != "" && c.RaisedBasis != "cumulative":
		return " " + raisedBasisText(c.RaisedBasis) + " (raised_basis " + c.RaisedBasis + ")"
	case field == read.FieldDonors && c.DonorsBasis != "" && c.DonorsBasis != "donors":
		return " " + c.DonorsBasis + " (donors_basis " + c.DonorsBasis + ")"
	}
	return ""
}

func raisedBasisText(basis string) string {
	switch basis {
	case "per_week":
		return "a week"
	case "per_month":
		return "a month"
	case "last_12_months":
		return "in the last 12 months"
	}
	return strings.ReplaceAll(basis, "_", " ")
}

func writeDerived(w io.Writer, v read.Values, p forecast.Projection) {
	rows := []struct {
		name, value string
	}{
		{"state", stateText(p.State)},
		{"progress ratio", number(p.ProgressRatio)},
		{"days left", number(p.DaysLeft)},
		{"daily rate (average since the start)", amount(p.DailyRate, v.Currency)},
		{"projected total at the deadline", amount(p.ProjectedTotal, v.Currency)},
		{"likely range (80 %)", projectedRange(p, v.Currency)},
		{"projected shortfall", amount(p.ProjectedShortfall, v.Currency)},
		{"required daily rate", amount(p.RequiredDailyRate, v.Currency)},
		{"forecast curve", p.Curve},
	}
	if p.State == forecast.StateEnded {
		rows[3].name = "daily rate (average from start to deadline)"
	}
	for i, r := range rows {
		if p.State == forecast.StateEnded && i >= 4 && r.value == number(nil) {
			r.value = "not exported: the campaign has ended"
		}
		fmt.Fprintf(w, "  %s\t%s\n", r.name, r.value)
	}
}

// projectedRange says the forecast's low–high range, "or more" when it has
// no upper bound yet.
func projectedRange(p forecast.Projection, currency string) string {
	switch {
	case p.ProjectedLow == nil:
		return number(nil)
	case p.ProjectedHigh == nil:
		return amount(p.ProjectedLow, currency) + " or more (no upper bound yet: too early in the campaign)"
	}
	return amount(p.ProjectedLow, currency) + " to " + amount(p.ProjectedHigh, currency)
}

// stateText says where the campaign is in its life, as donation_campaign_state does.
func stateText(s forecast.State) string {
	switch s {
	case forecast.StateNotStarted:
		return "not_started (the start is still to come)"
	case forecast.StateEnded:
		return "ended (the deadline has passed: figures are final)"
	}
	return string(s)
}

// number formats f with two decimals, or three significant digits when
// that needs more (0.0027 is not 0); unknown figures (nil) say so.
func number(f *float64) string {
	if f == nil {
		return "unknown (not exported)"
	}
	if *f == 0 || math.IsInf(*f, 0) || math.IsNaN(*f) {
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	decimals := 2
	if exp := int(math.Floor(math.Log10(math.Abs(*f)))); exp < 0 {
		decimals = 2 - exp // three significant digits
	}
	if decimals > 20 {
		return strconv.FormatFloat(*f, 'g', 3, 64)
	}
	s := strconv.FormatFloat(*f, 'f', decimals, 64)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

func amount(f *float64, currency string) string {
	s := number(f)
	if f != nil && currency != "" {
		s += " " + currency
	}
	return s
}

func instant(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return fmt.Sprintf("%s (Unix %d)", t.Format(time.RFC3339), t.Unix())
}
