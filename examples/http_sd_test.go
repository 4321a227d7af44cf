package examples

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"go.yaml.in/yaml/v3"
)

// TestHTTPSDOnRealPrometheus runs the scrape jobs of prometheus/http-sd.yml
// and prometheus/http-sd-sharded.yml on a real Prometheus against two real
// exporter replicas (127.0.0.10 and 127.0.0.11) watching a campaigns file:
// the targets come from /sd, one per campaign, with the campaign's labels;
// a campaign added to the file and reloaded becomes a target of both jobs.
func TestHTTPSDOnRealPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Prometheus; skipped with -short")
	}
	prometheus := requirePrometheusTool(t, "prometheus", "prometheus")
	exporter := testsupport.BuildExporter(t)

	pages := testsupport.RaisedPages(t)
	entry := func(name, labels string) string {
		return fmt.Sprintf("  - name: %s\n    url: %s/%s\n    raised_selector: .raised\n%s", name, pages.URL, name, labels)
	}
	file := "campaigns:\n" + entry("session", "    labels: {appeal: spring, team: north}\n") +
		entry("spring-appeal", "    labels: {appeal: spring}\n") + entry("members-drive", "")
	campaignsFile := filepath.Join(t.TempDir(), "campaigns.yml")
	if err := os.WriteFile(campaignsFile, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	port := testsupport.FreePort(t, "127.0.0.10", "127.0.0.11")
	replicas := []string{net.JoinHostPort("127.0.0.10", port), net.JoinHostPort("127.0.0.11", port)}
	for _, addr := range replicas {
		testsupport.StartProcess(t, exporter, nil, []string{"DONATION_CONFIG_FILE=" + campaignsFile, "DONATION_LISTEN_ADDRESS=" + addr})
		testsupport.WaitOK(t, "http://"+addr+"/-/healthy", 30*time.Second)
	}

	// The example jobs, scraping and discovering every second, pointed at
	// the replicas.
	single := loadScrapeJob(t, "http-sd.yml")
	single["job_name"] = "http-sd"
	setSDURL(t, single, "http://localhost:9366/sd", "http://"+replicas[0]+"/sd")
	sharded := loadScrapeJob(t, "http-sd-sharded.yml")
	sharded["job_name"] = "http-sd-sharded"
	setSDURL(t, sharded, "http://donation-exporter-0.donation-exporter:9366/sd", "http://"+replicas[0]+"/sd")
	replaceRelabel(t, sharded, "donation-exporter-$1.donation-exporter:9366", "127.0.0.1$1:"+port)
	for _, job := range []map[string]any{single, sharded} {
		job["scrape_interval"], job["scrape_timeout"] = "1s", "1s"
	}
	dir := t.TempDir()
	cfg, err := yaml.Marshal(map[string]any{"scrape_configs": []any{single, sharded}})
	if err != nil {
		t.Fatal(err)
	}
	configPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	promAddr := net.JoinHostPort("127.0.0.1", testsupport.FreePort(t, "127.0.0.1"))
	testsupport.StartProcess(t, prometheus, []string{
		"--config.file=" + configPath, "--storage.tsdb.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=" + promAddr,
	}, nil)
	testsupport.WaitOK(t, "http://"+promAddr+"/-/ready", 30*time.Second)

	targets := waitForSDTargets(t, promAddr, 6)
	shards := map[string]bool{}
	for _, tg := range targets {
		u, err := url.Parse(tg.ScrapeURL)
		if err != nil {
			t.Fatal(err)
		}
		campaign := u.Query().Get("campaign")
		if u.Path != "/probe" || tg.Labels["instance"] != campaign {
			t.Errorf("target %s labelled %v: want /probe?campaign=NAME with instance NAME", tg.ScrapeURL, tg.Labels)
		}
		if campaign == "session" && (tg.Labels["appeal"] != "spring" || tg.Labels["team"] != "north") {
			t.Errorf("target %s lacks the campaign's labels: %v", tg.ScrapeURL, tg.Labels)
		}
		if tg.Labels["job"] == "http-sd-sharded" {
			shards[u.Hostname()] = true
		} else if u.Host != replicas[0] {
			t.Errorf("target %s: want the exporter that answered /sd, %s", tg.ScrapeURL, replicas[0])
		}
	}
	if len(shards) != 2 {
		t.Errorf("the sharded job used replicas %v, want both", shards)
	}
	// The campaign's labels are on its series, not renamed exported_*.
	series := queryInstances(t, promAddr, `donation_raised{campaign="session"}`)
	if len(series) != 2 || series[0]["appeal"] != "spring" || series[0]["team"] != "north" || series[0]["exported_appeal"] != "" {
		t.Errorf("donation_raised of session: %v, want 2 series (one per job) with appeal and team", series)
	}
	if got := queryInstances(t, promAddr, `sum by (appeal) (donation_raised{job="http-sd"})`); len(got) != 2 {
		t.Errorf("sum by (appeal): %v, want spring and the campaign without an appeal", got)
	}

	// A campaign added to the file and reloaded on both replicas.
	if err := os.WriteFile(campaignsFile, []byte(file+entry("giving-day", "    labels: {appeal: autumn}\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, addr := range replicas {
		resp, err := http.Post("http://"+addr+"/-/reload", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST /-/reload on %s: %s", addr, resp.Status)
		}
	}
	targets = waitForSDTargets(t, promAddr, 8)
	var added []string
	for _, tg := range targets {
		if tg.Labels["instance"] == "giving-day" {
			added = append(added, tg.Labels["job"]+" appeal="+tg.Labels["appeal"])
		}
	}
	sort.Strings(added)
	if strings.Join(added, ", ") != "http-sd appeal=autumn, http-sd-sharded appeal=autumn" {
		t.Errorf("targets of the added campaign: %v", added)
	}
}

// sdTarget is a target as Prometheus' API lists it.
type sdTarget struct {
	Labels    map[string]string `json:"labels"`
	ScrapeURL string            `json:"scrapeUrl"`
	Health    string            `json:"health"`
}

// waitForSDTargets waits until Prometheus has n healthy targets, each with
// donation_up 1, and returns them.
func waitForSDTargets(t *testing.T, promAddr string, n int) []sdTarget {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var resp struct {
			Data struct {
				ActiveTargets []sdTarget `json:"activeTargets"`
			} `json:"data"`
		}
		getJSON(t, "http://"+promAddr+"/api/v1/targets", &resp)
		targets := resp.Data.ActiveTargets
		healthy := len(targets) == n
		for _, tg := range targets {
			healthy = healthy && tg.Health == "up"
		}
		if healthy && len(queryInstances(t, promAddr, `donation_up == 1`)) == n {
			return targets
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s, targets (want %d healthy): %+v", n, targets)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// setSDURL points the job's http_sd_configs entry at url instead of from.
func setSDURL(t *testing.T, job map[string]any, from, to string) {
	t.Helper()
	configs, _ := job["http_sd_configs"].([]any)
	for _, c := range configs {
		sd, _ := c.(map[string]any)
		if sd["url"] == from {
			sd["url"], sd["refresh_interval"] = to, "1s"
			return
		}
	}
	t.Fatalf("job %v has no http_sd_configs url %s", job["job_name"], from)
}
