package preset

import "testing"

// The page of JustGiving's recorded sandbox answer, and the answer.
const (
	jgPage = "https://www.justgiving.com/fundraising/Sdk2-test-31d713d9a6894064be964500bd7f45c3"
	jgFile = "justgiving/page-sdk2-test-sandbox-2015.json"
)

// TestVariantsJustGiving reads JustGiving's recorded answer changed the
// ways a page's figures change: money given, a target set, a currency.
func TestVariantsJustGiving(t *testing.T) {
	runVariants(t, []variant{
		{
			// As recorded: nothing raised, "0.00" for no target.
			name: "justgiving new page", preset: "justgiving", url: jgPage, file: jgFile,
			want: "raised=0 target=- currency=GBP start=- deadline=2016-03-30T23:00:00Z donors=-",
		},
		{
			// Money given online, offline and by SMS, and Gift Aid on top:
			// raised is the grand total, never a part, never with Gift Aid.
			name: "justgiving total with offline money and Gift Aid", preset: "justgiving", url: jgPage, file: jgFile,
			edit: []string{
				`"totalRaisedOffline":"0"`, `"totalRaisedOffline":"155.0000"`,
				`"totalRaisedOnline":"0"`, `"totalRaisedOnline":"978.0000"`,
				`"totalRaisedSms":"0"`, `"totalRaisedSms":"202.0000"`,
				`"grandTotalRaisedExcludingGiftAid":"0"`, `"grandTotalRaisedExcludingGiftAid":"1335.0000"`,
				`"totalEstimatedGiftAid":"0"`, `"totalEstimatedGiftAid":"254.2116"`,
			},
			want: "raised=1335 target=- currency=GBP start=- deadline=2016-03-30T23:00:00Z donors=-",
		},
		{
			name: "justgiving target set", preset: "justgiving", url: jgPage, file: jgFile,
			edit: []string{`"fundraisingTarget":"0.00"`, `"fundraisingTarget":"500.00"`},
			want: "raised=0 target=500 currency=GBP start=- deadline=2016-03-30T23:00:00Z donors=-",
		},
		{
			name: "justgiving target zero written without decimals", preset: "justgiving", url: jgPage, file: jgFile,
			edit: []string{`"fundraisingTarget":"0.00"`, `"fundraisingTarget":"0"`},
			want: "raised=0 target=- currency=GBP start=- deadline=2016-03-30T23:00:00Z donors=-",
		},
		{
			// A target below one: not zero.
			name: "justgiving target of a fraction", preset: "justgiving", url: jgPage, file: jgFile,
			edit: []string{`"fundraisingTarget":"0.00"`, `"fundraisingTarget":"0.50"`},
			want: "raised=0 target=0.5 currency=GBP start=- deadline=2016-03-30T23:00:00Z donors=-",
		},
		{
			name: "justgiving page in euros", preset: "justgiving", url: jgPage, file: jgFile,
			edit: []string{`"currencySymbol":"£","currencyCode":"GBP"`, `"currencySymbol":"€","currencyCode":"EUR"`},
			want: "raised=0 target=- currency=EUR start=- deadline=2016-03-30T23:00:00Z donors=-",
		},
	})
}

// TestVariantsJustGivingRefuses: an answer without the page's grand total,
// or without its currency code, reads nothing rather than a part or a
// guess.
func TestVariantsJustGivingRefuses(t *testing.T) {
	runVariants(t, []variant{
		{
			// Without the code the symbol is not read: "$" names several
			// currencies JustGiving pages are in.
			name: "justgiving currency code gone", preset: "justgiving", url: jgPage, file: jgFile,
			edit: []string{`"currencyCode":"GBP",`, ``},
			want: "raised=0 target=- currency=- start=- deadline=2016-03-30T23:00:00Z donors=-",
		},
		{
			// The grand total gone, its parts still there: no part stands
			// in for it.
			name: "justgiving grand total gone", preset: "justgiving", url: jgPage, file: jgFile,
			edit:    []string{`"grandTotalRaisedExcludingGiftAid":"0",`, ``, `"totalRaisedOnline":"0"`, `"totalRaisedOnline":"25.00"`},
			wantErr: []string{"field raised: ", `JSON path "grandTotalRaisedExcludingGiftAid" matched nothing`},
		},
		{
			// JustGiving's documentation sample, of the API's older shape:
			// online, offline and SMS apart and no grand total. It reads
			// no amount rather than the online part (978 of 1335).
			name: "justgiving documentation sample without a grand total", preset: "justgiving",
			url: "https://www.justgiving.com/fundraising/my-page", file: "justgiving/page-doc-sample-2811920.json",
			wantErr: []string{"field raised: ", `JSON path "grandTotalRaisedExcludingGiftAid" matched nothing`},
		},
	})
}
