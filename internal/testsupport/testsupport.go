// Package testsupport holds what the tests of several packages need to run
// the exporter for real: its binary, free loopback ports, processes that
// end with the test, and waiting for an HTTP answer. It is imported by
// tests only.
package testsupport

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// BuildExporter builds ./cmd/donation_exporter of this module into a
// temporary directory of the test and returns the binary's path.
func BuildExporter(t testing.TB) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("find go: %v", err)
	}
	out, err := exec.Command(goBin, "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("go env GOMOD: not inside the module")
	}
	bin := filepath.Join(t.TempDir(), "donation_exporter")
	build := exec.Command(goBin, "build", "-o", bin, "./cmd/donation_exporter")
	build.Dir = filepath.Dir(gomod)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// FreeAddr returns a loopback address whose port was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	return net.JoinHostPort("127.0.0.1", FreePort(t, "127.0.0.1"))
}

// FreePort returns a port free on every host given (127.0.0.10 and
// 127.0.0.11 for two exporters on one port).
func FreePort(t testing.TB, hosts ...string) string {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", net.JoinHostPort(hosts[0], "0"))
		if err != nil {
			t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(l.Addr().String())
		free := true
		for _, h := range hosts[1:] {
			other, err := net.Listen("tcp", net.JoinHostPort(h, port))
			if err != nil {
				free = false
				break
			}
			other.Close()
		}
		l.Close()
		if free {
			return port
		}
	}
	t.Fatalf("no port free on all of %v", hosts)
	return ""
}

// EnvironWithout returns the test's environment less the variables that
// start with prefix: the exporter rejects DONATION_ variables it does not
// know, and a test's environment may have some.
func EnvironWithout(prefix string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, prefix) {
			env = append(env, kv)
		}
	}
	return env
}

// StartProcess starts a command that runs until the test ends, with the
// test's environment less DONATION_ variables, plus env. Its output is
// logged if the test fails.
func StartProcess(t testing.TB, path string, args, env []string) {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = append(EnvironWithout("DONATION_"), env...)
	log, err := os.Create(filepath.Join(t.TempDir(), filepath.Base(path)+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			out, _ := os.ReadFile(log.Name())
			t.Logf("%s %v:\n%s", filepath.Base(path), args, out)
		}
		log.Close()
	})
}

// WaitOK polls url until it answers 200, for at most timeout, and returns
// the body.
func WaitOK(t testing.TB, url string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(url)
		if err == nil {
			body, readErr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if readErr == nil && resp.StatusCode == http.StatusOK {
				return string(body)
			}
			err = readErr
			if err == nil {
				err = &statusError{resp.Status}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not answering 200 after %v: %v", url, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type statusError struct{ status string }

func (e *statusError) Error() string { return "HTTP status " + e.status }

// RaisedPages serves, at every path, a page whose amount raised is
// <p class="raised">$N</p>, N being 1000 times the path's length: each
// campaign of a test gets a figure of its own from one site.
func RaisedPages(t testing.TB) *httptest.Server {
	t.Helper()
	pages := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<p class="raised">$%d</p>`, len(r.URL.Path)*1000)
	}))
	t.Cleanup(pages.Close)
	return pages
}

// HeldPage is a site whose answers wait until Release: scrapes stuck on a
// slow site.
type HeldPage struct {
	*httptest.Server
	// Requested is set once a request arrived.
	Requested atomic.Bool
	release   chan struct{}
	once      sync.Once
}

// NewHeldPage starts a HeldPage that answers <p id="raised">$1,234</p>
// once released (or nothing, when the client gives up first).
func NewHeldPage(t testing.TB) *HeldPage {
	t.Helper()
	h := &HeldPage{release: make(chan struct{})}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.Requested.Store(true)
		select {
		case <-h.release:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, `<p id="raised">$1,234</p>`)
	}))
	t.Cleanup(func() { h.Release(); h.Close() })
	return h
}

// Release lets every answer, waiting or to come, through.
func (h *HeldPage) Release() { h.once.Do(func() { close(h.release) }) }

// LogBuffer is a log destination that concurrent scrapes may write to, for
// a slog handler (slog.NewJSONHandler for Records).
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything logged so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Records returns the JSON log records whose key holds a value containing
// substring (Records(t, "level", "ERROR"), Records(t, "msg", "refused")).
func (b *LogBuffer) Records(t testing.TB, key, substring string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if strings.Contains(fmt.Sprint(rec[key]), substring) {
			out = append(out, rec)
		}
	}
	return out
}

// JSONLogger returns a LogBuffer and a JSON logger writing to it at level
// and above.
func JSONLogger(level slog.Level) (*LogBuffer, *slog.Logger) {
	b := &LogBuffer{}
	return b, slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: level}))
}

// LoadDuration is how long a load test runs: TEST_LOAD_DURATION, or def.
// It skips the test unless TEST_LOAD=1: load tests measure, on request.
func LoadDuration(t testing.TB, def time.Duration) time.Duration {
	t.Helper()
	if os.Getenv("TEST_LOAD") != "1" {
		t.Skip("set TEST_LOAD=1 to run the load test")
	}
	s := os.Getenv("TEST_LOAD_DURATION")
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("TEST_LOAD_DURATION: %v", err)
	}
	return d
}

// CheckRejected compares the exporter's refusals counter with want
// (reasons not in want: 0).
func CheckRejected(t testing.TB, rejections prometheus.Collector, want map[string]int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# HELP donation_exporter_http_requests_rejected_total Requests and connections the exporter refused before serving them, by reason.\n")
	b.WriteString("# TYPE donation_exporter_http_requests_rejected_total counter\n")
	for _, reason := range []string{"auth", "auth_busy", "auth_rate_limit", "connection_limit", "in_flight_limit", "method", "rate_limit"} {
		fmt.Fprintf(&b, "donation_exporter_http_requests_rejected_total{reason=%q} %d\n", reason, want[reason])
	}
	if err := testutil.CollectAndCompare(rejections, strings.NewReader(b.String())); err != nil {
		t.Error(err)
	}
}

// WaitStill waits until count, above 0, has not moved for hold (polling
// every tick): the sign that work a test blocked on purpose has stopped.
// One unchanged reading is not enough on a loaded machine, where one step
// of that work can take longer than a tick. It fails the test, with what,
// when count still moves at timeout.
func WaitStill(t testing.TB, count func() int32, tick, hold, timeout time.Duration, what string) {
	t.Helper()
	last, stillSince, deadline := int32(-1), time.Time{}, time.Now().Add(timeout)
	for {
		n := count()
		switch {
		case n != last || n == 0:
			last, stillSince = n, time.Now()
		case time.Since(stillSince) >= hold:
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not stop (%d)", what, n)
		}
		time.Sleep(tick)
	}
}
