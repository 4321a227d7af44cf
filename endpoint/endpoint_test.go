package endpoint

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"golang.org/x/crypto/bcrypt"
)

func hash(t testing.TB, password string, cost int) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// changemeCost10 is README's example hash, of "changeme" at cost 10.
const changemeCost10 = "$2a$10$wZh5tz9DjnSpWGStOZoBsOAQSr3lKkeGEecuyQxUbzdOxkEuas20G"

var ok = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })

func TestLimitListener(t *testing.T) {
	_, logger := testsupport.JSONLogger(slog.LevelInfo)
	rejections := NewRejections(logger)
	srv := httptest.NewUnstartedServer(ok)
	limited := LimitListener(srv.Listener, 2, rejections)
	srv.Listener = limited
	srv.Config.ConnState = limited.ConnState
	srv.Start()
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	// Two connections that send nothing hold the two places.
	var held []net.Conn
	for range 2 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		held = append(held, conn)
	}
	// A third is closed at once: it reads EOF (or a reset), not a hang.
	waitRefused := func() {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			reply, err := io.ReadAll(conn)
			conn.Close()
			if len(reply) == 0 {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatal("connection over the cap hangs instead of being closed")
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("connection over the cap answered %q", reply)
			}
			time.Sleep(10 * time.Millisecond) // the held ones are not accepted yet
		}
	}
	waitRefused()
	testsupport.CheckRejected(t, rejections, map[string]int{ReasonConnectionLimit: 1})
	// A place freed is a place for a new connection.
	held[0].Close()
	held[1].Close()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		resp, err := (&http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}).Get(srv.URL)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new connection served after one closed: %v", err)
		}
	}
}

// TestLimitListenerIdle: at the cap, a new connection takes the place of
// the one idle the longest, so kept-alive connections with no request
// cannot keep new clients out.
func TestLimitListenerIdle(t *testing.T) {
	rejections := NewRejections(nil)
	srv := httptest.NewUnstartedServer(ok)
	limited := LimitListener(srv.Listener, 2, rejections)
	srv.Listener = limited
	srv.Config.ConnState = limited.ConnState
	srv.Start()
	defer srv.Close()
	request := func(conn net.Conn, r *bufio.Reader) error {
		fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	var conns []net.Conn
	var readers []*bufio.Reader
	for range 3 {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		r := bufio.NewReader(conn)
		if err := request(conn, r); err != nil {
			t.Fatalf("connection %d: %v", len(conns), err)
		}
		conns, readers = append(conns, conn), append(readers, r)
		if len(conns) < 3 {
			// The server marks a connection idle after its answer is sent,
			// which the client may read first: wait for it, so that the
			// connections are idle in the order they were made.
			waitIdle(t, limited, len(conns))
		}
	}
	// The first, idle the longest, was closed for the third.
	if _, err := readers[0].ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("the oldest idle connection: read %v, want EOF", err)
	}
	if err := request(conns[1], readers[1]); err != nil {
		t.Errorf("the second connection was closed too: %v", err)
	}
	testsupport.CheckRejected(t, rejections, nil)
}

// waitIdle waits until n connections of l are idle.
func waitIdle(t *testing.T, l *Limited, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		l.mu.Lock()
		idle := len(l.idle)
		l.mu.Unlock()
		if idle == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections idle, want %d", idle, n)
		}
	}
}

func TestBasicAuthHashCosts(t *testing.T) {
	tests := []struct {
		name      string
		costs     []int
		wantDummy int
		wantWarns []string
	}{
		{name: "one user, cost 4: the dummy costs 4", costs: []int{4}, wantDummy: 4, wantWarns: []string{"low bcrypt cost"}},
		{name: "cost 10: no warning", costs: []int{10}, wantDummy: 10},
		{name: "costs 4 and 6", costs: []int{4, 6}, wantDummy: 6, wantWarns: []string{"low bcrypt cost", "low bcrypt cost", "different bcrypt costs"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs, logger := testsupport.JSONLogger(slog.LevelInfo)
			users := map[string]string{}
			for i, cost := range tc.costs {
				if cost == 10 {
					users[fmt.Sprintf("user%d", i)] = changemeCost10 // hashing at cost 10 takes seconds under -race
					continue
				}
				users[fmt.Sprintf("user%d", i)] = hash(t, "pw", cost)
			}
			auth, err := NewBasicAuth(BasicAuthConfig{Users: users, Logger: logger}, ok)
			if err != nil {
				t.Fatal(err)
			}
			if got := auth.DummyCost(); got != tc.wantDummy {
				t.Errorf("unknown users are checked at cost %d, want %d: their time would tell them from known ones", got, tc.wantDummy)
			}
			warns := logs.Records(t, "msg", "basic auth")
			if len(warns) != len(tc.wantWarns) {
				t.Fatalf("warnings %v, want %q", warns, tc.wantWarns)
			}
			for i, want := range tc.wantWarns {
				if !strings.Contains(warns[i]["msg"].(string), want) {
					t.Errorf("warning %d %q, want %q", i, warns[i]["msg"], want)
				}
			}
		})
	}
	t.Run("not a bcrypt hash", func(t *testing.T) {
		_, err := NewBasicAuth(BasicAuthConfig{Users: map[string]string{"u": "plain"}}, ok)
		if err == nil || !strings.Contains(err.Error(), "basic_auth_users: u: not a bcrypt hash") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestBasicAuth(t *testing.T) {
	const password = "correct horse"
	logs, logger := testsupport.JSONLogger(slog.LevelInfo)
	rejections := NewRejections(logger)
	auth, err := NewBasicAuth(BasicAuthConfig{
		Users:      map[string]string{"prometheus": hash(t, password, bcrypt.MinCost)},
		Public:     []string{"/-/healthy"},
		Rejections: rejections,
		Logger:     logger,
	}, ok)
	if err != nil {
		t.Fatal(err)
	}
	auth.pause = 0 // the 429s' pause is timed in TestBasicAuthPause
	srv := httptest.NewServer(auth)
	defer srv.Close()
	get := func(path, user, password string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}

	if code := get("/-/healthy", "", "").StatusCode; code != http.StatusOK {
		t.Errorf("health check without credentials: %d, want 200", code)
	}
	if code := get("/metrics", "", "").StatusCode; code != http.StatusUnauthorized {
		t.Errorf("no credentials: %d, want 401", code)
	}
	if code := get("/metrics", "prometheus", password).StatusCode; code != http.StatusOK {
		t.Errorf("right credentials: %d, want 200", code)
	}
	// Wrong passwords from one address: failureBurst checks, then 429
	// without a check. The right password, checked once already, passes
	// all along.
	codes := map[int]int{}
	for i := range failureBurst + 5 {
		resp := get("/metrics", "prometheus", fmt.Sprintf("guess-%d", i))
		codes[resp.StatusCode]++
		if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		if code := get("/metrics", "prometheus", password).StatusCode; code != http.StatusOK {
			t.Fatalf("right credentials after %d wrong ones: %d, want 200", i+1, code)
		}
	}
	// One token may come back while the loop runs.
	if codes[http.StatusUnauthorized] < failureBurst || codes[http.StatusUnauthorized] > failureBurst+1 ||
		codes[http.StatusUnauthorized]+codes[http.StatusTooManyRequests] != failureBurst+5 {
		t.Errorf("answers to wrong passwords %v, want %d 401s then 429s", codes, failureBurst)
	}
	if code := get("/metrics", "admin", "x").StatusCode; code != http.StatusTooManyRequests {
		t.Errorf("unknown user over the budget: %d, want 429", code)
	}
	testsupport.CheckRejected(t, rejections, map[string]int{
		ReasonAuth:          1 + codes[http.StatusUnauthorized],
		ReasonAuthRateLimit: codes[http.StatusTooManyRequests] + 1,
	})
	rejectedLines := logs.Records(t, "msg", "request rejected")
	if len(rejectedLines) == 0 || len(rejectedLines) > logBurst {
		t.Errorf("%d lines for the refusals, want 1 to %d", len(rejectedLines), logBurst)
	}
	for _, rec := range rejectedLines {
		if rec["client"] != "127.0.0.1" {
			t.Errorf("refusal logged without the client address: %v", rec)
		}
	}
	if strings.Contains(logs.String(), "guess-") || strings.Contains(logs.String(), password) {
		t.Errorf("a password is in the log:\n%s", logs.String())
	}
}

func TestBasicAuthUnknownUserNotLogged(t *testing.T) {
	logs, logger := testsupport.JSONLogger(slog.LevelInfo)
	auth, err := NewBasicAuth(BasicAuthConfig{
		Users:      map[string]string{"prometheus": hash(t, "pw", bcrypt.MinCost)},
		Rejections: NewRejections(logger),
		Logger:     logger,
	}, ok)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.SetBasicAuth("my-secret-password", "oops")
	auth.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != "Basic" {
		t.Errorf("status %d, WWW-Authenticate %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
	lines := logs.Records(t, "msg", "request rejected")
	if len(lines) != 1 || lines[0]["why"] != "unknown user" {
		t.Errorf("lines %v, want one unknown user", lines)
	}
	if strings.Contains(logs.String(), "my-secret-password") {
		t.Error("an unknown user name, maybe a mistyped password, is in the log")
	}
}

func TestRejectionsLogRate(t *testing.T) {
	logs, logger := testsupport.JSONLogger(slog.LevelInfo)
	rejections := NewRejections(logger)
	req := httptest.NewRequest(http.MethodPost, "/metrics", nil)
	for range 1000 {
		rejections.Request(req, ReasonMethod)
	}
	lines := logs.Records(t, "msg", "request rejected")
	if len(lines) != logBurst {
		t.Errorf("1000 refusals in %d lines, want %d", len(lines), logBurst)
	}
	testsupport.CheckRejected(t, rejections, map[string]int{ReasonMethod: 1000})
}

// TestBasicAuthPause: a client over its budget gets its 429 after a pause,
// so that it cannot send thousands of requests a second.
func TestBasicAuthPause(t *testing.T) {
	auth, err := NewBasicAuth(BasicAuthConfig{Users: map[string]string{"u": hash(t, "pw", bcrypt.MinCost)}}, ok)
	if err != nil {
		t.Fatal(err)
	}
	auth.pause = 200 * time.Millisecond
	for i := range failureBurst + 1 {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.SetBasicAuth("u", fmt.Sprint("wrong", i))
		rec := httptest.NewRecorder()
		begin := time.Now()
		auth.ServeHTTP(rec, req)
		if i < failureBurst {
			continue
		}
		if took := time.Since(begin); rec.Code != http.StatusTooManyRequests || took < auth.pause {
			t.Errorf("over the budget: %d after %v, want 429 after %v", rec.Code, took, auth.pause)
		}
	}
}

// TestBasicAuthBusy: with maxQueuedChecks checks running or waiting, a
// login is answered 429 at once rather than queued behind them.
func TestBasicAuthBusy(t *testing.T) {
	_, logger := testsupport.JSONLogger(slog.LevelInfo)
	rejections := NewRejections(logger)
	auth, err := NewBasicAuth(BasicAuthConfig{Users: map[string]string{"u": hash(t, "pw", bcrypt.MinCost)}, Rejections: rejections}, ok)
	if err != nil {
		t.Fatal(err)
	}
	auth.pause = 0
	login := func() int {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.SetBasicAuth("u", "pw")
		rec := httptest.NewRecorder()
		auth.ServeHTTP(rec, req)
		return rec.Code
	}
	for range maxQueuedChecks { // checks of other clients, running or waiting
		auth.queue <- struct{}{}
	}
	if code := login(); code != http.StatusTooManyRequests {
		t.Errorf("login with the queue full: %d, want 429", code)
	}
	for range maxQueuedChecks {
		<-auth.queue
	}
	if code := login(); code != http.StatusOK {
		t.Errorf("login with the queue free: %d, want 200", code)
	}
	testsupport.CheckRejected(t, rejections, map[string]int{ReasonAuthBusy: 1})
}

// TestWebConfigHeadersAndRateLimit: the web config file's headers and
// rate_limit still apply now that the exporter serves it itself.
func TestWebConfigHeadersAndRateLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "web.yml")
	content := "http_server_config:\n  headers:\n    X-Frame-Options: deny\nrate_limit:\n  interval: 1h\n  burst: 1\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	web, err := LoadWebConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	rejections := NewRejections(nil)
	h := web.Handler(ok, rejections)
	var codes []int
	for range 2 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		codes = append(codes, rec.Code)
		if rec.Header().Get("X-Frame-Options") != "deny" && rec.Code == http.StatusOK {
			t.Error("the configured header is missing")
		}
	}
	if codes[0] != http.StatusOK || codes[1] != http.StatusTooManyRequests {
		t.Errorf("answers %v, want 200 then 429 (burst 1)", codes)
	}
	testsupport.CheckRejected(t, rejections, map[string]int{ReasonRateLimit: 1})
}

// TestRecover answers 500 to a panicking handler and logs it at error,
// and lets other requests through untouched.
func TestRecover(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("/boom", func(http.ResponseWriter, *http.Request) { panic("label clash") })
	mux.HandleFunc("/fine", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	h := Recover(mux, logger)
	for _, tc := range []struct {
		path string
		code int
	}{{"/boom", http.StatusInternalServerError}, {"/fine", http.StatusOK}} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != tc.code {
			t.Errorf("%s: status %d, want %d", tc.path, rec.Code, tc.code)
		}
	}
	if !strings.Contains(logs.String(), `level=ERROR msg="request handler panicked (a bug: please report it)" path=/boom err="label clash"`) {
		t.Errorf("panic not logged at error:\n%s", logs.String())
	}
}
