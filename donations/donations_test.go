package donations

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

var donorDrive = Format{Amount: "amount", Time: "createdDateUTC"}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func money(v float64) *float64 { return &v }

// realList is the real DonorDrive list of participant 297674 (testdata).
func realList(t *testing.T) List {
	t.Helper()
	body, err := os.ReadFile("testdata/donordrive-participant-297674-donations-2018.json")
	if err != nil {
		t.Fatal(err)
	}
	page, err := ParsePage(body, donorDrive)
	if err != nil {
		t.Fatal(err)
	}
	l := List{Complete: true, Total: -1}
	l.Add(page)
	return l
}

func TestParsePageReal(t *testing.T) {
	l := realList(t)
	if len(l.Donations) != 8 {
		t.Fatalf("got %d donations, want 8", len(l.Donations))
	}
	first, last := l.Donations[0], l.Donations[7]
	if !first.Time.Equal(at("2018-11-02T23:31:26.283Z")) || first.Amount == nil || *first.Amount != 2 {
		t.Errorf("newest = %v %v, want 2018-11-02T23:31:26.283Z 2", first.Time, first.Amount)
	}
	if !last.Time.Equal(at("2018-07-12T14:16:29.973Z")) || last.Amount == nil || *last.Amount != 25 {
		t.Errorf("oldest = %v %v, want 2018-07-12T14:16:29.973Z 25", last.Time, last.Amount)
	}
	// The participant's own object says sumDonations 380.00.
	if m := Check(l, 380); m != "" {
		t.Errorf("Check(380) = %q, want agreement", m)
	}
	if m := Check(l, 400); !strings.Contains(m, "sum to 380.00") {
		t.Errorf("Check(400) = %q, want the disagreement named", m)
	}
}

func TestParsePage(t *testing.T) {
	// Synthetic pages: the shapes a list may take, good and hostile.
	tests := []struct {
		name    string
		body    string
		format  Format
		want    []Donation
		wantErr string
	}{
		{name: "hidden amount absent and null", format: donorDrive,
			body: `[{"createdDateUTC":"2024-11-02T10:00:00.000+0000"},{"amount":null,"createdDateUTC":"2024-11-02T09:00:00Z"}]`,
			want: []Donation{{Time: at("2024-11-02T10:00:00Z")}, {Time: at("2024-11-02T09:00:00Z")}}},
		{name: "amount as a string, scaled", format: Format{Amount: "a", Time: "t", AmountScale: 0.01},
			body: `[{"a":"1250","t":"2024-11-02T10:00:00+01:00"}]`,
			want: []Donation{{Time: at("2024-11-02T09:00:00Z"), Amount: money(12.5)}}},
		{name: "nested items and paths, Unix milliseconds", format: Format{Items: "data.items", Amount: "amount.value", Time: "at"},
			body: `{"data":{"items":[{"amount":{"value":5},"at":1730541600000}]}}`,
			want: []Donation{{Time: at("2024-11-02T10:00:00Z"), Amount: money(5)}}},
		{name: "empty list", format: donorDrive, body: `[]`, want: []Donation{}},
		{name: "not JSON", format: donorDrive, body: `<html>`, wantErr: "not JSON"},
		{name: "an object, not a list", format: donorDrive, body: `{"amount":5}`, wantErr: "the answer is an object, not an array"},
		{name: "items path missing", format: Format{Items: "data", Amount: "a", Time: "t"}, body: `{}`, wantErr: `no "data"`},
		{name: "donation not an object", format: donorDrive, body: `[5]`, wantErr: "donation 0: a number, not an object"},
		{name: "no time", format: donorDrive, body: `[{"amount":5}]`, wantErr: "donation 0: no createdDateUTC"},
		{name: "time without offset", format: donorDrive, body: `[{"amount":5,"createdDateUTC":"2024-11-02T10:00:00"}]`, wantErr: "not a time with its offset"},
		{name: "time out of range", format: donorDrive, body: `[{"amount":5,"createdDateUTC":"0001-01-01T00:00:00Z"}]`, wantErr: "in the year 1"},
		{name: "amount a boolean", format: donorDrive, body: `[{"amount":true,"createdDateUTC":"2024-11-02T10:00:00Z"}]`, wantErr: "amount is a boolean"},
		{name: "amount text", format: donorDrive, body: `[{"amount":"lots","createdDateUTC":"2024-11-02T10:00:00Z"}]`, wantErr: `amount "lots" is not an amount`},
		{name: "amount negative", format: donorDrive, body: `[{"amount":-5,"createdDateUTC":"2024-11-02T10:00:00Z"}]`, wantErr: "negative"},
		{name: "amount overflows", format: donorDrive, body: `[{"amount":1e999,"createdDateUTC":"2024-11-02T10:00:00Z"}]`, wantErr: "not an amount"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePage([]byte(tc.body), tc.format)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrPage) {
					t.Fatalf("err = %v, want ErrPage with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d donations, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !got[i].Time.Equal(tc.want[i].Time) || !sameAmount(got[i].Amount, tc.want[i].Amount) {
					t.Errorf("donation %d = %v %v, want %v %v", i, got[i].Time, show(got[i].Amount), tc.want[i].Time, show(tc.want[i].Amount))
				}
			}
		})
	}
}

func sameAmount(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func show(a *float64) any {
	if a == nil {
		return "hidden"
	}
	return *a
}

func TestCovers(t *testing.T) {
	l := List{Total: -1}
	l.Add([]Donation{{Time: at("2024-11-02T10:00:00Z")}, {Time: at("2024-11-02T08:00:00Z")}})
	tests := []struct {
		name  string
		list  List
		since time.Time
		want  bool
	}{
		{name: "since after the oldest read", list: l, since: at("2024-11-02T09:00:00Z"), want: true},
		{name: "since at the oldest read: more may share its instant", list: l, since: at("2024-11-02T08:00:00Z"), want: true},
		{name: "since before the oldest read", list: l, since: at("2024-11-02T07:59:59Z"), want: false},
		{name: "complete list covers everything", list: List{Complete: true, Donations: l.Donations}, since: time.Unix(0, 0), want: true},
		{name: "empty, not complete", list: List{}, since: at("2024-11-02T09:00:00Z"), want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.list.Covers(tc.since); got != tc.want {
				t.Errorf("Covers(%v) = %v, want %v", tc.since, got, tc.want)
			}
		})
	}
}
