package examples

import (
	"encoding/json"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/config"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

var composeDir = filepath.Join(repoRoot, "examples", "compose")

type composeFile struct {
	Name     string                    `yaml:"name"`
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image string `yaml:"image"`
	Build *struct {
		Context string `yaml:"context"`
	} `yaml:"build"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Ports       []string          `yaml:"ports"`
	DependsOn   []string          `yaml:"depends_on"`
	Restart     string            `yaml:"restart"`
}

// mount is a volume of a service: a host path (bind mount) or a named volume.
type mount struct {
	Source, Target string
	Bind           bool
}

func (s composeService) mounts() []mount {
	var ms []mount
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		m := mount{Source: parts[0], Target: parts[1]}
		m.Bind = strings.HasPrefix(m.Source, ".") || strings.HasPrefix(m.Source, "/")
		if m.Bind && !filepath.IsAbs(m.Source) {
			m.Source = filepath.Join(composeDir, m.Source)
		}
		ms = append(ms, m)
	}
	return ms
}

// hostPath returns where a path inside the service's container comes from
// on the host, through the bind mount that holds it.
func (s composeService) hostPath(containerPath string) (string, bool) {
	best, found := "", false
	longest := -1
	for _, m := range s.mounts() {
		rel, err := filepath.Rel(m.Target, containerPath)
		if !m.Bind || err != nil || strings.HasPrefix(rel, "..") || len(m.Target) <= longest {
			continue
		}
		best, found, longest = filepath.Join(m.Source, rel), true, len(m.Target)
	}
	return best, found
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	var c composeFile
	readYAML(t, filepath.Join(composeDir, "docker-compose.yml"), &c, true)
	return c
}

func TestComposeServices(t *testing.T) {
	c := loadCompose(t)
	var names []string
	for name := range c.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	if got := strings.Join(names, " "); got != "alertmanager donation_exporter grafana prometheus" {
		t.Fatalf("services %s, want alertmanager donation_exporter grafana prometheus", got)
	}
	for _, name := range names {
		svc := c.Services[name]
		t.Run(name, func(t *testing.T) {
			if svc.Image == "" {
				t.Error("no image")
			}
			for _, dep := range svc.DependsOn {
				if _, ok := c.Services[dep]; !ok {
					t.Errorf("depends on %s, which is not a service", dep)
				}
			}
			for _, m := range svc.mounts() {
				if _, ok := c.Volumes[m.Source]; !m.Bind && !ok {
					t.Errorf("named volume %s is not declared", m.Source)
				}
			}
			for _, p := range svc.Ports {
				if !regexp.MustCompile(`^\d+:\d+$`).MatchString(p) {
					t.Errorf("port %q is not HOST:CONTAINER", p)
				}
			}
		})
	}

	t.Run("exporter is built from the repository and configured validly", func(t *testing.T) {
		svc := c.Services["donation_exporter"]
		if svc.Build == nil {
			t.Fatal("donation_exporter has no build")
		}
		if _, err := os.Stat(filepath.Join(composeDir, svc.Build.Context, "Dockerfile")); err != nil {
			t.Errorf("build context %s: %v", svc.Build.Context, err)
		}
		var environ []string
		for k, v := range svc.Environment {
			environ = append(environ, k+"="+v)
		}
		cfg, err := config.Load(environ, testsupport.Presets())
		if err != nil {
			t.Fatalf("environment rejected by the exporter: %v", err)
		}
		if !cfg.Demo {
			t.Error("the quick start does not run the demo")
		}
		_, port, _ := net.SplitHostPort(cfg.ListenAddress)
		if want := port + ":" + port; len(svc.Ports) != 1 || svc.Ports[0] != want {
			t.Errorf("ports %v, want [%s] (the exporter listens on %s)", svc.Ports, want, cfg.ListenAddress)
		}
	})
}

func TestComposeMountsExist(t *testing.T) {
	c := loadCompose(t)
	for name, svc := range c.Services {
		for _, m := range svc.mounts() {
			if !m.Bind {
				continue
			}
			t.Run(name+" "+m.Target, func(t *testing.T) {
				if _, err := os.Stat(m.Source); err != nil {
					t.Error(err)
				}
			})
		}
	}
}

type prometheusConfig struct {
	RuleFiles []string `yaml:"rule_files"`
	Alerting  struct {
		Alertmanagers []struct {
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"alertmanagers"`
	} `yaml:"alerting"`
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		MetricsPath   string `yaml:"metrics_path"`
		StaticConfigs []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
	} `yaml:"scrape_configs"`
}

// checkServiceTarget fails unless target (HOST:PORT) names a compose
// service that publishes PORT.
func checkServiceTarget(t *testing.T, c composeFile, target string) {
	t.Helper()
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		t.Fatalf("target %q: %v", target, err)
	}
	svc, ok := c.Services[host]
	if !ok {
		t.Fatalf("target %s: no service %s", target, host)
	}
	for _, p := range svc.Ports {
		if strings.HasSuffix(p, ":"+port) {
			return
		}
	}
	t.Errorf("target %s: service %s publishes %v, not %s", target, host, svc.Ports, port)
}

// serviceConfig returns a service whose command loads the configuration
// file configPath (--config.file), and where that file is on the host.
func serviceConfig(t *testing.T, c composeFile, name, configPath string) (composeService, string) {
	t.Helper()
	svc := c.Services[name]
	if !contains(svc.Command, "--config.file="+configPath) {
		t.Fatalf("%s command %v does not load %s", name, svc.Command, configPath)
	}
	hostConfig, ok := svc.hostPath(configPath)
	if !ok {
		t.Fatalf("%s: nothing mounted at %s", name, configPath)
	}
	return svc, hostConfig
}

func TestComposePrometheus(t *testing.T) {
	c := loadCompose(t)
	configPath := "/etc/prometheus/prometheus.yml"
	svc, hostConfig := serviceConfig(t, c, "prometheus", configPath)
	var cfg prometheusConfig
	readYAML(t, hostConfig, &cfg, false)

	t.Run("scrapes the exporter at its metrics path", func(t *testing.T) {
		var job string
		for _, sc := range cfg.ScrapeConfigs {
			for _, s := range sc.StaticConfigs {
				for _, target := range s.Targets {
					if strings.HasPrefix(target, "donation_exporter:") {
						job = sc.JobName
						checkServiceTarget(t, c, target)
						if sc.MetricsPath != "" && sc.MetricsPath != "/metrics" {
							t.Errorf("job %s scrapes %s", sc.JobName, sc.MetricsPath)
						}
					}
				}
			}
		}
		if job == "" {
			t.Error("no job scrapes donation_exporter")
		}
	})

	t.Run("sends alerts to the alertmanager service", func(t *testing.T) {
		n := 0
		for _, am := range cfg.Alerting.Alertmanagers {
			for _, s := range am.StaticConfigs {
				for _, target := range s.Targets {
					n++
					checkServiceTarget(t, c, target)
				}
			}
		}
		if n == 0 {
			t.Error("no alertmanager configured")
		}
	})

	t.Run("loads every project rule file", func(t *testing.T) {
		files, ok := projectRuleFiles(t)
		if !ok {
			t.Skip("no prometheus/ directory in this tree yet")
		}
		for _, f := range files {
			target := "/etc/prometheus/rules/" + f.Name
			if host, ok := svc.hostPath(target); !ok || filepath.Clean(host) != filepath.Join(repoRoot, "prometheus", f.Name) {
				t.Errorf("prometheus/%s is not mounted at %s", f.Name, target)
				continue
			}
			rel, _ := filepath.Rel(path.Dir(configPath), target)
			if !matchesAny(cfg.RuleFiles, rel) {
				t.Errorf("rule_files %v does not load %s", cfg.RuleFiles, rel)
			}
		}
	})

	t.Run("promtool check config", func(t *testing.T) {
		promtool := requirePrometheusTool(t, "promtool", "prometheus")
		root := containerView(t, svc)
		out := runTool(t, promtool, "check", "config", filepath.Join(root, configPath))
		t.Log(out)
		if files, ok := projectRuleFiles(t); ok && !strings.Contains(out, "SUCCESS: "+strconv.Itoa(len(files))+" rule files found") {
			t.Errorf("promtool did not load the %d project rule files:\n%s", len(files), out)
		}
	})
}

func TestComposeAlertmanager(t *testing.T) {
	_, hostConfig := serviceConfig(t, loadCompose(t), "alertmanager", "/etc/alertmanager/alertmanager.yml")

	t.Run("amtool check-config", func(t *testing.T) {
		amtool := requirePrometheusTool(t, "amtool", "prometheus-alertmanager")
		t.Log(runTool(t, amtool, "check-config", hostConfig))
	})

	t.Run("alert names it matches exist", func(t *testing.T) {
		files, ok := projectRuleFiles(t)
		if !ok {
			t.Skip("no prometheus/ directory in this tree yet")
		}
		alerts := alertNames(t, files)
		raw, err := os.ReadFile(hostConfig)
		if err != nil {
			t.Fatal(err)
		}
		matched := regexp.MustCompile(`alertname="([^"]+)"`).FindAllStringSubmatch(string(raw), -1)
		for _, m := range matched {
			if !alerts[m[1]] {
				t.Errorf("alertmanager.yml matches alertname %q, which no rule file defines", m[1])
			}
		}
	})
}

func TestComposeGrafana(t *testing.T) {
	c := loadCompose(t)
	svc := c.Services["grafana"]
	provisioning, ok := svc.hostPath("/etc/grafana/provisioning")
	if !ok {
		t.Fatal("no provisioning mounted at /etc/grafana/provisioning")
	}

	t.Run("datasource is the prometheus service", func(t *testing.T) {
		var ds struct {
			APIVersion  int `yaml:"apiVersion"`
			Datasources []struct {
				Name, UID, Type, Access, URL string
				IsDefault                    bool           `yaml:"isDefault"`
				JSONData                     map[string]any `yaml:"jsonData"`
			} `yaml:"datasources"`
		}
		readYAML(t, filepath.Join(provisioning, "datasources", "prometheus.yml"), &ds, true)
		if ds.APIVersion != 1 || len(ds.Datasources) != 1 {
			t.Fatalf("want apiVersion 1 and one datasource, got %+v", ds)
		}
		d := ds.Datasources[0]
		u, err := url.Parse(d.URL)
		if err != nil || d.Type != "prometheus" || !d.IsDefault {
			t.Fatalf("datasource %+v: want the default, of type prometheus, with a URL (%v)", d, err)
		}
		checkServiceTarget(t, c, u.Host)
	})

	t.Run("dashboards provider points at the mounted dashboard", func(t *testing.T) {
		var dp struct {
			APIVersion int `yaml:"apiVersion"`
			Providers  []struct {
				Name, Folder, Type string
				DisableDeletion    bool `yaml:"disableDeletion"`
				AllowUIUpdates     bool `yaml:"allowUiUpdates"`
				Options            struct {
					Path string `yaml:"path"`
				} `yaml:"options"`
			} `yaml:"providers"`
		}
		readYAML(t, filepath.Join(provisioning, "dashboards", "donation_exporter.yml"), &dp, true)
		if dp.APIVersion != 1 || len(dp.Providers) != 1 || dp.Providers[0].Type != "file" {
			t.Fatalf("want apiVersion 1 and one file provider, got %+v", dp)
		}
		dir := dp.Providers[0].Options.Path
		home := c.Services["grafana"].Environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
		if path.Dir(home) != dir {
			t.Errorf("home dashboard %s is not in the provider's path %s", home, dir)
		}
		host, ok := svc.hostPath(home)
		if !ok {
			t.Fatalf("nothing mounted at %s", home)
		}
		raw, err := os.ReadFile(host)
		if err != nil {
			t.Fatal(err)
		}
		var dashboard struct {
			UID    string            `json:"uid"`
			Title  string            `json:"title"`
			Panels []json.RawMessage `json:"panels"`
		}
		if err := json.Unmarshal(raw, &dashboard); err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		if dashboard.UID == "" || dashboard.Title == "" || len(dashboard.Panels) == 0 {
			t.Errorf("%s: want a uid, a title and panels", host)
		}
	})
}

// containerView lays out, under a temporary directory, the files a
// service's container sees through its bind mounts, so that tools can
// check a configuration with its relative paths resolved as in the
// container. Mounts whose source is not in this tree yet are left out.
func containerView(t *testing.T, svc composeService) string {
	t.Helper()
	root := t.TempDir()
	for _, m := range svc.mounts() {
		if !m.Bind {
			continue
		}
		err := filepath.WalkDir(m.Source, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(m.Source, p)
			if err != nil {
				return err
			}
			dst := filepath.Join(root, m.Target, rel)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(dst, b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func matchesAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}
