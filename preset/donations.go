package preset

import (
	"fmt"
	"net/url"

	"github.com/donation-exporter/donation_exporter/donations"
	"github.com/donation-exporter/donation_exporter/read"
)

// DonationList is how a platform publishes each donation with its time
// (package donations reads it).
type DonationList struct {
	// Items is the dotted path of the array in the answer; empty when the
	// answer is the array.
	Items string `yaml:"items"`
	// Amount and Time are dotted paths inside each donation; an amount
	// null or absent is one the donor hid.
	Amount string `yaml:"amount"`
	Time   string `yaml:"time"`
	// Order is the list's order: newest_first, the only one read.
	Order string `yaml:"order"`
	// Paging says how the list is split into pages; none: one page.
	Paging struct {
		Limit       string `yaml:"limit"`
		MaxLimit    int    `yaml:"max_limit"`
		Offset      string `yaml:"offset"`
		TotalHeader string `yaml:"total_header"`
	} `yaml:"paging"`
}

// checkDonations checks the donation list: declared where a page names
// one, with its paths, its order and whole paging.
func (p *Preset) checkDonations() []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	named := false
	for _, pg := range p.Pages {
		named = named || pg.Donations != ""
	}
	d := p.Donations
	switch {
	case d == nil && named:
		return []error{fmt.Errorf("donations: pages name donation lists, and the preset says not how to read them")}
	case d == nil:
		return nil
	case !named:
		fail("donations: no page names a donation list")
	}
	if p.kind != read.KindJSON {
		fail("donations: a donation list is read from JSON, and the preset reads %s", p.KindName)
	}
	if d.Amount == "" || d.Time == "" {
		fail("donations: amount and time are required")
	}
	if d.Order != "newest_first" {
		fail("donations: order %q: want newest_first", d.Order)
	}
	pg := d.Paging
	if pg.Limit != "" && (pg.MaxLimit <= 0 || pg.Offset == "") {
		fail("donations: paging by %s needs max_limit and offset", pg.Limit)
	}
	if pg.Limit == "" && (pg.MaxLimit != 0 || pg.Offset != "") {
		fail("donations: paging gives max_limit or offset without limit")
	}
	return errs
}

// donationSpec is the donation list of the page at u, whose pattern names
// the list at path; nil when it names none.
func (p *Preset) donationSpec(u *url.URL, path string, vars map[string]string) *donations.Spec {
	if path == "" || p.Donations == nil {
		return nil
	}
	d := p.Donations
	return &donations.Spec{
		URL:    endpointURL(u, fillPlaceholders(path, func(name string) string { return vars[name] })),
		Format: donations.Format{Items: d.Items, Amount: d.Amount, Time: d.Time, AmountScale: p.AmountScale},
		Paging: donations.Paging{LimitParam: d.Paging.Limit, OffsetParam: d.Paging.Offset,
			MaxLimit: d.Paging.MaxLimit, TotalHeader: d.Paging.TotalHeader},
	}
}
