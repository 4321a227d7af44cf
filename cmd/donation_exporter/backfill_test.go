package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

// extraLifeEnv configures the real Extra Life participant 297674 served
// by srv as campaign "extralife", in US dollars, labelled team=mesa.
func extraLifeEnv(base string) []string {
	return []string{
		"DONATION_CAMPAIGN_0_NAME=extralife",
		"DONATION_CAMPAIGN_0_URL=" + base + "/participant/297674",
		"DONATION_CAMPAIGN_0_PLATFORM=donordrive",
		"DONATION_CAMPAIGN_0_CURRENCY=USD",
		"DONATION_CAMPAIGN_0_LABELS=team=mesa",
	}
}

// TestBackfill writes the history of the real Extra Life list: the running
// total and count at each donation, in time order, with the live series'
// names and labels, ending with # EOF.
func TestBackfill(t *testing.T) {
	srv := testsupport.ExtraLife(t, nil)
	out := filepath.Join(t.TempDir(), "history.om")
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"backfill", "--campaign", "extralife", "--out", out, "--step", "0"}, extraLifeEnv(srv.URL), &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := `# HELP donation_raised Amount the campaign reports raised, in currency units: backfilled from its donation list.
# TYPE donation_raised gauge
donation_raised{campaign="extralife",currency="USD",team="mesa"} 25 1531404989.973
donation_raised{campaign="extralife",currency="USD",team="mesa"} 50 1532561873.730
donation_raised{campaign="extralife",currency="USD",team="mesa"} 100 1541113753.917
donation_raised{campaign="extralife",currency="USD",team="mesa"} 200 1541115137.687
donation_raised{campaign="extralife",currency="USD",team="mesa"} 326 1541168771.367
donation_raised{campaign="extralife",currency="USD",team="mesa"} 328 1541170240.687
donation_raised{campaign="extralife",currency="USD",team="mesa"} 378 1541200451.393
donation_raised{campaign="extralife",currency="USD",team="mesa"} 380 1541201486.283
# HELP donation_donors Number of donations: backfilled from the campaign's donation list.
# TYPE donation_donors gauge
donation_donors{campaign="extralife",team="mesa"} 1 1531404989.973
donation_donors{campaign="extralife",team="mesa"} 2 1532561873.730
donation_donors{campaign="extralife",team="mesa"} 3 1541113753.917
donation_donors{campaign="extralife",team="mesa"} 4 1541115137.687
donation_donors{campaign="extralife",team="mesa"} 5 1541168771.367
donation_donors{campaign="extralife",team="mesa"} 6 1541170240.687
donation_donors{campaign="extralife",team="mesa"} 7 1541200451.393
donation_donors{campaign="extralife",team="mesa"} 8 1541201486.283
# EOF
`
	if string(got) != want {
		t.Errorf("history:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(stderr.String(), "8 donations from 2018-07-12T14:16:29Z to 2018-11-02T23:31:26Z; wrote 8 samples of donation_raised and 8 of donation_donors") {
		t.Errorf("stderr = %q, want what was written", stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing with --out", stdout.String())
	}
}

func TestBackfillStep(t *testing.T) {
	srv := testsupport.ExtraLife(t, nil)
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"backfill", "--campaign=extralife", "--step=24h"}, extraLifeEnv(srv.URL), &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(stdout.String(), "\n")
	// July 12 to November 2 is 113 days: a sample at each midnight between
	// two donations, and one at each of the 8 donations.
	var raised []string
	for _, l := range lines {
		if strings.HasPrefix(l, "donation_raised{") {
			raised = append(raised, l)
		}
	}
	if len(raised) != 8+113 {
		t.Errorf("%d samples of donation_raised, want %d", len(raised), 8+113)
	}
	if want := `donation_raised{campaign="extralife",currency="USD",team="mesa"} 25 1531440000.000`; raised[1] != want {
		t.Errorf("the first repeat is %q, want %q (midnight of July 13)", raised[1], want)
	}
}

func TestBackfillRefuses(t *testing.T) {
	srv := testsupport.ExtraLife(t, nil)
	// Synthetic: a list of one donation of 5, while the participant says 380.
	short := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/donations") {
			_, _ = w.Write([]byte(`[{"amount":5.00,"createdDateUTC":"2018-11-02T23:31:26.283+0000"}]`))
			return
		}
		srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer short.Close()
	tests := []struct {
		name    string
		args    []string
		env     []string
		code    int
		wantErr string
	}{
		{name: "no campaign flag", args: []string{"backfill"}, env: extraLifeEnv(srv.URL), code: exitConfig, wantErr: "backfill needs --campaign NAME"},
		{name: "unknown campaign", args: []string{"backfill", "--campaign", "nope"}, env: extraLifeEnv(srv.URL), code: exitConfig, wantErr: `no campaign named "nope"`},
		{name: "a stray argument", args: []string{"backfill", "--campaign", "extralife", "more"}, env: extraLifeEnv(srv.URL), code: exitConfig, wantErr: "backfill takes --campaign NAME"},
		{name: "a platform without a list", args: []string{"backfill", "--campaign", "demo"}, env: []string{"DONATION_DEMO=true"}, code: exitConfig, wantErr: "has no donation list"},
		{name: "a list disagreeing with the total", args: []string{"backfill", "--campaign", "extralife"}, env: extraLifeEnv(short.URL), code: exitFailed,
			wantErr: "the list's 1 donations sum to 5.00, the platform's total is 380.00: a history from this list would not end at the live donation_raised"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tc.args, tc.env, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.wantErr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tc.code, tc.wantErr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want no history", stdout.String())
			}
		})
	}
}

// TestCheckDonationList: check shows what the list gives (the real Extra
// Life list, read whole), and a list that fails leaves the campaign read.
func TestCheckDonationList(t *testing.T) {
	srv := testsupport.ExtraLife(t, nil)
	gone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/donations") {
			http.NotFound(w, r)
			return
		}
		srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer gone.Close()
	tests := []struct {
		name string
		base string
		want []string
	}{
		{name: "the real list", base: srv.URL, want: []string{
			"donation list:  " + srv.URL + "/api/participants/297674/donations",
			"read:           8 donations read, the whole list",
			"last donation:  2018-11-02T23:31:26Z, 2",
			"recent:         1h 0 (0 donations); 24h 0 (0 donations); 7d 0 (0 donations)",
			"1 of 1 campaigns read, 0 failed",
		}},
		{name: "a list gone", base: gone.URL, want: []string{
			"LEFT OUT: donation list " + gone.URL + "/api/participants/297674/donations?limit=100&offset=0: HTTP status 404 Not Found",
			"1 of 1 campaigns read, 0 failed",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), []string{"check"}, extraLifeEnv(tc.base), &stdout, &stderr); code != exitOK {
				t.Fatalf("exit %d: %s\n%s", code, stderr.String(), stdout.String())
			}
			for _, want := range tc.want {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("check lacks %q:\n%s", want, stdout.String())
				}
			}
		})
	}
}
