package source

import (
	"errors"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
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
	for _, text := range []string{"", "soon", "2026-02-30", "February 30, 2026", "2026-13-01", "1e400"} {
		t.Run(text, func(t *testing.T) {
			got, err := ParseDate(text, time.UTC, EndOfDay)
			if !errors.Is(err, ErrNoDate) {
				t.Errorf("ParseDate(%q) = %v, %v; want an ErrNoDate error", text, got, err)
			}
		})
	}
}
