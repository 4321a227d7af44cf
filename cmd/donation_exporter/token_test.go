package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

// TestTokenAppearsNowhere runs the exporter as main does, with debug logs,
// on campaigns whose API wants a key: one it reads, one that fails (with
// the key in its error body) and one redirected to another host. The key
// reaches its API, and no output holds it: not /metrics, /probe, /sd, the
// status page, a reload, the logs, `check`, nor what the other host got.
func TestTokenAppearsNowhere(t *testing.T) {
	const token = "tk_live_9c2f-4b7e/a1+Zq=" // characters a URL escapes, too
	leaks := func(text string) bool {
		return strings.Contains(text, token) || strings.Contains(text, url.QueryEscape(token)) ||
			strings.Contains(text, url.PathEscape(token))
	}
	var mu sync.Mutex
	var otherGot bytes.Buffer
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fmt.Fprintf(&otherGot, "%s %v\n", r.URL, r.Header)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"raised": 7}`)
	}))
	defer other.Close()
	elsewhere := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) // another host, as URLs see it
	var authorized sync.Map
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "no key", http.StatusUnauthorized)
			return
		}
		authorized.Store(r.URL.Path, true)
		switch r.URL.Path {
		case "/api/broken":
			// Echoes the key, as a careless API's error might.
			http.Error(w, "bad key "+token, http.StatusInternalServerError)
		case "/api/moved":
			http.Redirect(w, r, elsewhere+"/api/landed?"+r.URL.RawQuery, http.StatusFound)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"raised": 1234.5}`)
		}
	}))
	defer api.Close()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	campaign := func(i int, name, path string) []string {
		return campaignEnv(i, map[string]string{
			"NAME": name, "URL": api.URL + path, "PLATFORM": "json",
			"RAISED_SELECTOR": "$.raised", "TOKEN_FILE": keyFile,
		})
	}
	environ := append(campaign(0, "good", "/api/campaigns/1"), campaign(1, "broken", "/api/broken")...)
	environ = append(environ, campaign(2, "moved", "/api/moved")...)
	environ = append(environ, "DONATION_LOG_LEVEL=debug")

	logs := &testsupport.LogBuffer{}
	addr := testsupport.FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, append(environ, "DONATION_LISTEN_ADDRESS="+addr), io.Discard, logs) }()
	base := "http://" + addr
	var outputs strings.Builder
	metrics := testsupport.WaitOK(t, base+"/metrics", 20*time.Second)
	outputs.WriteString(metrics)
	for _, path := range []string{"/", "/probe?campaign=good", "/probe?campaign=broken", "/probe?campaign=moved", "/sd"} {
		outputs.WriteString(get(t, base+path))
	}
	resp, err := http.Post(base+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	outputs.Write(body)
	outputs.WriteString(get(t, base+"/metrics"))
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("exporter did not stop")
	}

	var checkOut, checkErr bytes.Buffer
	run(context.Background(), []string{"check"}, append(environ, "DONATION_LOG_FORMAT=json"), &checkOut, &checkErr)

	if !strings.Contains(metrics, `donation_up{campaign="good"} 1`) || !strings.Contains(metrics, `donation_raised{campaign="good",currency=""} 1234.5`) {
		t.Errorf("the API did not answer the key:\n%s", metrics)
	}
	for _, path := range []string{"/api/campaigns/1", "/api/broken", "/api/moved"} {
		if _, ok := authorized.Load(path); !ok {
			t.Errorf("%s was not sent the key", path)
		}
	}
	if !strings.Contains(checkOut.String(), "broken") || !strings.Contains(logs.String(), "level=DEBUG") {
		t.Errorf("check or the debug log say nothing: the test would see no leak\ncheck: %s\nlog: %s", checkOut.String(), logs.String())
	}
	mu.Lock()
	got := otherGot.String()
	mu.Unlock()
	if !strings.Contains(got, "/api/landed") {
		t.Errorf("the redirect was not followed: %q", got)
	}
	for name, text := range map[string]string{
		"the HTTP endpoints": outputs.String(), "the log": logs.String(),
		"check's output": checkOut.String(), "check's log": checkErr.String(), "the other host": got,
	} {
		if leaks(text) {
			t.Errorf("%s shows the key:\n%s", name, text)
		}
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}
