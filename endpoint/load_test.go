package endpoint

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"github.com/prometheus/exporter-toolkit/web"
)

// TestLoadBasicAuth measures what once went wrong: 256 clients sending
// wrong passwords made correct scrapes wait 14.7 s behind the toolkit's
// one-at-a-time bcrypt checks, and the time of a failed login told known
// user names from unknown ones. It runs the toolkit's basic auth (web.Serve
// with a web config file) and BasicAuth side by side, with the same cost-10
// hash, and prints the figures that docs/endpoint-security.md quotes. It
// needs TEST_LOAD=1 (TEST_LOAD_DURATION changes the 60 s per attack; the
// toolkit's cache of 100 logins takes some 15 s of failures to lose the
// right one):
//
//	TEST_LOAD=1 go test ./endpoint -run '^TestLoadBasicAuth$' -v -timeout 10m
func TestLoadBasicAuth(t *testing.T) {
	duration := testsupport.LoadDuration(t, 60*time.Second)
	const attackers = 256
	only := os.Getenv("TEST_LOAD_CASE") // runs only the cases whose name contains it
	t.Run("correct scrapes while 256 clients send wrong passwords", func(t *testing.T) {
		cases := []struct {
			name      string
			serve     func(t *testing.T, users map[string]string) string
			attackers int
			addresses int // source addresses the attackers use
		}{
			{"toolkit, no attack", serveToolkit, 0, 1},
			{"toolkit, 256 clients", serveToolkit, attackers, 1},
			{"BasicAuth, no attack", serveOurs, 0, 1},
			{"BasicAuth, 256 clients from one address", serveOurs, attackers, 1},
			{"BasicAuth, 256 clients from 256 addresses", serveOurs, attackers, attackers},
		}
		for _, tc := range cases {
			if !strings.Contains(tc.name, only) {
				continue
			}
			url := tc.serve(t, map[string]string{"prometheus": changemeCost10, "newcomer": changemeCost10})
			d := duration
			if tc.attackers == 0 {
				d = min(d, 10*time.Second)
			}
			lat, attempts := correctScrapesUnderAttack(t, url, tc.attackers, tc.addresses, d)
			t.Logf("%-42s correct scrapes: n=%d p50=%v p95=%v max=%v; wrong-password requests answered: %.0f/s",
				tc.name, len(lat), pct(lat, 50), pct(lat, 95), pct(lat, 100), float64(attempts)/d.Seconds())
		}
	})
	t.Run("time of a failed login, known and unknown user", func(t *testing.T) {
		if only != "" {
			t.Skip("TEST_LOAD_CASE is set")
		}
		for _, cost := range []int{4, 12} {
			users := map[string]string{"prometheus": hash(t, "changeme", cost)}
			for _, server := range []struct {
				name  string
				serve func(t *testing.T, users map[string]string) string
			}{{"toolkit", serveToolkit}, {"BasicAuth", serveOurs}} {
				url := server.serve(t, users)
				known, unknown := failedLoginTimes(t, url, "prometheus", "admin", 15)
				t.Logf("cost %2d %-9s median wrong password: known user %v, unknown user %v",
					cost, server.name, pct(known, 50), pct(unknown, 50))
			}
		}
	})
}

func serveToolkit(t *testing.T, users map[string]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "web.yml")
	content := "basic_auth_users:\n"
	for user, h := range users {
		content += fmt.Sprintf("  %s: %s\n", user, h)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := &http.Server{Handler: ok, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		_ = web.Serve(l, server, &web.FlagConfig{WebConfigFile: &path}, slog.New(slog.DiscardHandler))
	}()
	t.Cleanup(func() { _ = server.Close() })
	return "http://" + l.Addr().String()
}

func serveOurs(t *testing.T, users map[string]string) string {
	t.Helper()
	auth, err := NewBasicAuth(BasicAuthConfig{Users: users, Rejections: NewRejections(nil)}, ok)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := &http.Server{Handler: auth, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(l) }()
	t.Cleanup(func() { _ = server.Close() })
	return "http://" + l.Addr().String()
}

// clientFrom is an HTTP client whose connections come from loopback
// address number n (1 to 65535): 127.1.<n/256>.<n%256>.
func clientFrom(n int, keepAlive bool) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 1, byte(n>>8), byte(n))}}
	return &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: !keepAlive, MaxIdleConnsPerHost: 1}}
}

func get(ctx context.Context, client *http.Client, url, user, password string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.SetBasicAuth(user, password)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// correctScrapesUnderAttack scrapes url with the right password every
// 200 ms for duration while attackers send wrong ones from addresses
// source addresses, and returns the scrapes' latencies and the number of
// wrong-password requests answered.
func correctScrapesUnderAttack(t *testing.T, url string, attackers, addresses int, duration time.Duration) ([]time.Duration, int64) {
	t.Helper()
	scraper := clientFrom(1, true)
	if code, err := get(t.Context(), scraper, url, "prometheus", "changeme"); err != nil || code != http.StatusOK {
		t.Fatalf("first correct scrape: %d %v", code, err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	var attempts atomic.Int64
	for i := range attackers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := clientFrom(2+i%addresses, true)
			for n := 0; ctx.Err() == nil; n++ {
				if _, err := get(ctx, client, url, "prometheus", fmt.Sprintf("guess-%d-%d", i, n)); err == nil {
					attempts.Add(1)
				}
			}
		}()
	}
	// A login never checked before (after a restart, or a second
	// Prometheus) meets the attack head on: how long until one passes?
	if attackers > 0 {
		time.Sleep(5 * time.Second) // the attack under way
		newcomer := clientFrom(1000, true)
		begin := time.Now()
		tries := 0
		for ctx.Err() == nil {
			tries++
			if code, err := get(ctx, newcomer, url, "newcomer", "changeme"); err == nil && code == http.StatusOK {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Logf("a login never checked before passed after %v (%d tries)", time.Since(begin).Round(time.Millisecond), tries)
	}
	var latencies []time.Duration
	for end := time.Now().Add(duration); time.Now().Before(end); {
		begin := time.Now()
		code, err := get(t.Context(), scraper, url, "prometheus", "changeme")
		took := time.Since(begin)
		if err != nil || code != http.StatusOK {
			t.Errorf("correct scrape: %d %v", code, err)
		}
		latencies = append(latencies, took)
		time.Sleep(max(0, 200*time.Millisecond-took))
	}
	cancel()
	wg.Wait()
	return latencies, attempts.Load()
}

// failedLoginTimes times n logins of known and n of unknown, taking turns,
// each with its own wrong password (the toolkit caches failures too) and
// from its own source address (BasicAuth would refuse more than 10 from
// one without checking).
func failedLoginTimes(t *testing.T, url, known, unknown string, n int) (knownTimes, unknownTimes []time.Duration) {
	t.Helper()
	for i := range 2 * n {
		user := known
		if i%2 == 1 {
			user = unknown
		}
		client := clientFrom(2+i, false)
		begin := time.Now()
		code, err := get(t.Context(), client, url, user, fmt.Sprintf("wrong-%d", i))
		took := time.Since(begin)
		if err != nil || code != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d %v", code, err)
		}
		if user == known {
			knownTimes = append(knownTimes, took)
		} else {
			unknownTimes = append(unknownTimes, took)
		}
	}
	return knownTimes, unknownTimes
}

// pct is the p-th percentile of ds (100: the maximum).
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s) - 1) * p / 100
	return s[i].Round(100 * time.Microsecond)
}
