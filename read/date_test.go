package read

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below exist without a system zoneinfo database
)

func TestParseDate(t *testing.T) {
	santiago, havana := mustLoad(t, "America/Santiago"), mustLoad(t, "America/Havana")
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		text  string
		loc   *time.Location
		bound DayBound
		want  time.Time
	}{
		{name: "RFC 3339 with offset", text: "2020-12-10T20:52:08-06:00", loc: time.UTC,
			want: time.Date(2020, 12, 11, 2, 52, 8, 0, time.UTC)},
		{name: "RFC 3339 UTC fraction", text: "2026-07-08T12:00:00.5Z", loc: time.UTC,
			want: time.Date(2026, 7, 8, 12, 0, 0, 5e8, time.UTC)},
		{name: "local time without offset uses the location", text: "2026-07-08T12:00:00", loc: berlin,
			want: time.Date(2026, 7, 8, 10, 0, 0, 0, time.UTC)},
		{name: "bare deadline date is the end of that day", text: "2026-07-08", loc: time.UTC, bound: EndOfDay,
			want: time.Date(2026, 7, 9, 0, 0, 0, 0, time.UTC)},
		{name: "bare start date is its beginning", text: "2026-07-08", loc: time.UTC, bound: StartOfDay,
			want: time.Date(2026, 7, 8, 0, 0, 0, 0, time.UTC)},
		{name: "bare date in a time zone", text: "2026-07-08", loc: berlin, bound: EndOfDay,
			want: time.Date(2026, 7, 8, 22, 0, 0, 0, time.UTC)},
		{name: "deadline before a skipped midnight ends when the clocks jump", text: "2026-09-05", loc: santiago, bound: EndOfDay,
			want: time.Date(2026, 9, 6, 4, 0, 0, 0, time.UTC)},
		{name: "start on a day whose midnight is skipped", text: "2026-09-06", loc: santiago, bound: StartOfDay,
			want: time.Date(2026, 9, 6, 4, 0, 0, 0, time.UTC)},
		{name: "deadline before a skipped midnight in Havana", text: "March 7, 2026", loc: havana, bound: EndOfDay,
			want: time.Date(2026, 3, 8, 5, 0, 0, 0, time.UTC)},
		{name: "deadline on the day clocks go back", text: "2026-04-04", loc: santiago, bound: EndOfDay,
			want: time.Date(2026, 4, 5, 4, 0, 0, 0, time.UTC)},
		{name: "month name first", text: "July 8, 2026", loc: time.UTC, bound: EndOfDay,
			want: time.Date(2026, 7, 9, 0, 0, 0, 0, time.UTC)},
		{name: "day first", text: "8 July 2026", loc: time.UTC,
			want: time.Date(2026, 7, 8, 0, 0, 0, 0, time.UTC)},
		{name: "ordinal and short month", text: "Jul 8th, 2026", loc: time.UTC,
			want: time.Date(2026, 7, 8, 0, 0, 0, 0, time.UTC)},
		{name: "extra spaces", text: "  July   8,  2026 ", loc: time.UTC,
			want: time.Date(2026, 7, 8, 0, 0, 0, 0, time.UTC)},
		{name: "unix seconds", text: "1504220400", loc: time.UTC,
			want: time.Unix(1504220400, 0).UTC()},
		{name: "unix milliseconds", text: "1504220400000", loc: time.UTC,
			want: time.Unix(1504220400, 0).UTC()},
		// As JustGiving's API writes dates: in a real charity answer
		// (rug1/charity-donations stuff.js, "dateAddedToJustGiving"), and
		// a donation's date without an offset (jg.go of a public rally
		// scorer, "donationDate"). The offset moves no instant.
		{name: "Microsoft JSON date", text: "/Date(1181059181000+0000)/", loc: time.UTC,
			want: time.UnixMilli(1181059181000).UTC()},
		{name: "Microsoft JSON date with escaped slashes", text: `\/Date(1181059181000+0000)\/`, loc: time.UTC,
			want: time.UnixMilli(1181059181000).UTC()},
		{name: "Microsoft JSON date without offset", text: "/Date(1749476949000)/", loc: berlin,
			want: time.UnixMilli(1749476949000).UTC()},
		{name: "Microsoft JSON date in British summer time", text: "/Date(1749476949000+0100)/", loc: time.UTC,
			want: time.UnixMilli(1749476949000).UTC()},
		{name: "Microsoft JSON date west of UTC", text: "/Date(1749476949000-0530)/", loc: time.UTC,
			want: time.UnixMilli(1749476949000).UTC()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDate(tc.text, tc.loc, tc.bound)
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tc.text, err)
			}
			if !got.Equal(tc.want) {
				t.Errorf("ParseDate(%q) = %v, want %v", tc.text, got.UTC(), tc.want)
			}
		})
	}
}

func TestParseDateErrors(t *testing.T) {
	for _, text := range []string{"", "soon", "2026-02-30", "February 30, 2026", "2026-13-01", "1e400",
		"/Date(1749476949000+2500)/", "/Date(1749476949000+0160)/", "/Date()/", "/Date(17494769490000000)/"} {
		t.Run(text, func(t *testing.T) {
			got, err := ParseDate(text, time.UTC, EndOfDay)
			if !errors.Is(err, errNoDate) {
				t.Errorf("ParseDate(%q) = %v, %v; want an ErrNoDate error", text, got, err)
			}
		})
	}
}

func TestDateRange(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		bound   DayBound
		want    time.Time
		wantErr error
	}{
		{name: "far deadline in range", text: "July 8, 3026", bound: EndOfDay, want: time.Date(3026, 7, 9, 0, 0, 0, 0, time.UTC)},
		{name: "last day accepted", text: "9999-12-31", bound: EndOfDay, want: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{name: "first day accepted", text: "1970-01-01", want: time.Unix(0, 0).UTC()},
		{name: "before 1970", text: "1677-01-01", wantErr: errDateRange},
		{name: "year 1", text: "January 1, 0001", wantErr: errDateRange},
		{name: "instant before 1970", text: "1969-12-31T23:59:59Z", wantErr: errDateRange},
		{name: "milliseconds after 9999", text: "999999999999999", wantErr: errDateRange},
		{name: "latest milliseconds accepted", text: "253402300799000", want: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDate(tc.text, time.UTC, tc.bound)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("ParseDate(%q) = %v, %v; want %v", tc.text, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || !got.Equal(tc.want) {
				t.Fatalf("ParseDate(%q) = %v, %v; want %v", tc.text, got, err, tc.want)
			}
		})
	}
}

func TestUnixSeconds(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want float64
	}{
		{time.Date(3026, 7, 9, 0, 0, 0, 0, time.UTC), 33340464000},
		{time.Unix(1504220400, 5e8), 1504220400.5},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), 253402300800},
	} {
		if got := UnixSeconds(tc.t); got != tc.want {
			t.Errorf("UnixSeconds(%v) = %v, want %v (UnixNano gives %v)", tc.t, got, tc.want, float64(tc.t.UnixNano())/1e9)
		}
	}
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("time zone %s: %v", name, err)
	}
	return loc
}

func TestCheckDates(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	at := func(y int, m time.Month, d int) *time.Time { t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); return &t }
	num := func(f float64) *float64 { return &f }
	tests := []struct {
		name string
		v    Values
		want []string // substrings of the error; none: no error
	}{
		{name: "running campaign", v: Values{Start: at(2026, 11, 1), Deadline: at(2027, 1, 1), Raised: num(5)}},
		{name: "ended campaign", v: Values{Start: at(2017, 8, 1), Deadline: at(2017, 9, 1), Raised: num(3061)}},
		{name: "no dates", v: Values{Raised: num(5)}},
		{name: "not started, nothing raised", v: Values{Start: at(2026, 12, 15), Deadline: at(2027, 1, 31), Raised: num(0)}},
		{name: "not started, raised unknown", v: Values{Start: at(2026, 12, 15)}},
		{
			name: "start in the future with money raised",
			v:    Values{Start: at(2026, 12, 15), Raised: num(26739)},
			want: []string{"field start: 2026-12-15T00:00:00Z is in the future", "raised 26739", "TIMEZONE"},
		},
		{
			name: "start in the future with donors",
			v:    Values{Start: at(2026, 12, 15), Donors: num(3)},
			want: []string{"is in the future", "donors 3"},
		},
		{
			name: "start after the deadline",
			v:    Values{Start: at(2026, 3, 1), Deadline: at(2026, 1, 31), Raised: num(1)},
			want: []string{"field start: 2026-03-01T00:00:00Z is not before field deadline 2026-01-31T00:00:00Z"},
		},
		{
			name: "start equal to the deadline",
			v:    Values{Start: at(2026, 3, 1), Deadline: at(2026, 3, 1)},
			want: []string{"is not before field deadline"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkDates(tc.v, now)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("CheckDates: %v, want no error", err)
				}
				return
			}
			if !errors.Is(err, errImpossibleDates) {
				t.Fatalf("CheckDates: %v, want an ErrImpossibleDates error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestCheckConfiguredDates(t *testing.T) {
	name := func(f Field) string { return "DONATION_CAMPAIGN_0_" + strings.ToUpper(string(f)) }
	tests := []struct {
		name, start, deadline string
		want                  []string
	}{
		{name: "neither", start: "", deadline: ""},
		{name: "past start, future deadline", start: "2026-11-01", deadline: "2027-01-31"},
		{name: "past start and deadline: an ended campaign", start: "2017-08-01", deadline: "2017-09-01"},
		{name: "start today", start: "2026-11-30", deadline: ""},
		{name: "one-day campaign", start: "2026-11-30", deadline: "2026-11-30"},
		{name: "unparseable start is CheckLiteral's to report", start: "soon", deadline: "2027-01-31"},
		// A campaign set up before it opens: not_started, no error (only
		// money raised before the start is impossible, CheckDates).
		{name: "start in the future", start: "2026-12-15"},
		{name: "start and deadline in the future", start: "2026-12-15", deadline: "2027-01-31"},
		{
			name: "start after the deadline", start: "2026-03-01", deadline: "2026-01-31",
			want: []string{`DONATION_CAMPAIGN_0_START: dates that cannot be: "2026-03-01" (2026-03-01T00:00:00Z) is not before DONATION_CAMPAIGN_0_DEADLINE "2026-01-31" (2026-02-01T00:00:00Z)`},
		},
		{
			name: "start in the future and after the deadline", start: "2027-03-01", deadline: "2027-01-31",
			want: []string{"is not before DONATION_CAMPAIGN_0_DEADLINE"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckConfiguredDates(tc.start, tc.deadline, time.UTC, name)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("CheckConfiguredDates: %v, want no error", err)
				}
				return
			}
			if !errors.Is(err, errImpossibleDates) {
				t.Fatalf("CheckConfiguredDates: %v, want an ErrImpossibleDates error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestReadRejectsImpossibleDates reads pages whose dates cannot be: the
// scrape fails with the reason instead of reporting figures.
func TestReadRejectsImpossibleDates(t *testing.T) {
	future := time.Now().AddDate(0, 0, 15).UTC().Format("2006-01-02")
	campaign := pageSpec{
		Name: "dates",
		Kind: KindHTML,
		Spec: Spec{AmountScale: 1, Location: time.UTC, Fields: map[Field]FieldSpec{
			FieldRaised:   {Selectors: []Selector{MustParseSelector("#raised")}},
			FieldStart:    {Selectors: []Selector{MustParseSelector("#start")}},
			FieldDeadline: {Selectors: []Selector{MustParseSelector("#deadline")}},
		}},
	}
	page := func(raised, start, deadline string) testPage {
		return testPage{ContentType: "text/html", Body: []byte(`<p id="raised">` + raised + `</p><p id="start">` + start +
			`</p><p id="deadline">` + deadline + `</p>`)}
	}
	tests := []struct {
		name    string
		resp    testPage
		wantErr []string
	}{
		{name: "ended campaign", resp: page("$3,061", "2017-08-01", "2017-08-31")},
		{name: "not started yet, nothing raised", resp: page("$0", future, "9999-12-31")},
		{name: "start in the future, money raised", resp: page("$26,739", future, "9999-12-31"),
			wantErr: []string{"field start", "is in the future", "raised 26739"}},
		{name: "start after the deadline", resp: page("$5", "2027-03-01", "2027-01-31"),
			wantErr: []string{"field start: 2027-03-01T00:00:00Z is not before field deadline 2027-02-01T00:00:00Z"}},
		{name: "deadline after the year 9999", resp: page("$5", "2017-08-01", "1 January 10000"),
			wantErr: []string{"field deadline"}},
		{name: "start before 1970", resp: page("$5", "1677-01-01", "2027-01-31"),
			wantErr: []string{"field start", "year 1677", "1970 to 9999"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vals, err := campaign.Read(tc.resp)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Read = %+v, want an error", vals)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestReadNamesTheDateSetting reads a page whose configured start is still
// to come while the page shows money raised: the read fails naming the
// variable that set the start, and succeeds while nothing is raised.
func TestReadNamesTheDateSetting(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	spec := func(start string) Spec {
		return Spec{AmountScale: 1, Location: time.UTC, Fields: map[Field]FieldSpec{
			FieldRaised: {Selectors: []Selector{MustParseSelector("#raised")}, Setting: "DONATION_CAMPAIGN_0_RAISED_SELECTOR"},
			FieldStart:  {Literal: start, Setting: "DONATION_CAMPAIGN_0_START"},
		}}
	}
	tests := []struct {
		name, raised, start string
		wantErr             string
	}{
		{name: "start to come, nothing raised", raised: "$0", start: "2026-12-07"},
		{name: "start passed, money raised", raised: "$120", start: "2026-11-01"},
		{name: "start to come, money raised", raised: "$120", start: "2026-12-07",
			wantErr: "dates that cannot be: DONATION_CAMPAIGN_0_START (field start): 2026-12-07T00:00:00Z is in the future (now 2026-11-30T12:00:00Z), yet the page shows raised 120"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(`<p id="raised">` + tc.raised + `</p>`)
			vals, _, err := Page(body, "text/html", KindHTML, spec(tc.start), now)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Page: %v, want no error", err)
				}
				if vals.Start == nil || vals.Start.Format("2006-01-02") != tc.start {
					t.Errorf("start = %v, want %s", vals.Start, tc.start)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Page error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
