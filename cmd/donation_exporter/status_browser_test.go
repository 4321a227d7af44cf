package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

// chromiumArgs make headless Chromium work as root on an offline machine.
var chromiumArgs = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
	"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
}

// findChromium returns the Chromium binary, or skips the test when there is
// none, unless TEST_REQUIRE_CHROMIUM=1 (as in CI) makes that a failure.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("TEST_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("chromium is not installed and TEST_REQUIRE_CHROMIUM=1: apt-get install -y chromium")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium); set TEST_REQUIRE_CHROMIUM=1 to make this a failure")
	return ""
}

// runExporter runs the exporter as main does, on a loopback address,
// until the test ends, and returns its base URL.
func runExporter(t *testing.T, environ []string) string {
	t.Helper()
	addr := testsupport.FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	logFile, err := os.Create(t.TempDir() + "/exporter.log")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, nil, append(environ, "DONATION_LISTEN_ADDRESS="+addr), io.Discard, logFile)
	}()
	t.Cleanup(func() {
		defer logFile.Close()
		defer func() {
			if t.Failed() {
				log, _ := os.ReadFile(logFile.Name())
				t.Logf("exporter log:\n%s", log)
			}
		}()
		cancel()
		select {
		case code := <-done:
			if code != exitOK {
				t.Errorf("exporter exited %d after shutdown", code)
			}
		case <-time.After(30 * time.Second):
			t.Error("exporter did not shut down within 30s")
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(base + "/metrics")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		select {
		case code := <-done:
			t.Fatalf("exporter exited %d before serving", code)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("exporter not serving %s after 15s: %v", base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestStatusPageInChromium(t *testing.T) {
	chromium := findChromium(t)
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, `<p class="raised">&lt;script&gt;document.body.dataset.pwned = 'error'&lt;/script&gt;</p>`)
	}))
	defer hostile.Close()
	const hostileName = `<script>document.body.dataset.pwned = 'name'</script>`
	base := runExporter(t, []string{
		"DONATION_DEMO=true",
		"DONATION_LOG_LEVEL=error",
		"DONATION_CAMPAIGN_0_NAME=" + hostileName,
		"DONATION_CAMPAIGN_0_URL=" + hostile.URL + "/donate",
		"DONATION_CAMPAIGN_0_RAISED_SELECTOR=.raised",
	})

	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	args := append(append([]string{}, chromiumArgs...), "--user-data-dir="+t.TempDir(), "--dump-dom", base+"/")
	cmd := exec.CommandContext(ctx, chromium, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v\n%s", err, stderr.String())
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(dom))
	if err != nil {
		t.Fatal(err)
	}

	demoRow := doc.Find(`tr.campaign[data-campaign="demo"]`)
	if demoRow.Length() != 1 {
		t.Fatalf("the rendered page has %d rows for the demo campaign, want 1:\n%s", demoRow.Length(), dom)
	}
	progress := demoRow.Find("progress")
	value, _ := progress.Attr("value")
	ratio, err := strconv.ParseFloat(value, 64)
	if progress.Length() != 1 || err != nil || ratio < 0.19 || ratio > 0.25 {
		t.Errorf("demo progress bar: %d <progress> with value %q, want one near 0.2", progress.Length(), value)
	}
	checks := []struct {
		name, got, want string
	}{
		{"demo link text", demoRow.Find("td.name a").First().Text(), "demo"},
		{"demo state", demoRow.AttrOr("class", ""), "campaign ok"},
		{"demo raised", strings.Fields(demoRow.Find(".raised").Text())[0], "200,0"},
		{"demo target", demoRow.Find(".target").Text(), "1,000,000 USD"},
		{"demo short", demoRow.Find("td.shortfall").AttrOr("class", ""), "shortfall short"},
		{"metrics link", doc.Find(`a[href="/metrics"]`).Text(), "Metrics"},
		{"hostile name is text", doc.Find("tr.failed td.name a").First().Text(), hostileName},
		{"no script ran", doc.Find("body").AttrOr("data-pwned", "none"), "none"},
		{"no script element", fmt.Sprint(doc.Find("script").Length()), "0"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !strings.HasPrefix(c.got, c.want) {
				t.Errorf("got %q, want %q", c.got, c.want)
			}
		})
	}
	if got := doc.Find("tr.failed .error").Text(); !strings.Contains(got, `<script>document.body.dataset.pwned = 'error'</script>`) {
		t.Errorf("error text %q does not show the page's script as text", got)
	}
}
