package source

import (
	"errors"
	"fmt"
	"testing"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/read"
)

// TestAdviseSettings: an error of a field zero-config could not decide
// names the settings that would decide it, as the campaign's configuration
// spells them (a variable, or a campaigns-file key); other errors are left
// as they are.
func TestAdviseSettings(t *testing.T) {
	raised := &read.UndecidedError{Field: read.FieldRaised, Reason: "the page gives different figures: 1, 2"}
	donors := &read.UndecidedError{Field: read.FieldDonors, Reason: "the page gives different figures: 3, 4"}
	env := Campaign{SettingPrefix: "DONATION_CAMPAIGN_3_"}
	file := Campaign{SettingPrefix: "campaigns.yml:7: campaigns[2] (name \"a\"): ", SettingsLower: true}
	tests := []struct {
		name string
		c    Campaign
		err  error
		want string
	}{
		{name: "no error", c: env, err: nil, want: "<nil>"},
		{name: "another error", c: env, err: errors.New("raised: no selector matched"), want: "raised: no selector matched"},
		{name: "one field, a variable", c: env, err: raised,
			want: "zero-config: field raised: the page gives different figures: 1, 2; give DONATION_CAMPAIGN_3_RAISED_SELECTOR or DONATION_CAMPAIGN_3_PLATFORM to say where"},
		{name: "two fields among others, a file key", c: file, err: errors.Join(raised, errors.New("start: not a date"), fmt.Errorf("wrapped: %w", donors)),
			want: "zero-config: field raised: the page gives different figures: 1, 2\nstart: not a date\nwrapped: zero-config: field donors: the page gives different figures: 3, 4; " +
				"give raised_selector and donors_selector or platform to say where"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.c.adviseSettings(tc.err)
			if fmt.Sprint(got) != tc.want {
				t.Errorf("got  %v\nwant %s", got, tc.want)
			}
			if tc.err != nil && !errors.Is(got, tc.err) {
				t.Error("the advice hides the reader's error from errors.Is")
			}
		})
	}
}

// TestRequestAccept: a campaign read as JSON asks for JSON first, as an
// API serving XML and JSON picks by Accept; a page keeps the fetcher's
// default.
func TestRequestAccept(t *testing.T) {
	for _, tc := range []struct {
		kind read.Kind
		want string
	}{
		{read.KindJSON, fetch.AcceptJSON},
		{read.KindHTML, ""},
		{read.KindAuto, ""},
	} {
		c := Campaign{URL: "https://api.example.org/v1/pages/a", Kind: tc.kind}
		if got := c.request().Accept; got != tc.want {
			t.Errorf("kind %v: Accept %q, want %q", tc.kind, got, tc.want)
		}
	}
}
