package collector

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/donation-exporter/donation_exporter/config"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// TestReservedLabelsCoverMetrics gathers every donation_* series a
// campaign can have and fails when one carries a label name that package
// config does not reserve: a campaign's LABELS of that name would make the
// descriptors invalid.
func TestReservedLabelsCoverMetrics(t *testing.T) {
	reserved := config.ReservedLabelNames()
	for _, name := range LabelNames() {
		if !slices.Contains(reserved, name) {
			t.Errorf("label %q of a donation_* metric is not reserved in package config", name)
		}
	}
	page := serveSite(t, page("application/json", `{"raised": 10, "target": 100, "donors": 2, "start": "2026-06-01", "deadline": "2026-07-01"}`))
	fields := map[read.Field]read.FieldSpec{
		read.FieldRaised: selectors(t, "raised"), read.FieldTarget: selectors(t, "target"), read.FieldDonors: selectors(t, "donors"),
		read.FieldStart: selectors(t, "start"), read.FieldDeadline: selectors(t, "deadline"), read.FieldCurrency: {Literal: "USD"},
	}
	var logs bytes.Buffer
	c := newTestCollector(t, []source.Campaign{campaign("full", page, read.KindJSON, fields)}, &logs)
	reg := prometheus.NewRegistry()
	reg.MustRegister(c.Metrics(c.Scrape(t.Context())))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(families) < 10 {
		t.Fatalf("only %d families gathered: %s", len(families), logs.String())
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if !slices.Contains(reserved, l.GetName()) {
					t.Errorf("%s carries label %q, not reserved in package config", f.GetName(), l.GetName())
				}
			}
		}
	}
}

// TestBadCampaignContained serves /metrics with a campaign whose series
// cannot be made (a label value that is not UTF-8, a clashing label name
// that got past config) beside good ones: the bad one is left out and
// logged at error, the others are all there.
func TestBadCampaignContained(t *testing.T) {
	site := serveSite(t, page("text/html", goodPage))
	fields := map[string]read.Field{"#raised": read.FieldRaised}
	mk := func(name string, labels map[string]string) source.Campaign {
		f := map[read.Field]string{}
		for sel, field := range fields {
			f[field] = sel
		}
		c := hostileCampaign(name, site+"/"+name, read.KindHTML, 0, f)
		c.Labels = labels
		return c
	}
	campaigns := []source.Campaign{
		mk("first", map[string]string{"team": "north"}),
		mk("bad_value", map[string]string{"team": "\xff"}),
		mk("clash", map[string]string{"raised_basis": "x", "team": "south"}),
		mk("caf\xe9", nil),
		mk("last", nil),
	}
	var logs bytes.Buffer
	c := newTestCollector(t, campaigns, &logs)
	rec := httptest.NewRecorder()
	c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`donation_up{campaign="first",team="north"} 1`,
		`donation_up{campaign="clash",team="south"} 1`,
		`donation_up{campaign="last",team=""} 1`,
		`donation_campaign_info{campaign="clash",donors_basis="",forecast="linear",platform="",raised_basis="",team="south"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, `"bad_value"`) || strings.Contains(body, "caf") {
		t.Errorf("a campaign whose series cannot be made was served:\n%s", body)
	}
	if n := strings.Count(logs.String(), `level=ERROR msg="campaign left out of the metrics"`); n != 2 {
		t.Errorf("%d campaigns logged as left out at error, want 2 (bad_value, the name that is not UTF-8):\n%s", n, logs.String())
	}
}
