package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
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
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/config"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"github.com/donation-exporter/donation_exporter/source"
)

func TestServerTimeouts(t *testing.T) {
	campaigns := func(timeouts ...time.Duration) []source.Campaign {
		var cs []source.Campaign
		for _, d := range timeouts {
			cs = append(cs, source.Campaign{Timeout: d})
		}
		return cs
	}
	tests := []struct {
		name       string
		metrics    time.Duration
		campaigns  []source.Campaign
		wantScrape time.Duration
	}{
		{name: "METRICS_TIMEOUT", metrics: 30 * time.Second, campaigns: campaigns(time.Minute), wantScrape: 30 * time.Second},
		{name: "no METRICS_TIMEOUT: the longest campaign TIMEOUT", campaigns: campaigns(0, 25*time.Second, 5*time.Second), wantScrape: 25 * time.Second},
		{name: "no METRICS_TIMEOUT, campaigns without TIMEOUT: the default", campaigns: campaigns(0), wantScrape: source.DefaultTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := serverTimeouts(config.Env{MetricsTimeout: tc.metrics}, tc.campaigns)
			want := timeouts{scrape: tc.wantScrape, readHeader: 10 * time.Second, read: 20 * time.Second,
				write: tc.wantScrape + 10*time.Second, idle: 2 * time.Minute, shutdownWriteGrace: 2 * time.Second}
			if got != want {
				t.Errorf("timeouts %+v, want %+v", got, want)
			}
		})
	}
}

// dialSmallWindow connects to addr with a small receive buffer: a client
// that does not read fills it, and the server's send buffer, soon.
func dialSmallWindow(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestWriteAndIdleTimeouts: the server's timeouts cut off a client that
// does not read its answer, and a kept-alive connection left idle.
func TestWriteAndIdleTimeouts(t *testing.T) {
	writeErr := make(chan error, 1)
	big := bytes.Repeat([]byte("x"), 8<<20)
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) {
		_, err := w.Write(big)
		writeErr <- err
	})
	mux.HandleFunc("/small", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	tt := timeouts{readHeader: time.Second, read: time.Second, write: 300 * time.Millisecond, idle: 300 * time.Millisecond}
	server, _ := newServer(mux, tt, slog.New(slog.DiscardHandler))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = server.Serve(l) }()
	defer server.Close()

	t.Run("a client that does not read is cut off", func(t *testing.T) {
		conn := dialSmallWindow(t, l.Addr().String())
		fmt.Fprintf(conn, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
		select {
		case err := <-writeErr:
			if err == nil {
				t.Error("8 MiB written to a client that reads nothing")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the write to a client that does not read was not cut off")
		}
	})
	t.Run("an idle kept-alive connection is closed", func(t *testing.T) {
		conn, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET /small HTTP/1.1\r\nHost: x\r\n\r\n")
		r := bufio.NewReader(conn)
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
			t.Errorf("idle connection: read %v, want EOF (closed by the server)", err)
		}
	})
}

func TestWebConfigErrorsNameTheVariable(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct{ name, path, want string }{
		{name: "missing", path: filepath.Join(dir, "nope.yml"), want: "no such file"},
		{name: "not YAML", path: write("bad.yml", "basic_auth_users: [\n"), want: "yaml"},
		{name: "unknown key", path: write("typo.yml", "basic_auth_user:\n  u: x\n"), want: "basic_auth_user"},
		{name: "not a bcrypt hash", path: write("plain.yml", "basic_auth_users:\n  u: secret\n"), want: "hash"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(context.Background(), nil, []string{"DONATION_DEMO=true", "DONATION_WEB_CONFIG_FILE=" + tc.path}, io.Discard, &stderr)
			if code != exitConfig {
				t.Errorf("exit code %d, want %d", code, exitConfig)
			}
			if !strings.Contains(stderr.String(), "DONATION_WEB_CONFIG_FILE: ") || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q, want DONATION_WEB_CONFIG_FILE and %q", stderr.String(), tc.want)
			}
		})
	}
}

// testSlowReaderShutdown: a client that sends requests and reads nothing
// used to keep the exporter from exiting for 30 s, then exit 1.
func testSlowReaderShutdown(t *testing.T, bin string) {
	var hits atomic.Int32
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, `<p id="raised">$1,234</p>`)
	}))
	defer site.Close()
	p := startExporter(t, bin, oneCampaignEnv(site.URL)...)
	conn := dialSmallWindow(t, p.addr)
	go func() {
		w := bufio.NewWriter(conn)
		for range 3000 {
			fmt.Fprintf(w, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
		}
		_ = w.Flush()
	}()
	// The scrapes (one fetch each) stop when the buffers are full.
	testsupport.WaitStill(t, hits.Load, 200*time.Millisecond, time.Second, 30*time.Second,
		"scrapes of the client that does not read")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	begin := time.Now()
	go func() { exited <- p.wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exporter exited with %v, want 0; log: %v", err, p.logged())
		}
		t.Logf("exited %v after SIGTERM", time.Since(begin).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		t.Fatal("exporter still running 10 s after SIGTERM: a client that does not read holds the shutdown")
	}
	if !p.hasLog("shutdown: closed the connections of clients that did not read their answers") {
		t.Errorf("closing the slow client's connection was not logged: %v", p.logged())
	}
}

// testSecondSignal: a second SIGTERM during a graceful shutdown stops the
// exporter at once (the first waits for a slow scrape).
func testSecondSignal(t *testing.T, bin string) {
	site := testsupport.NewHeldPage(t)
	p := startExporter(t, bin, oneCampaignEnv(site.URL, "DONATION_CAMPAIGN_0_TIMEOUT=20s", "DONATION_METRICS_TIMEOUT=20s")...)
	go func() {
		if resp, err := http.Get("http://" + p.addr + "/metrics"); err == nil {
			resp.Body.Close()
		}
	}()
	for !site.Requested.Load() {
		time.Sleep(5 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for !p.hasLog("shutting down: finishing scrapes in flight") {
		time.Sleep(5 * time.Millisecond)
	}
	exited := make(chan error, 1)
	go func() { exited <- p.wait() }()
	select {
	case err := <-exited:
		t.Fatalf("exited before the scrape in flight ended: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) || exitErr.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
			t.Errorf("after a second SIGTERM: %v, want killed by SIGTERM", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a second SIGTERM was ignored")
	}
}

// testStuckScrapes: while the scrapes are stuck on a slow site and the
// in-flight limit refuses more, the health check answers, and the
// refusals are counted on /metrics and logged.
func testStuckScrapes(t *testing.T, bin string) {
	site := testsupport.NewHeldPage(t)
	p := startExporter(t, bin, oneCampaignEnv(site.URL, "DONATION_MAX_REQUESTS_IN_FLIGHT=1")...)
	first := make(chan int, 1)
	go func() {
		resp, err := http.Get("http://" + p.addr + "/metrics")
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	for !site.Requested.Load() {
		time.Sleep(5 * time.Millisecond)
	}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get("http://" + p.addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, _ := get("/metrics"); code != http.StatusServiceUnavailable {
		t.Errorf("scrape over the limit: %d, want 503", code)
	}
	if code, body := get("/-/healthy"); code != http.StatusOK || body != "Healthy\n" {
		t.Errorf("/-/healthy while scrapes are stuck: %d %q, want 200", code, body)
	}
	site.Release()
	if code := <-first; code != http.StatusOK {
		t.Errorf("the stuck scrape ended with %d", code)
	}
	_, body := get("/metrics")
	if !strings.Contains(body, `donation_exporter_http_requests_rejected_total{reason="in_flight_limit"} 1`+"\n") {
		t.Errorf("/metrics does not count the refusal:\n%s", body)
	}
	logged := false
	for _, rec := range p.logged() {
		if rec["msg"] == "request rejected" && rec["reason"] == "in_flight_limit" && rec["client"] == "127.0.0.1" {
			logged = true
		}
	}
	if !logged {
		t.Errorf("the refusal was not logged: %v", p.logged())
	}
}
