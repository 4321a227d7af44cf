// Package demo serves a made-up donation page, shaped like a real campaign
// page, so that the exporter can be tried without network access and
// without a campaign of one's own.
package demo

import (
	_ "embed"
	"html/template"
	"math"
	"net/http"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// Name is the demo campaign's label.
const Name = "demo"

// The demo campaign: a project that must raise $1M, 75 days into a 112-day
// drive with $200k raised, gaining a little faster than its average so far
// ($2,667 a day) but far below the $21,600 a day it needs.
const (
	target         = 1_000_000
	raisedAtLaunch = 200_000
	donorsAtLaunch = 3_100
	daysElapsed    = 75
	daysLeft       = 37
	dollarsPerDay  = 4_320 // 5 cents a second: graphs move within minutes
	donorsPerDay   = 72    // one every 20 minutes
)

//go:embed page.html.tmpl
var pageTemplate string

var page = template.Must(template.New("demo").Parse(pageTemplate))

// Page serves the demo donation page. Its figures are a function of the
// time since launched, so that raised and donors grow while it runs.
type Page struct {
	launched time.Time
	now      func() time.Time
}

// NewPage returns the demo page as of launched; now tells the time (nil
// means time.Now).
func NewPage(launched time.Time, now func() time.Time) *Page {
	if now == nil {
		now = time.Now
	}
	return &Page{launched: launched.UTC(), now: now}
}

type pageData struct {
	Raised, Target                     int64
	RaisedText, TargetText, DonorsText string
	Percent                            string
	StartISO, StartText                string
	DeadlineDate, DeadlineText         string
}

// ServeHTTP writes the page.
func (p *Page) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	days := math.Max(p.now().Sub(p.launched).Hours()/24, 0)
	raised := int64(raisedAtLaunch + dollarsPerDay*days)
	donors := int64(donorsAtLaunch + donorsPerDay*days)
	start := p.launched.Add(-daysElapsed * 24 * time.Hour)
	deadline := p.launched.Add(daysLeft * 24 * time.Hour)
	en := message.NewPrinter(language.English)
	data := pageData{
		Raised:       raised,
		Target:       target,
		RaisedText:   en.Sprintf("$%d", raised),
		TargetText:   en.Sprintf("$%d", target),
		DonorsText:   en.Sprintf("%d", donors),
		Percent:      en.Sprintf("%.1f", 100*float64(raised)/target),
		StartISO:     start.Format(time.RFC3339),
		StartText:    start.Format("January 2, 2006"),
		DeadlineDate: deadline.Format("2006-01-02"),
		DeadlineText: deadline.Format("January 2, 2006"),
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = page.Execute(w, data) // a write error means the client went away
}

// Campaign is the demo campaign as it would be configured by hand: the
// selectors below are what DONATION_CAMPAIGN_0_*_SELECTOR would say.
func Campaign(url string) source.Campaign {
	sel := func(s string) read.FieldSpec {
		return read.FieldSpec{Selectors: []read.Selector{read.MustParseSelector(s)}}
	}
	return source.Campaign{
		Name:     Name,
		URL:      url,
		FetchURL: url,
		Kind:     read.KindHTML,
		Platform: source.PlatformSelectors,
		// The demo page shows money raised so far and a donor count.
		RaisedBasis: "cumulative",
		DonorsBasis: "donors",
		Spec: read.Spec{
			AmountScale: 1,
			Location:    time.UTC,
			Fields: map[read.Field]read.FieldSpec{
				read.FieldRaised:   sel("div[role=progressbar]@aria-valuenow"),
				read.FieldTarget:   sel(".progress-text | /raised of (.*) goal/"),
				read.FieldStart:    sel("time.start@datetime"),
				read.FieldDeadline: sel("time.deadline@datetime"),
				read.FieldDonors:   sel(".donors"),
			},
		},
		Timeout: 5 * time.Second,
	}
}
