package read

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The fuzz targets below feed parsers hostile text. Run one with
//
//	go test ./source -run='^$' -fuzz=FuzzParseMoney -fuzztime=60s
//
// Inputs that failed once are kept in testdata/fuzz/<target>/ and run as
// regression tests by a plain go test.

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{
		"$1,234,567.89", "1.234.567,89 €", "44.155,91 €", "170.000 €", "1 234 567,89", "CHF 1'234.50",
		"$192.3K", "1.8K", "$1M", "$1.5 million", "$254,245 raised of $100,000 goal", "1.500", "1,500",
		"0.500", "-5", "$-5", "US$5", "5 USD", "$1e400", "1.5e3", "NaN", "€", "", "1..2", "1,2,3,4,5",
		"99999999999999999999999999999999999999999999", "1\u00a0234,5 zł", "₹1,00,000", "¥1000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		m, err := parseMoney(text)
		if err != nil {
			return
		}
		if math.IsNaN(m.Amount) || math.IsInf(m.Amount, 0) {
			t.Errorf("ParseMoney(%q) = %v, not a finite number", text, m.Amount)
		}
		if m.Currency != "" && (len(m.Currency) != 3 || strings.ToUpper(m.Currency) != m.Currency) {
			t.Errorf("ParseMoney(%q) currency %q is not an ISO code", text, m.Currency)
		}
		if again, err := parseMoney(text); err != nil || again != m {
			t.Errorf("ParseMoney(%q) not deterministic: %v then %v, %v", text, m, again, err)
		}
	})
}

// FuzzParseMoneyFormats writes an amount the ways pages write money and
// checks that ParseMoney reads back exactly that amount.
func FuzzParseMoneyFormats(f *testing.F) {
	f.Add(uint64(123456789), uint8(0), true)
	f.Add(uint64(100000), uint8(1), false)
	f.Add(uint64(50), uint8(2), true)
	f.Fuzz(func(t *testing.T, cents uint64, style uint8, withCents bool) {
		cents %= 1e15 // up to ten trillion: exact in a float64
		if !withCents {
			cents -= cents % 100
		}
		styles := []struct{ group, decimal, prefix, suffix string }{
			{",", ".", "$", ""}, {".", ",", "", " €"}, {"\u00a0", ",", "", "\u00a0CHF"},
			{"'", ".", "CHF ", ""}, {"", ".", "£", ""}, {" ", ",", "", " zł"},
		}
		st := styles[int(style)%len(styles)]
		text := st.prefix + groupDigits(cents/100, st.group)
		if withCents {
			text += fmt.Sprintf("%s%02d", st.decimal, cents%100)
		}
		text += st.suffix
		m, err := parseMoney(text)
		if err != nil {
			t.Fatalf("ParseMoney(%q): %v", text, err)
		}
		if want := float64(cents) / 100; m.Amount != want {
			t.Errorf("ParseMoney(%q) = %v, want %v", text, m.Amount, want)
		}
	})
}

// FuzzParseMoneyMisplacedGroups writes an amount with its digit groups
// and then moves one group separator by one digit ("1,234,567" →
// "1,2345,67"): no person reads that as an amount, so ParseMoney must
// refuse it, or at the very least (a move that happens to give India's
// lakh grouping, "12,34,567") read the same amount. Never another figure.
func FuzzParseMoneyMisplacedGroups(f *testing.F) {
	f.Add(uint64(1234567), uint8(0), uint8(1), true)
	f.Add(uint64(123456), uint8(1), uint8(0), false)
	f.Add(uint64(98765432), uint8(2), uint8(3), true)
	f.Fuzz(func(t *testing.T, n uint64, style, which uint8, right bool) {
		n = 1000 + n%1e12
		styles := []struct{ group, decimal string }{{",", "."}, {".", ","}, {"'", "."}}
		st := styles[int(style)%len(styles)]
		grouped := groupDigits(n, st.group)
		var at []int
		for i := 0; i < len(grouped); i++ {
			if strings.HasPrefix(grouped[i:], st.group) {
				at = append(at, i)
			}
		}
		i := at[int(which)%len(at)]
		b := []byte(grouped)
		switch {
		case right && i+1 < len(b):
			b[i], b[i+1] = b[i+1], b[i]
		case !right && i > 1:
			b[i-1], b[i] = b[i], b[i-1]
		default:
			return // the move would put the separator at an end
		}
		text := string(b) + st.decimal + "50"
		m, err := parseMoney(text)
		if err == nil && m.Amount != float64(n)+0.5 {
			t.Errorf("ParseMoney(%q) = %v: a figure read from misplaced groups (written from %s)", text, m.Amount, grouped)
		}
		if err != nil && !strings.Contains(err.Error(), strconv.Quote(text)) {
			t.Errorf("ParseMoney(%q): error %q does not quote the text", text, err)
		}
	})
}

// groupDigits writes n with sep between groups of three digits.
func groupDigits(n uint64, sep string) string {
	s := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2026-07-08", "July 8, 2026", "8 July 2026", "July 8th, 2026", "Jul 8 2026", "Wednesday, July 8, 2026",
		"2026-07-08T12:00:00Z", "2026-07-08T12:00:00+02:00", "2026-07-08 12:00:00", "1504220400",
		"1504220400000", "1504220400.5", "2026-02-30", "2026-13-01", "", "  ", "0", "1e20",
		"99999999999999999999", "Mon, 02 Jan 2006 15:04:05 MST", "31st", "February 29, 2027",
		"/Date(1181059181000+0000)/", `\/Date(1749476949000)\/`, "/Date(-1+0100)/", "/Date(1+9999)/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		start, errStart := ParseDate(text, time.UTC, StartOfDay)
		end, errEnd := ParseDate(text, time.UTC, EndOfDay)
		if (errStart == nil) != (errEnd == nil) {
			t.Fatalf("ParseDate(%q): start err %v, end err %v", text, errStart, errEnd)
		}
		if errStart != nil {
			return
		}
		// A bare date spans a day; an instant is itself either way.
		if d := end.Sub(start); d != 0 && d != 24*time.Hour {
			t.Errorf("ParseDate(%q): end %v - start %v = %v, want 0 or 24h", text, end, start, d)
		}
	})
}

// FuzzDateRange writes a calendar date in every layout the exporter reads
// and as Unix time: a date in the years FirstYear–LastYear reads back as
// itself, anything else is an ErrDateRange (or ErrNoDate) error, never a
// date Go's arithmetic would overflow on.
func FuzzDateRange(f *testing.F) {
	f.Add(int64(3026), uint8(7), uint8(8), int64(0))
	f.Add(int64(1677), uint8(1), uint8(1), int64(-1))
	f.Add(int64(9999), uint8(12), uint8(31), int64(253402300799999))
	f.Add(int64(10000), uint8(1), uint8(1), int64(253402300800000))
	f.Add(int64(1970), uint8(1), uint8(1), int64(1e15))
	f.Fuzz(func(t *testing.T, year int64, month, day uint8, unix int64) {
		year %= 20000
		date := time.Date(int(year), time.Month(month%12+1), int(day%28+1), 0, 0, 0, 0, time.UTC)
		inRange := date.Year() >= FirstYear && date.Year() <= LastYear
		for _, layout := range dateLayouts {
			text := date.Format(layout)
			got, err := ParseDate(text, time.UTC, StartOfDay)
			switch {
			case err == nil && !inRange:
				t.Fatalf("ParseDate(%q) = %v, want an error: year %d is out of range", text, got, date.Year())
			case err == nil && !got.Equal(date):
				t.Fatalf("ParseDate(%q) = %v, want %v", text, got, date)
			case err != nil && inRange:
				t.Fatalf("ParseDate(%q): %v", text, err)
			case err != nil && !errors.Is(err, errDateRange) && !errors.Is(err, errNoDate):
				t.Fatalf("ParseDate(%q): %v, want ErrDateRange or ErrNoDate", text, err)
			}
		}
		got, err := DateFromNumber(float64(unix))
		if err != nil {
			if !errors.Is(err, errDateRange) && !errors.Is(err, errNoDate) {
				t.Fatalf("DateFromNumber(%d): %v", unix, err)
			}
			return
		}
		if y := got.Year(); y < FirstYear || y > LastYear {
			t.Fatalf("DateFromNumber(%d) = %v: year out of range", unix, got)
		}
		if s := UnixSeconds(got); math.Abs(s-float64(unix)) > 1e-3 && math.Abs(s-float64(unix)/1000) > 1e-3 {
			t.Fatalf("DateFromNumber(%d) = %v (Unix %v)", unix, got, s)
		}
	})
}

func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{
		"div[role=progressbar]@aria-valuenow", "feed.campaign.current_amount", "[data-project]@data-project | pledged",
		"script#__NEXT_DATA__ | props.pageProps.donationProgress.currentAmount", "h2 | /raised of (.*) goal/",
		".x | a.b | /(\\d+)/", "| /x/", "/x/", "a | /(a)(b)/", "a | b | c", "a[", "@", "", "p:nth-child(2n+1)",
		"#raised | /[/", "a | //", "data.items.#.amount", "x | /a | b/", "p:contains(x)",
	} {
		f.Add(s)
	}
	html, err := parsePageDoc([]byte(`<div role="progressbar" aria-valuenow="5"><p class="x">$1 raised of $2 goal</p>`+
		`<script id="__NEXT_DATA__">{"props":{"pageProps":{"amount":3}}}</script></div>`), KindHTML)
	if err != nil {
		f.Fatal(err)
	}
	json, err := parsePageDoc([]byte(`{"feed":{"campaign":{"current_amount":5}},"data":{"items":[{"amount":1}]}}`), KindJSON)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		sel, err := ParseSelector(text)
		if err != nil {
			return
		}
		if sel.String() != strings.TrimSpace(text) {
			t.Errorf("ParseSelector(%q).String() = %q", text, sel.String())
		}
		for _, kind := range []Kind{KindAuto, KindHTML, KindJSON} {
			_ = sel.Validate(kind)
		}
		_, _ = html.selectValue(sel)
		_, _ = json.selectValue(sel)
	})
}

// FuzzReadPage runs whole pages, any bytes under any Content-Type, through
// the decoding, parsing and extraction a scrape does.
func FuzzReadPage(f *testing.F) {
	seeds := []struct{ body, contentType string }{
		{`<html><body><div role="progressbar" aria-valuenow="65000" aria-valuemax="1000000"></div>` +
			`<p class="raised">$65.0K<!-- --> raised of $1.0M goal</p><time class="start" datetime="2026-03-01">March 1</time>` +
			`<script id="data">window.initialState = {"deadline": "2026-07-08", "donors": 312};</script>` +
			`<span class="donors">312 donors</span></body></html>`, "text/html; charset=utf-8"},
		{`{"raised": 254245, "goal": "100000", "currency": "usd", "start": 1501605380, "deadline": "2026-07-08", "donors": 48}`, "application/json"},
		{`/**/ callback({"raised": "1.5", "goal": null});`, "application/javascript"},
		{"\xff\xfe<\x00p\x00>\x00", "text/html"},
		{`<p class="raised">44.155,91 €</p>`, "text/html; charset=windows-1252"},
		{"", "text/html"},
		{"{", "application/json"},
	}
	for _, s := range seeds {
		f.Add([]byte(s.body), s.contentType)
	}
	pages, _ := filepath.Glob("testdata/*.html")
	for _, p := range pages {
		body, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body, "text/html")
	}
	sel := func(texts ...string) FieldSpec {
		fs := FieldSpec{Optional: true}
		for _, s := range texts {
			fs.Selectors = append(fs.Selectors, MustParseSelector(s))
		}
		return fs
	}
	campaigns := []pageSpec{
		{Name: "html", Kind: KindAuto, Spec: Spec{AmountScale: 1, Fields: map[Field]FieldSpec{
			FieldRaised:   sel("div[role=progressbar]@aria-valuenow", ".raised | /(.*) raised/", "#total-raised"),
			FieldTarget:   sel("div[role=progressbar]@aria-valuemax", ".raised | /of (.*) goal/", ".goal-block .bold"),
			FieldCurrency: sel("[data-currency]@data-currency"),
			FieldStart:    sel("time.start@datetime"),
			FieldDeadline: sel("script#data | deadline"),
			FieldDonors:   sel(".donors | /(\\d+) donors/", "script#data | donors"),
		}}},
		{Name: "json", Kind: KindJSON, Spec: Spec{AmountScale: 0.01, Fields: map[Field]FieldSpec{
			FieldRaised:   sel("raised"),
			FieldTarget:   sel("goal"),
			FieldCurrency: sel("currency"),
			FieldStart:    sel("start"),
			FieldDeadline: sel("deadline"),
			FieldDonors:   sel("donors"),
		}}},
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		for _, c := range campaigns {
			v, err := c.Read(testPage{Body: body, ContentType: contentType})
			if err != nil {
				continue
			}
			for name, n := range map[string]*float64{"raised": v.Raised, "target": v.Target, "donors": v.Donors} {
				if n != nil && (math.IsNaN(*n) || math.IsInf(*n, 0) || *n < 0) {
					t.Errorf("%s campaign read %s = %v", c.Name, name, *n)
				}
			}
		}
	})
}
