package read

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// page is a small campaign page that exercises every form of selector.
const page = `<!DOCTYPE html><html><head><title>Campaign</title></head><body>
<h2 class="heading">$254,245 <span>raised of $100,000 goal</span></h2>
<div role="progressbar" aria-valuenow="65000" aria-valuemax="1000000"></div>
<p class="total">$1,000</p><p class="total">$2,000</p>
<p class="empty">   </p>
<time class="ends" datetime="2026-07-08">July 8</time>
<div data-project="{&quot;pledged&quot;:3061.0,&quot;goal&quot;:30000.0,&quot;currency&quot;:&quot;USD&quot;,&quot;deadline&quot;:1504220400,&quot;usd_pledged&quot;:&quot;3061.0&quot;}"></div>
<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"donationProgress":{"currentAmount":65000,"goalAmount":1000000}}}}</script>
<script>window.dataLayer = [];</script>
<script>window.initialState = {"feed":{"campaign":{"current_amount":254245,"currencycode":"USD","launch_date":"2020-12-10T20:52:08-06:00","flag":true,"nothing":null,"obj":{"x":1}}}};</script>
</body></html>`

func mustHTML(t *testing.T, body string) *pageDoc {
	t.Helper()
	doc, err := parsePageDoc([]byte(body), KindHTML)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestSelectValue(t *testing.T) {
	doc := mustHTML(t, page)
	tests := []struct {
		name     string
		selector string
		want     value
	}{
		{name: "element text, whitespace folded", selector: "h2.heading",
			want: value{text: "$254,245 raised of $100,000 goal"}},
		{name: "regexp capture", selector: "h2.heading | /raised of (.*) goal/",
			want: value{text: "$100,000"}},
		{name: "regexp without group takes the match", selector: "h2.heading | /\\$[\\d,]+/",
			want: value{text: "$254,245"}},
		{name: "attribute", selector: "div[role=progressbar]@aria-valuenow",
			want: value{text: "65000", machine: true}},
		{name: "several matches: the first in document order", selector: "p.total",
			want: value{text: "$1,000"}},
		{name: "JSON in an escaped attribute", selector: "[data-project]@data-project | pledged",
			want: value{number: 3061, isNumber: true, machine: true}},
		{name: "JSON string in an attribute", selector: "[data-project]@data-project | usd_pledged",
			want: value{text: "3061.0", machine: true}},
		{name: "Next.js data script", selector: "script#__NEXT_DATA__ | props.pageProps.donationProgress.goalAmount",
			want: value{number: 1e6, isNumber: true, machine: true}},
		{name: "script assigning an object", selector: `script:contains("window.initialState") | feed.campaign.current_amount`,
			want: value{number: 254245, isNumber: true, machine: true}},
		{name: "regexp on a JSON number", selector: `script:contains("window.initialState") | feed.campaign.current_amount | /^(\d\d)/`,
			want: value{text: "25", machine: true}},
		{name: "regexp may contain the stage separator", selector: "h2.heading | /(raised | collected)/",
			want: value{text: "raised"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := ParseSelector(tc.selector)
			if err != nil {
				t.Fatal(err)
			}
			got, err := doc.selectValue(sel)
			if err != nil {
				t.Fatalf("select %q: %v", tc.selector, err)
			}
			if got != tc.want {
				t.Errorf("select %q = %+v, want %+v", tc.selector, got, tc.want)
			}
		})
	}
}

func TestSelectValueErrors(t *testing.T) {
	doc := mustHTML(t, page)
	tests := []struct {
		name     string
		selector string
		wantErr  string
	}{
		{name: "no element", selector: ".missing", wantErr: "matched nothing"},
		{name: "no attribute", selector: "h2@data-x", wantErr: `attribute "data-x"`},
		{name: "regexp does not match", selector: "h2 | /pledged (\\d+)/", wantErr: "regexp /pledged (\\d+)/ matched nothing"},
		{name: "JSON path missing", selector: "[data-project]@data-project | backers", wantErr: `JSON path "backers" matched nothing`},
		{name: "JSON null", selector: `script:contains("initialState") | feed.campaign.nothing`, wantErr: "is null"},
		{name: "JSON object", selector: `script:contains("initialState") | feed.campaign.obj`, wantErr: "object or array"},
		{name: "JSON boolean", selector: `script:contains("initialState") | feed.campaign.flag`, wantErr: "boolean"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := ParseSelector(tc.selector)
			if err != nil {
				t.Fatal(err)
			}
			_, err = doc.selectValue(sel)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("select %q: error %v, want one containing %q", tc.selector, err, tc.wantErr)
			}
		})
	}
}

func TestParseSelectorErrors(t *testing.T) {
	tests := []struct {
		name, selector, wantErr string
	}{
		{name: "empty", selector: "  ", wantErr: "empty selector"},
		{name: "regexp first", selector: "/raised/", wantErr: "must follow a locator"},
		{name: "unclosed regexp", selector: "h2 | /raised (.*)", wantErr: "between slashes"},
		{name: "bad regexp", selector: "h2 | /raised (/", wantErr: "missing closing )"},
		{name: "two capture groups", selector: "h2 | /(\\d+) of (\\d+)/", wantErr: "2 capture groups"},
		{name: "third stage not a regexp", selector: "h2 | a.b | c.d", wantErr: "must be a /regexp/"},
		{name: "broken CSS", selector: "div[", wantErr: `"div[" is not a CSS selector`},
		{name: "broken CSS before a path", selector: "div[ | x", wantErr: `"div[" is not a CSS selector`},
		{name: "missed spaces round the bar", selector: `#total-raised|/(\d+)/`, wantErr: `stages are separated by a bar with a space on each side`},
		{name: "bad JSONPath", selector: `$..[?@.a==`, wantErr: `JSONPath "$..[?@.a=="`},
		{name: "JSONPath with a second path", selector: `$..a | b`, wantErr: `takes no second path`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSelector(tc.selector)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseSelector(%q): error %v, want one containing %q", tc.selector, err, tc.wantErr)
			}
		})
	}
}

func TestSelectorValidate(t *testing.T) {
	tests := []struct {
		name     string
		selector string
		kind     Kind
		ok       bool
	}{
		{name: "CSS on HTML", selector: "div.a > p", kind: KindHTML, ok: true},
		{name: "path on JSON", selector: "feed.campaign.current_amount", kind: KindJSON, ok: true},
		{name: "locator and path on JSON", selector: "a | b", kind: KindJSON},
		{name: "gjson query on JSON is not CSS but fine", selector: `items.#(id==2).amount`, kind: KindJSON, ok: true},
		{name: "auto accepts a JSON path", selector: `items.#(id==2).amount`, kind: KindAuto, ok: true},
		{name: "auto accepts a gjson path that is not CSS", selector: `loans.0.funded_amount`, kind: KindAuto, ok: true},
		{name: "JSONPath suits HTML", selector: `$..currentAmount.amount`, kind: KindHTML, ok: true},
		{name: "JSONPath suits JSON", selector: `$..currentAmount.amount`, kind: KindJSON, ok: true}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := ParseSelector(tc.selector)
			if err != nil {
				t.Fatal(err)
			}
			if err := sel.Validate(tc.kind); (err == nil) != tc.ok {
				t.Errorf("Validate(%q, %v) = %v, want ok=%v", tc.selector, tc.kind, err, tc.ok)
			}
		})
	}
}

func spec(fields map[Field]FieldSpec) Spec {
	return Spec{Fields: fields, AmountScale: 1, Location: time.UTC}
}

func sels(texts ...string) FieldSpec {
	fs := FieldSpec{}
	for _, s := range texts {
		fs.Selectors = append(fs.Selectors, MustParseSelector(s))
	}
	return fs
}

func TestExtract(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tm := func(v time.Time) *time.Time { return &v }
	tests := []struct {
		name string
		body string
		kind Kind
		spec Spec
		want Values
	}{
		{
			name: "gofundme heading: each number from its own selector, currency from the text",
			body: page, kind: KindHTML,
			spec: spec(map[Field]FieldSpec{
				FieldRaised: sels("h2.heading"),
				FieldTarget: sels("h2.heading | /of (.*) goal/"),
			}),
			want: Values{Raised: f(254245), Target: f(100000), Currency: "USD"},
		},
		{
			name: "CURRENCY names which dollar a bare $ is",
			body: `<p class="raised">$5,000 raised</p>`, kind: KindHTML,
			spec: spec(map[Field]FieldSpec{
				FieldRaised:   sels("p.raised"),
				FieldCurrency: {Literal: "NZD"},
			}),
			want: Values{Raised: f(5000), Currency: "NZD"},
		},
		{
			name: "CURRENCY names which krona kr is",
			body: `<p class="raised">12 500 kr</p>`, kind: KindHTML,
			spec: spec(map[Field]FieldSpec{
				FieldRaised:   sels("p.raised"),
				FieldCurrency: {Literal: "NOK"},
			}),
			want: Values{Raised: f(12500), Currency: "NOK"},
		},
		{
			name: "literals beside selectors; CURRENCY overrides the page",
			body: page, kind: KindHTML,
			spec: spec(map[Field]FieldSpec{
				FieldRaised:   sels("h2.heading"),
				FieldTarget:   {Literal: "1000000"},
				FieldCurrency: {Literal: "cad"},
				FieldStart:    {Literal: "2026-05-01"},
				FieldDeadline: sels("time.ends@datetime"),
			}),
			want: Values{Raised: f(254245), Target: f(1e6), Currency: "CAD",
				Start:    tm(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)),
				Deadline: tm(time.Date(2026, 7, 9, 0, 0, 0, 0, time.UTC))},
		},
		{
			name: "the first selector that matches wins",
			body: page, kind: KindHTML,
			spec: spec(map[Field]FieldSpec{
				FieldRaised: sels(".gone", "div[role=progressbar]@aria-valuenow"),
			}),
			want: Values{Raised: f(65000)},
		},
		{
			name: "optional field left unknown",
			body: page, kind: KindHTML,
			spec: spec(map[Field]FieldSpec{
				FieldRaised: sels("div[role=progressbar]@aria-valuenow"),
				FieldDonors: {Selectors: sels(".backers").Selectors, Optional: true},
			}),
			want: Values{Raised: f(65000)},
		},
		{
			name: "kickstarter project JSON: Unix deadline and currency field",
			body: page, kind: KindHTML,
			spec: spec(map[Field]FieldSpec{
				FieldRaised:   sels("[data-project]@data-project | pledged"),
				FieldTarget:   sels("[data-project]@data-project | goal"),
				FieldCurrency: sels("[data-project]@data-project | currency"),
				FieldDeadline: sels("[data-project]@data-project | deadline"),
			}),
			want: Values{Raised: f(3061), Target: f(30000), Currency: "USD",
				Deadline: tm(time.Unix(1504220400, 0).UTC())},
		},
		{
			name: "JSON document in cents",
			body: `{"balance": 123456, "yearlyIncome": 987654, "currency": "USD", "backersCount": 42, "since": "2026-01-01"}`,
			kind: KindJSON,
			spec: Spec{AmountScale: 0.01, Location: time.UTC, Fields: map[Field]FieldSpec{
				FieldRaised:   sels("yearlyIncome"),
				FieldCurrency: sels("currency"),
				FieldDonors:   sels("backersCount"),
				FieldTarget:   {Literal: "20000"},
				FieldStart:    sels("since"),
			}},
			want: Values{Raised: f(9876.54), Target: f(20000), Currency: "USD", Donors: f(42),
				Start: tm(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))},
		},
		{
			name: "JSONP document, decimal strings",
			body: `/**/ callback({"receiving": {"amount": "1.500", "currency": "EUR"}, "npatrons": 7});`,
			kind: KindJSON,
			spec: spec(map[Field]FieldSpec{
				FieldRaised:   sels("receiving.amount"),
				FieldCurrency: sels("receiving.currency"),
				FieldDonors:   sels("npatrons"),
			}),
			want: Values{Raised: f(1.5), Currency: "EUR", Donors: f(7)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := parsePageDoc([]byte(tc.body), tc.kind)
			if err != nil {
				t.Fatal(err)
			}
			got, err := extractValues(doc, tc.spec)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			assertValues(t, got, tc.want)
		})
	}
}

func assertValues(t *testing.T, got, want Values) {
	t.Helper()
	eqf := func(name string, g, w *float64) {
		t.Helper()
		switch {
		case g == nil && w == nil:
		case g == nil || w == nil:
			t.Errorf("%s = %v, want %v", name, fmtPtr(g), fmtPtr(w))
		case *g-*w > 1e-9 || *w-*g > 1e-9:
			t.Errorf("%s = %v, want %v", name, *g, *w)
		}
	}
	eqt := func(name string, g, w *time.Time) {
		t.Helper()
		if (g == nil) != (w == nil) || (g != nil && !g.Equal(*w)) {
			t.Errorf("%s = %v, want %v", name, g, w)
		}
	}
	eqf("raised", got.Raised, want.Raised)
	eqf("target", got.Target, want.Target)
	eqf("donors", got.Donors, want.Donors)
	eqt("start", got.Start, want.Start)
	eqt("deadline", got.Deadline, want.Deadline)
	if got.Currency != want.Currency {
		t.Errorf("currency = %q, want %q", got.Currency, want.Currency)
	}
}

func fmtPtr(f *float64) any {
	if f == nil {
		return "unknown"
	}
	return *f
}

func TestExtractErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		kind    Kind
		spec    Spec
		wantErr []string
	}{
		{
			name: "every failed field is reported, naming field and selector",
			body: page, kind: KindHTML,
			spec: spec(map[Field]FieldSpec{
				FieldRaised: sels(".gone"),
				FieldTarget: sels("p.empty"),
			}),
			wantErr: []string{`field raised: selector ".gone": matched nothing`, `field target: `, `no number in text`},
		},
		{
			name: "all selectors tried are listed",
			body: page, kind: KindHTML,
			spec:    spec(map[Field]FieldSpec{FieldRaised: sels(".a", ".b")}),
			wantErr: []string{`field raised: matched nothing by any selector tried: ".a" (matched nothing), ".b" (matched nothing)`},
		},
		{
			name: "wrong JSON type",
			body: `{"raised": {"x": 1}}`, kind: KindJSON,
			spec:    spec(map[Field]FieldSpec{FieldRaised: sels("raised")}),
			wantErr: []string{`field raised: selector "raised": JSON path "raised" is an object or array`},
		},
		{
			name: "CURRENCY that the page's amounts contradict fails, naming both",
			body: `<p class="raised">€12.500 gesammelt</p>`, kind: KindHTML,
			spec: spec(map[Field]FieldSpec{
				FieldRaised:   sels("p.raised"),
				FieldCurrency: {Literal: "USD", Setting: "DONATION_CAMPAIGN_0_CURRENCY"},
			}),
			wantErr: []string{`field currency: DONATION_CAMPAIGN_0_CURRENCY is USD but the page shows EUR for raised`},
		},
		{
			name: "an ISO code in the text contradicts CURRENCY too",
			body: `<p class="raised">1 234 CHF</p>`, kind: KindHTML,
			spec: spec(map[Field]FieldSpec{
				FieldRaised:   sels("p.raised"),
				FieldCurrency: {Literal: "EUR"},
			}),
			wantErr: []string{`field currency: the configured currency is EUR but the page shows CHF`},
		},
		{
			name: "a currency selector that contradicts the amounts fails",
			body: `<p class="raised">£900</p><span class="cur">EUR</span>`, kind: KindHTML,
			spec: spec(map[Field]FieldSpec{
				FieldRaised:   sels("p.raised"),
				FieldCurrency: sels("span.cur"),
			}),
			wantErr: []string{`field currency: the currency read is EUR but the page shows GBP`},
		},
		{
			name: "zero-config amounts contradict CURRENCY",
			body: `<p>£3,235 raised of £10,000 goal</p>`, kind: KindHTML,
			spec:    Spec{Fields: map[Field]FieldSpec{FieldCurrency: {Literal: "AUD"}}, AmountScale: 1, Location: time.UTC, ZeroConfig: true},
			wantErr: []string{`field currency: the configured currency is AUD but the page shows GBP`},
		},
		{
			name: "negative amount",
			body: `{"raised": -5}`, kind: KindJSON,
			spec:    spec(map[Field]FieldSpec{FieldRaised: sels("raised")}),
			wantErr: []string{"amount -5 is negative"},
		},
		{
			name: "amount out of range",
			body: `{"raised": "1e400"}`, kind: KindJSON,
			spec:    spec(map[Field]FieldSpec{FieldRaised: sels("raised")}),
			wantErr: []string{`amount "1e400" is out of range`},
		},
		{
			name: "NaN string",
			body: `{"raised": "NaN"}`, kind: KindJSON,
			spec:    spec(map[Field]FieldSpec{FieldRaised: sels("raised")}),
			wantErr: []string{"not a finite number"},
		},
		{
			name: "a date that does not exist",
			body: `{"raised": 1, "ends": "2026-02-30"}`, kind: KindJSON,
			spec:    spec(map[Field]FieldSpec{FieldRaised: sels("raised"), FieldDeadline: sels("ends")}),
			wantErr: []string{`field deadline: not a date: "2026-02-30"`, "day out of range"},
		},
		{
			name: "fractional donors",
			body: `{"raised": 1, "donors": 2.5}`, kind: KindJSON,
			spec:    spec(map[Field]FieldSpec{FieldRaised: sels("raised"), FieldDonors: sels("donors")}),
			wantErr: []string{"donor count 2.5 is not a whole number"},
		},
		{
			name: "unknown currency",
			body: `{"raised": 1, "cur": "dollars"}`, kind: KindJSON,
			spec:    spec(map[Field]FieldSpec{FieldRaised: sels("raised"), FieldCurrency: sels("cur")}),
			wantErr: []string{`"dollars" is not a currency code or symbol`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := parsePageDoc([]byte(tc.body), tc.kind)
			if err != nil {
				t.Fatal(err)
			}
			_, err = extractValues(doc, tc.spec)
			if err == nil {
				t.Fatal("Extract succeeded, want an error")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans several lines; a failed scrape must log one line", err)
			}
		})
	}
}

func TestParseDocumentErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		kind Kind
		want string
	}{
		{name: "empty HTML", body: " \n", kind: KindHTML, want: "empty response body"},
		{name: "not JSON", body: "<html>oops</html>", kind: KindJSON, want: "not valid JSON"},
		{name: "truncated JSON", body: `{"raised": 12`, kind: KindJSON, want: "not valid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parsePageDoc([]byte(tc.body), tc.kind)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseDocument: error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestKindForContentType(t *testing.T) {
	tests := []struct {
		contentType string
		want        Kind
	}{
		{"application/json", KindJSON},
		{"application/json; charset=utf-8", KindJSON},
		{"application/vnd.api+json", KindJSON},
		{"application/javascript", KindJSON},
		{"text/html; charset=utf-8", KindHTML},
		{"", KindHTML},
		{"garbage;;", KindHTML},
	}
	for _, tc := range tests {
		t.Run(tc.contentType, func(t *testing.T) {
			if got := kindForContentType(tc.contentType); got != tc.want {
				t.Errorf("KindForContentType(%q) = %v, want %v", tc.contentType, got, tc.want)
			}
		})
	}
}

// tryResult is a SelectorTry with its error reduced to whether there was one.
type tryResult struct {
	Selector string
	Matched  bool
}

func TestExtractTrace(t *testing.T) {
	const page = `<html><body>
<div class="meter" data-state='{"goal": 1000000}'>
  <h2 class="raised">$254,245 <span>raised of $100,000 goal</span></h2>
  <span class="donors">many</span>
</div></body></html>`
	sels := func(texts ...string) FieldSpec {
		fs := FieldSpec{}
		for _, s := range texts {
			fs.Selectors = append(fs.Selectors, MustParseSelector(s))
		}
		return fs
	}
	optional := func(fs FieldSpec) FieldSpec { fs.Optional = true; return fs }

	type fieldWant struct {
		field   Field
		literal string
		tries   []tryResult
		text    string
		failed  bool
	}
	tests := []struct {
		name    string
		fields  map[Field]FieldSpec
		want    []fieldWant
		wantErr bool
	}{
		{
			name: "first selector misses, second matches",
			fields: map[Field]FieldSpec{
				FieldRaised: sels(".progress@aria-valuenow", "h2.raised | /^(\\S+)/"),
			},
			want: []fieldWant{{
				field: FieldRaised,
				tries: []tryResult{{".progress@aria-valuenow", false}, {"h2.raised | /^(\\S+)/", true}},
				text:  "$254,245",
			}},
		},
		{
			name: "literal, JSON number in an attribute, and fields in Fields order",
			fields: map[Field]FieldSpec{
				FieldDeadline: {Literal: "2026-07-08"},
				FieldTarget:   sels("div.meter@data-state | goal"),
				FieldRaised:   {Literal: "5"},
			},
			want: []fieldWant{
				{field: FieldRaised, literal: "5", text: "5"},
				{field: FieldTarget, tries: []tryResult{{"div.meter@data-state | goal", true}}, text: "1000000"},
				{field: FieldDeadline, literal: "2026-07-08", text: "2026-07-08"},
			},
		},
		{
			name: "matched text that is not a number keeps the text and the error",
			fields: map[Field]FieldSpec{
				FieldRaised: sels("h2.raised | /^(\\S+)/"),
				FieldDonors: sels(".donors"),
			},
			want: []fieldWant{
				{field: FieldRaised, tries: []tryResult{{"h2.raised | /^(\\S+)/", true}}, text: "$254,245"},
				{field: FieldDonors, tries: []tryResult{{".donors", true}}, text: "many", failed: true},
			},
			wantErr: true,
		},
		{
			name: "optional field absent is traced without an error",
			fields: map[Field]FieldSpec{
				FieldRaised: sels("h2.raised | /^(\\S+)/"),
				FieldDonors: optional(sels(".backers", ".supporters")),
			},
			want: []fieldWant{
				{field: FieldRaised, tries: []tryResult{{"h2.raised | /^(\\S+)/", true}}, text: "$254,245"},
				{field: FieldDonors, tries: []tryResult{{".backers", false}, {".supporters", false}}},
			},
		},
		{
			name: "required field absent lists every selector tried",
			fields: map[Field]FieldSpec{
				FieldRaised: sels(".backers", "h2.raised | /collected (\\d+)/"),
			},
			want: []fieldWant{{
				field:  FieldRaised,
				tries:  []tryResult{{".backers", false}, {"h2.raised | /collected (\\d+)/", false}},
				failed: true,
			}},
			wantErr: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := parsePageDoc([]byte(page), KindHTML)
			if err != nil {
				t.Fatal(err)
			}
			spec := Spec{Fields: tc.fields, AmountScale: 1, Location: time.UTC}
			vals, traces, err := extract(doc, spec)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ExtractTrace error = %v, want error: %v", err, tc.wantErr)
			}
			// Extract is the same code path: same values, same error.
			plainVals, plainErr := extractValues(doc, spec)
			if !reflect.DeepEqual(plainVals, vals) || errString(plainErr) != errString(err) {
				t.Errorf("Extract = %+v, %v; ExtractTrace = %+v, %v", plainVals, plainErr, vals, err)
			}
			if len(traces) != len(tc.want) {
				t.Fatalf("got %d field traces, want %d: %+v", len(traces), len(tc.want), traces)
			}
			for i, w := range tc.want {
				tr := traces[i]
				var tries []tryResult
				for _, try := range tr.Tries {
					tries = append(tries, tryResult{try.Selector, try.Err == nil})
				}
				if tr.Field != w.field || tr.Literal != w.literal || tr.Text != w.text ||
					(tr.Err != nil) != w.failed || !reflect.DeepEqual(tries, w.tries) {
					t.Errorf("trace %d = {%s literal=%q tries=%v text=%q err=%v}, want {%s literal=%q tries=%v text=%q failed=%v}",
						i, tr.Field, tr.Literal, tries, tr.Text, tr.Err, w.field, w.literal, w.tries, w.text, w.failed)
				}
				if tr.Err != nil && !errors.Is(err, tr.Err) {
					t.Errorf("trace %d error %v is not part of the extraction error %v", i, tr.Err, err)
				}
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
