package examples

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"go.yaml.in/yaml/v3"
)

// TestProbeRelabelOnRealPrometheus runs the scrape jobs of
// prometheus/per-campaign.yml and prometheus/sharded.yml on a real
// Prometheus against real exporters: two replicas, on 127.0.0.10 and
// 127.0.0.11, stand for the StatefulSet's pods. Every campaign must be
// scraped through /probe, once, by the replica its hash picks, with the
// campaign as the instance label.
func TestProbeRelabelOnRealPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Prometheus; skipped with -short")
	}
	prometheus := requirePrometheusTool(t, "prometheus", "prometheus")
	exporter := testsupport.BuildExporter(t)

	pages := testsupport.RaisedPages(t)
	campaigns := []string{"session", "spring-appeal", "members-drive"} // and the demo
	environ := []string{"DONATION_DEMO=true"}
	for i, name := range campaigns {
		prefix := fmt.Sprintf("DONATION_CAMPAIGN_%d_", i)
		environ = append(environ, prefix+"NAME="+name, prefix+"URL="+pages.URL+"/"+name, prefix+"RAISED_SELECTOR=.raised")
	}
	port := testsupport.FreePort(t, "127.0.0.10", "127.0.0.11")
	for _, host := range []string{"127.0.0.10", "127.0.0.11"} {
		testsupport.StartProcess(t, exporter, nil, append(environ, "DONATION_LISTEN_ADDRESS="+net.JoinHostPort(host, port)))
		testsupport.WaitOK(t, "http://"+net.JoinHostPort(host, port)+"/-/healthy", 30*time.Second)
	}

	// The example jobs, scraping every second, pointed at the replicas.
	perCampaign := loadScrapeJob(t, "per-campaign.yml")
	perCampaign["job_name"] = "per-campaign"
	replaceRelabel(t, perCampaign, "localhost:9366", "127.0.0.10:"+port)
	sharded := loadScrapeJob(t, "sharded.yml")
	sharded["job_name"] = "sharded"
	replaceRelabel(t, sharded, "donation-exporter-$1.donation-exporter:9366", "127.0.0.1$1:"+port)
	for _, job := range []map[string]any{perCampaign, sharded} {
		job["scrape_interval"], job["scrape_timeout"] = "1s", "1s"
	}
	dir := t.TempDir()
	cfg, err := yaml.Marshal(map[string]any{"scrape_configs": []any{perCampaign, sharded}})
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

	type target struct {
		Labels    map[string]string `json:"labels"`
		ScrapeURL string            `json:"scrapeUrl"`
		Health    string            `json:"health"`
	}
	var targets []target
	deadline := time.Now().Add(60 * time.Second)
	for {
		var resp struct {
			Data struct {
				ActiveTargets []target `json:"activeTargets"`
			} `json:"data"`
		}
		getJSON(t, "http://"+promAddr+"/api/v1/targets", &resp)
		targets = resp.Data.ActiveTargets
		healthy := len(targets) == 5
		for _, tg := range targets {
			healthy = healthy && tg.Health == "up"
		}
		if healthy && len(queryInstances(t, promAddr, `donation_up == 1`)) == 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s, targets: %+v", targets)
		}
		time.Sleep(500 * time.Millisecond)
	}

	var got []string
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
		if tg.Labels["job"] == "sharded" {
			shards[u.Hostname()] = true
		}
		got = append(got, tg.Labels["job"]+"/"+campaign+"@"+u.Hostname())
	}
	sort.Strings(got)
	t.Logf("targets: %v", got)
	if len(shards) != 2 {
		t.Errorf("the sharded job used replicas %v, want both", shards)
	}
	// Each probe exposes only its own campaign: one donation_up series per
	// target, and none carrying another campaign's label.
	for _, s := range queryInstances(t, promAddr, `donation_up`) {
		if s["campaign"] != s["instance"] {
			t.Errorf("series %v: campaign and instance differ", s)
		}
	}
	if n := len(queryInstances(t, promAddr, `donation_up{job="sharded"}`)); n != 4 {
		t.Errorf("%d donation_up series from the sharded job, want 4", n)
	}
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
}

// queryInstances runs an instant query and returns the labels of each series.
func queryInstances(t *testing.T, addr, query string) []map[string]string {
	t.Helper()
	var resp struct {
		Data struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
			} `json:"result"`
		} `json:"data"`
	}
	getJSON(t, "http://"+addr+"/api/v1/query?query="+url.QueryEscape(query), &resp)
	var out []map[string]string
	for _, r := range resp.Data.Result {
		out = append(out, r.Metric)
	}
	return out
}

// loadScrapeJob returns the only scrape job of an example file.
func loadScrapeJob(t *testing.T, name string) map[string]any {
	t.Helper()
	var cfg struct {
		ScrapeConfigs []map[string]any `yaml:"scrape_configs"`
	}
	readYAML(t, filepath.Join(repoRoot, "examples", "prometheus", name), &cfg, false)
	if len(cfg.ScrapeConfigs) != 1 {
		t.Fatalf("%s: %d scrape jobs, want 1", name, len(cfg.ScrapeConfigs))
	}
	return cfg.ScrapeConfigs[0]
}

// replaceRelabel swaps the replacement of the rule that sets the address.
func replaceRelabel(t *testing.T, job map[string]any, from, to string) {
	t.Helper()
	rules, _ := job["relabel_configs"].([]any)
	for _, r := range rules {
		rule, _ := r.(map[string]any)
		if rule["target_label"] == "__address__" && rule["replacement"] == from {
			rule["replacement"] = to
			return
		}
	}
	t.Fatalf("job %v has no rule setting __address__ to %s", job["job_name"], from)
}
