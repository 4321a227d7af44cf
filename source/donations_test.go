package source

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/donations"
	"github.com/donation-exporter/donation_exporter/fetch"
)

var donorDriveFormat = donations.Format{Amount: "amount", Time: "createdDateUTC"}

var donorDrivePaging = donations.Paging{LimitParam: "limit", OffsetParam: "offset", MaxLimit: 100, TotalHeader: "Num-Records"}

// syntheticList serves a synthetic DonorDrive-shaped list of n donations,
// one a minute back from newest, paged by limit and offset the way
// DonorDrive pages (newest first, Num-Records when header is true), and
// counts the requests.
func syntheticList(t *testing.T, n int, newest time.Time, header bool) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		if limit <= 0 || limit > 100 {
			http.Error(w, "limit must be 1 to 100", http.StatusBadRequest)
			return
		}
		var items []string
		for i := offset; i < min(offset+limit, n); i++ {
			at := newest.Add(-time.Duration(i) * time.Minute).UTC().Format("2006-01-02T15:04:05.000-0700")
			items = append(items, fmt.Sprintf(`{"amount":%d.00,"createdDateUTC":%q}`, i+1, at))
		}
		if header {
			w.Header().Set("Num-Records", strconv.Itoa(n))
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "["+strings.Join(items, ",")+"]")
	}))
	t.Cleanup(srv.Close)
	return srv, &requests
}

func TestFetchDonationsPaging(t *testing.T) {
	newest := time.Date(2024, 11, 2, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name         string
		n            int
		header       bool
		since        time.Time
		maxPages     int
		wantRead     int
		wantComplete bool
		wantRequests int32
	}{
		{name: "one short page is the whole list", n: 8, header: true, maxPages: 10, wantRead: 8, wantComplete: true, wantRequests: 1},
		{name: "250 in three pages", n: 250, header: true, maxPages: 10, wantRead: 250, wantComplete: true, wantRequests: 3},
		{name: "200 with Num-Records: no empty third page asked", n: 200, header: true, maxPages: 10, wantRead: 200, wantComplete: true, wantRequests: 2},
		{name: "200 without Num-Records: the empty third page ends it", n: 200, maxPages: 10, wantRead: 200, wantComplete: true, wantRequests: 3},
		{name: "only as far back as since", n: 1000, header: true, since: newest.Add(-150 * time.Minute), maxPages: 10, wantRead: 200, wantRequests: 2},
		{name: "no further than maxPages", n: 1000, header: true, maxPages: 3, wantRead: 300, wantRequests: 3},
		{name: "an empty list", n: 0, header: true, maxPages: 10, wantRead: 0, wantComplete: true, wantRequests: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, requests := syntheticList(t, tc.n, newest, tc.header)
			spec := donations.Spec{URL: srv.URL + "/api/participants/1/donations", Format: donorDriveFormat, Paging: donorDrivePaging}
			list, err := FetchDonations(context.Background(), fetch.NewFetcher(fetch.FetcherConfig{}), spec, false, tc.since, tc.maxPages, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Donations) != tc.wantRead || list.Complete != tc.wantComplete || requests.Load() != tc.wantRequests {
				t.Errorf("read %d (complete %v) in %d requests; want %d (complete %v) in %d",
					len(list.Donations), list.Complete, requests.Load(), tc.wantRead, tc.wantComplete, tc.wantRequests)
			}
			if tc.header && list.Total != tc.n {
				t.Errorf("Total = %d, want Num-Records %d", list.Total, tc.n)
			}
		})
	}
}

func TestFetchDonationsReal(t *testing.T) {
	body, err := os.ReadFile("../donations/testdata/donordrive-participant-297674-donations-2018.json")
	if err != nil {
		t.Fatal(err)
	}
	var query string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		w.Header().Set("Num-Records", "8")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	spec := donations.Spec{URL: srv.URL + "/api/participants/297674/donations?x=1", Format: donorDriveFormat, Paging: donorDrivePaging}
	list, err := FetchDonations(context.Background(), fetch.NewFetcher(fetch.FetcherConfig{}), spec, false, time.Time{}, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !list.Complete || len(list.Donations) != 8 || donations.Check(list, 380) != "" {
		t.Errorf("list: complete %v, %d donations, check %q; want the 8 donations of 380.00", list.Complete, len(list.Donations), donations.Check(list, 380))
	}
	if query != "limit=100&offset=0&x=1" {
		t.Errorf("query = %q, want the URL's own kept and limit=100&offset=0", query)
	}
}

func TestFetchDonationsErrors(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		wantErr string
	}{
		{name: "status", handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusInternalServerError) }, wantErr: "HTTP status 500"},
		// Synthetic: a hostile page that is not a list.
		{name: "not a list", handler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"error":"x"}`) }, wantErr: "not an array of donations"},
		{name: "body too large", handler: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "["+strings.Repeat(`{"amount":1,"createdDateUTC":"2024-11-02T10:00:00Z"},`, 40000)+"]")
		}, wantErr: "body too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			spec := donations.Spec{URL: srv.URL + "/d", Format: donorDriveFormat, Paging: donorDrivePaging}
			f := fetch.NewFetcher(fetch.FetcherConfig{MaxBodyBytes: 1 << 20})
			_, err := FetchDonations(context.Background(), f, spec, false, time.Time{}, 10, 0)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "donation list "+srv.URL) {
				t.Errorf("err = %v, want one naming the list and %q", err, tc.wantErr)
			}
		})
	}
}

// TestPollerDonations: the list is walked once per interval for all
// scrapes, a failure is news once, and a failed refresh keeps the last
// list.
func TestPollerDonations(t *testing.T) {
	newest := time.Date(2024, 11, 2, 12, 0, 0, 0, time.UTC)
	srv, requests := syntheticList(t, 5, newest, true)
	var failing atomic.Bool
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer front.Close()
	now := newest.Add(time.Minute)
	clock := func() time.Time { return now }
	c := Campaign{Name: "c", URL: front.URL, Donations: &donations.Spec{URL: front.URL + "/d", Format: donorDriveFormat, Paging: donorDrivePaging}}
	p := NewPoller(&c, fetch.NewFetcher(fetch.FetcherConfig{}), clock)

	out, ok := p.Donations(context.Background())
	if !ok || out.Err != nil || len(out.List.Donations) != 5 || out.News {
		t.Fatalf("first: ok %v, err %v, %d donations, news %v; want 5 and nothing to report", ok, out.Err, len(out.List.Donations), out.News)
	}
	if out, _ = p.Donations(context.Background()); requests.Load() != 1 || len(out.List.Donations) != 5 {
		t.Errorf("within the interval: %d requests, want the list reused", requests.Load())
	}
	failing.Store(true)
	now = now.Add(MinListInterval)
	out, _ = p.Donations(context.Background())
	if out.Err != nil || out.Refresh == nil || !out.News || len(out.List.Donations) != 5 {
		t.Errorf("failed refresh: err %v, refresh %v, news %v; want the last list kept and the failure news", out.Err, out.Refresh, out.News)
	}
	now = now.Add(MinListInterval)
	if out, _ = p.Donations(context.Background()); out.News {
		t.Errorf("the same failure again is news: %+v", out)
	}
	now = now.Add(2 * DefaultMaxStaleness)
	if out, _ = p.Donations(context.Background()); out.Err == nil || !strings.Contains(out.Err.Error(), "502") {
		t.Errorf("past the maximum staleness: err %v, want the failure", out.Err)
	}
	if _, ok := NewPoller(&Campaign{Name: "none"}, nil, clock).Donations(context.Background()); ok {
		t.Error("a campaign without a list gave one")
	}
}

// TestPollerDonationsConditional: after a good walk, the next asks for the
// first page with its ETag; a 304 keeps the list, reading no further page.
func TestPollerDonationsConditional(t *testing.T) {
	newest := time.Date(2024, 11, 2, 12, 0, 0, 0, time.UTC)
	list, _ := syntheticList(t, 250, newest, true)
	var requests, conditional atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Query().Get("offset") == "0" {
			w.Header().Set("ETag", `"v1"`)
			if r.Header.Get("If-None-Match") == `"v1"` {
				conditional.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		list.Config.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()
	now := newest.Add(time.Minute)
	c := Campaign{Name: "c", URL: srv.URL, Donations: &donations.Spec{URL: srv.URL + "/d", Format: donorDriveFormat, Paging: donorDrivePaging}}
	p := NewPoller(&c, fetch.NewFetcher(fetch.FetcherConfig{}), func() time.Time { return now })
	first, _ := p.Donations(context.Background())
	if first.Err != nil || requests.Load() != 3 {
		t.Fatalf("first walk: err %v, %d requests; want the 3 pages", first.Err, requests.Load())
	}
	now = now.Add(MinListInterval)
	again, _ := p.Donations(context.Background())
	if again.Err != nil || requests.Load() != 4 || conditional.Load() != 1 || len(again.List.Donations) != 250 || !again.At.Equal(now) {
		t.Errorf("second walk: err %v, %d requests (%d conditional), %d donations at %v; want one 304 keeping the 250, read now",
			again.Err, requests.Load(), conditional.Load(), len(again.List.Donations), again.At)
	}
}

// TestFetchDonationsPace: a whole walk waits the platform's interval
// between pages, and gives up when the context ends meanwhile.
func TestFetchDonationsPace(t *testing.T) {
	newest := time.Date(2024, 11, 2, 12, 0, 0, 0, time.UTC)
	srv, requests := syntheticList(t, 250, newest, true)
	spec := donations.Spec{URL: srv.URL + "/d", Format: donorDriveFormat, Paging: donorDrivePaging}
	f := fetch.NewFetcher(fetch.FetcherConfig{})
	begin := time.Now()
	list, err := FetchDonations(context.Background(), f, spec, false, time.Time{}, 10, 200*time.Millisecond)
	if err != nil || !list.Complete || requests.Load() != 3 {
		t.Fatalf("paced walk: err %v, complete %v, %d requests; want the 3 pages", err, list.Complete, requests.Load())
	}
	if took := time.Since(begin); took < 400*time.Millisecond {
		t.Errorf("3 pages at 200ms apart took %v, want 400ms at least", took)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := FetchDonations(ctx, f, spec, false, time.Time{}, 10, time.Hour); err == nil || !strings.Contains(err.Error(), "waiting 1h0m0s between pages") {
		t.Errorf("err = %v, want the wait between pages named", err)
	}
}
