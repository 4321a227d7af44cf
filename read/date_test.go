package read

import (
	"errors"
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
			if !errors.Is(err, ErrNoDate) {
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
		{name: "before 1970", text: "1677-01-01", wantErr: ErrDateRange},
		{name: "year 1", text: "January 1, 0001", wantErr: ErrDateRange},
		{name: "instant before 1970", text: "1969-12-31T23:59:59Z", wantErr: ErrDateRange},
		{name: "milliseconds after 9999", text: "999999999999999", wantErr: ErrDateRange},
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
