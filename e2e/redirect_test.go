package e2e

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestShortLinkReadsItsTarget configures a GoFundMe campaign by a short
// link, which has no slug: the page it redirects to does, and that slug
// picks the fundraiser out of data that holds a neighbour first. Without
// it, the neighbour's figure would be the only one to go by.
func TestShortLinkReadsItsTarget(t *testing.T) {
	const neighbour = `"__APOLLO_STATE__":{"Fundraiser:1":{"__typename":"Fundraiser","slug":"someone-else","currentAmount":{"amount":99,"currencyCode":"USD"},"goalAmount":{"amount":100,"currencyCode":"USD"},"donationCount":1},`
	body := readSample(t, "gofundme/help-ahmad-2025-desktop.html", `"__APOLLO_STATE__":{`, neighbour)
	tests := []struct {
		name, target string
		up           float64
	}{
		{name: "to the fundraiser", target: "/f/axmft-help-ahmad-and-his-family", up: 1},
		{name: "to its donate page, slug in capitals", target: "/f/AXMFT-help-ahmad-and-his-family/donate?utm_source=short", up: 1},
		// A short link that lands on a page whose slug the data lacks:
		// two fundraisers, none the page's own, so nothing is reported.
		{name: "to a page the data does not name", target: "/f/renamed-since", up: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/2b4c6d8e" {
					http.Redirect(w, r, tc.target, http.StatusMovedPermanently)
					return
				}
				w.Header().Set("Content-Type", htmlType)
				_, _ = w.Write([]byte(body))
			}))
			defer site.Close()
			families := scrape(t, []string{
				"DONATION_CAMPAIGN_0_NAME=short",
				"DONATION_CAMPAIGN_0_URL=" + site.URL + "/2b4c6d8e",
				"DONATION_CAMPAIGN_0_PLATFORM=gofundme",
			})
			if up := gauge(families, "donation_up"); up == nil || *up != tc.up {
				t.Fatalf("donation_up = %v, want %v", describe(up), tc.up)
			}
			if tc.up == 0 {
				checkFigure(t, families, "donation_raised", nil)
				return
			}
			raised, target, donors := 13194.0, 35000.0, 498.0
			checkFigure(t, families, "donation_raised", &raised)
			checkFigure(t, families, "donation_target", &target)
			checkFigure(t, families, "donation_donors", &donors)
		})
	}
}
