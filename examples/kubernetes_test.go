package examples

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/donation-exporter/donation_exporter/config"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

var update = flag.Bool("update", false, "rewrite kubernetes/prometheusrule.yaml from ../prometheus")

var kubernetesDir = filepath.Join(repoRoot, "examples", "kubernetes")

const prometheusRuleFile = "prometheusrule.yaml"

// object is what every Kubernetes manifest has.
type object struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
}

// manifest is one YAML document of a file.
type manifest struct {
	File string
	object
	node yaml.Node
}

func (m manifest) decode(t *testing.T, v any) {
	t.Helper()
	if err := m.node.Decode(v); err != nil {
		t.Fatalf("%s %s: %v", m.File, m.Kind, err)
	}
}

func loadManifests(t *testing.T) []manifest {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(kubernetesDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var ms []manifest
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		for {
			m := manifest{File: filepath.Base(path)}
			err := dec.Decode(&m.node)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if err := m.node.Decode(&m.object); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			ms = append(ms, m)
		}
	}
	return ms
}

// one returns the only manifest of kind.
func one(t *testing.T, ms []manifest, kind string) manifest {
	t.Helper()
	var found []manifest
	for _, m := range ms {
		if m.Kind == kind {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d manifests of kind %s, want 1", len(found), kind)
	}
	return found[0]
}

func TestKubernetesManifestKinds(t *testing.T) {
	apiVersions := map[string]string{
		"Kustomization":  "kustomize.config.k8s.io/v1beta1",
		"ConfigMap":      "v1",
		"Secret":         "v1",
		"Deployment":     "apps/v1",
		"Service":        "v1",
		"ServiceMonitor": "monitoring.coreos.com/v1",
		"PrometheusRule": "monitoring.coreos.com/v1",
	}
	ms := loadManifests(t)
	files := map[string]bool{}
	for _, m := range ms {
		t.Run(m.File+" "+m.Kind+" "+m.Metadata.Name, func(t *testing.T) {
			want, ok := apiVersions[m.Kind]
			if !ok {
				t.Fatalf("unexpected kind %q", m.Kind)
			}
			if m.APIVersion != want {
				t.Errorf("apiVersion %q, want %q", m.APIVersion, want)
			}
			if m.Kind == "Kustomization" {
				return
			}
			if m.Metadata.Name == "" {
				t.Error("no metadata.name")
			}
			if m.Metadata.Labels["app.kubernetes.io/name"] != "donation-exporter" {
				t.Errorf("labels %v lack app.kubernetes.io/name: donation-exporter", m.Metadata.Labels)
			}
		})
		if m.Kind != "Kustomization" {
			files[m.File] = true
		}
	}
	for kind := range apiVersions {
		if kind != "PrometheusRule" { // one per rule file
			one(t, ms, kind)
		}
	}

	t.Run("kustomization lists every manifest", func(t *testing.T) {
		var k struct {
			Resources []string `yaml:"resources"`
			Images    []struct {
				Name    string `yaml:"name"`
				NewName string `yaml:"newName"`
				NewTag  string `yaml:"newTag"`
			} `yaml:"images"`
		}
		one(t, ms, "Kustomization").decode(t, &k)
		var want []string
		for f := range files {
			want = append(want, f)
		}
		sort.Strings(want)
		got := append([]string(nil), k.Resources...)
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("resources %v, want %v", got, want)
		}
		version, err := os.ReadFile(filepath.Join(repoRoot, "VERSION"))
		if err != nil {
			t.Fatal(err)
		}
		if len(k.Images) != 1 || k.Images[0].Name != "donation_exporter" || k.Images[0].NewTag != strings.TrimSpace(string(version)) {
			t.Errorf("images %+v, want donation_exporter tagged %s (VERSION)", k.Images, strings.TrimSpace(string(version)))
		}
	})
}

type containerPort struct {
	Name          string `yaml:"name"`
	ContainerPort int    `yaml:"containerPort"`
	Protocol      string `yaml:"protocol"`
}

type probe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
	PeriodSeconds  int `yaml:"periodSeconds"`
	TimeoutSeconds int `yaml:"timeoutSeconds"`
}

type deployment struct {
	Spec struct {
		Replicas int `yaml:"replicas"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec struct {
				AutomountServiceAccountToken *bool `yaml:"automountServiceAccountToken"`
				SecurityContext              struct {
					RunAsNonRoot bool `yaml:"runAsNonRoot"`
					RunAsUser    int  `yaml:"runAsUser"`
					RunAsGroup   int  `yaml:"runAsGroup"`
				} `yaml:"securityContext"`
				Containers []struct {
					Name    string `yaml:"name"`
					Image   string `yaml:"image"`
					EnvFrom []struct {
						ConfigMapRef *struct {
							Name string `yaml:"name"`
						} `yaml:"configMapRef"`
						SecretRef *struct {
							Name     string `yaml:"name"`
							Optional bool   `yaml:"optional"`
						} `yaml:"secretRef"`
					} `yaml:"envFrom"`
					Ports          []containerPort `yaml:"ports"`
					LivenessProbe  *probe          `yaml:"livenessProbe"`
					ReadinessProbe *probe          `yaml:"readinessProbe"`
					Resources      struct {
						Requests map[string]string `yaml:"requests"`
						Limits   map[string]string `yaml:"limits"`
					} `yaml:"resources"`
					SecurityContext struct {
						AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
						ReadOnlyRootFilesystem   bool  `yaml:"readOnlyRootFilesystem"`
						Capabilities             struct {
							Drop []string `yaml:"drop"`
						} `yaml:"capabilities"`
					} `yaml:"securityContext"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type service struct {
	Spec struct {
		Selector map[string]string `yaml:"selector"`
		Ports    []struct {
			Name       string `yaml:"name"`
			Port       int    `yaml:"port"`
			TargetPort string `yaml:"targetPort"`
		} `yaml:"ports"`
	} `yaml:"spec"`
}

// subset reports whether every label of sel is in labels.
func subset(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func TestKubernetesDeployment(t *testing.T) {
	ms := loadManifests(t)
	var d deployment
	one(t, ms, "Deployment").decode(t, &d)
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	defaults, err := config.Load(nil, testsupport.Presets())
	if err != nil {
		t.Fatal(err)
	}
	_, defaultPort, _ := net.SplitHostPort(defaults.ListenAddress)

	t.Run("selector matches the pod", func(t *testing.T) {
		if !subset(d.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels) {
			t.Errorf("selector %v does not match pod labels %v", d.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels)
		}
	})
	t.Run("port is the exporter's", func(t *testing.T) {
		if len(c.Ports) != 1 || strconv.Itoa(c.Ports[0].ContainerPort) != defaultPort || c.Ports[0].Name == "" {
			t.Errorf("ports %+v, want one named port %s", c.Ports, defaultPort)
		}
	})
	t.Run("probes", func(t *testing.T) {
		for name, p := range map[string]*probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
			if p == nil {
				t.Errorf("no %s probe", name)
				continue
			}
			// /-/healthy answers without fetching campaign pages; see
			// cmd/donation_exporter's TestMakeBuild.
			if p.HTTPGet.Path != "/-/healthy" || len(c.Ports) == 0 || p.HTTPGet.Port != c.Ports[0].Name {
				t.Errorf("%s probe %+v, want GET /-/healthy on the container port", name, p.HTTPGet)
			}
		}
	})
	t.Run("resources", func(t *testing.T) {
		for _, r := range []string{"cpu", "memory"} {
			if c.Resources.Requests[r] == "" || c.Resources.Limits[r] == "" {
				t.Errorf("%s: request %q, limit %q; want both", r, c.Resources.Requests[r], c.Resources.Limits[r])
			}
		}
	})
	t.Run("non-root, read-only, no privileges", func(t *testing.T) {
		sc := c.SecurityContext
		// 65532 is the nonroot user of the distroless image (Dockerfile USER).
		if !pod.SecurityContext.RunAsNonRoot || pod.SecurityContext.RunAsUser != 65532 || pod.SecurityContext.RunAsGroup != 65532 {
			t.Errorf("pod securityContext %+v, want runAsNonRoot as 65532:65532", pod.SecurityContext)
		}
		if !sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
			!reflect.DeepEqual(sc.Capabilities.Drop, []string{"ALL"}) {
			t.Errorf("container securityContext %+v, want read-only root, no privilege escalation, all capabilities dropped", sc)
		}
		if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
			t.Error("the service account token is mounted; the exporter does not talk to the API server")
		}
	})
	t.Run("image is the kustomization's", func(t *testing.T) {
		if c.Image != "donation_exporter" {
			t.Errorf("image %q, want donation_exporter (set by kustomization.yaml images)", c.Image)
		}
	})

	t.Run("environment from the ConfigMap and Secret is a valid configuration", func(t *testing.T) {
		var environ []string
		for _, ef := range c.EnvFrom {
			switch {
			case ef.ConfigMapRef != nil:
				environ = append(environ, envFromManifest(t, ms, "ConfigMap", ef.ConfigMapRef.Name)...)
			case ef.SecretRef != nil:
				environ = append(environ, envFromManifest(t, ms, "Secret", ef.SecretRef.Name)...)
			}
		}
		if len(environ) == 0 {
			t.Fatal("no variables from envFrom")
		}
		cfg, err := config.Load(environ, testsupport.Presets())
		if err != nil {
			t.Fatalf("the exporter rejects the configuration: %v", err)
		}
		if len(cfg.Campaigns) == 0 && !cfg.Demo {
			t.Error("no campaign configured and no demo")
		}
	})
}

// envFromManifest returns the variables a ConfigMap or Secret (kind) called
// name gives through envFrom.
func envFromManifest(t *testing.T, ms []manifest, kind, name string) []string {
	t.Helper()
	for _, m := range ms {
		if m.Kind == kind && m.Metadata.Name == name {
			var vars struct {
				Data       map[string]string `yaml:"data"`       // ConfigMap
				StringData map[string]string `yaml:"stringData"` // Secret
			}
			m.decode(t, &vars)
			return append(envList(vars.Data), envList(vars.StringData)...)
		}
	}
	t.Fatalf("envFrom names %s %s, which is not in the manifests", kind, name)
	return nil
}

func envList(vars map[string]string) []string {
	var env []string
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

func TestKubernetesServiceAndMonitor(t *testing.T) {
	ms := loadManifests(t)
	var d deployment
	one(t, ms, "Deployment").decode(t, &d)
	svcManifest := one(t, ms, "Service")
	var svc service
	svcManifest.decode(t, &svc)
	var sm struct {
		Spec struct {
			Selector struct {
				MatchLabels map[string]string `yaml:"matchLabels"`
			} `yaml:"selector"`
			Endpoints []struct {
				Port          string `yaml:"port"`
				Path          string `yaml:"path"`
				Interval      string `yaml:"interval"`
				ScrapeTimeout string `yaml:"scrapeTimeout"`
			} `yaml:"endpoints"`
		} `yaml:"spec"`
	}
	one(t, ms, "ServiceMonitor").decode(t, &sm)
	ports := d.Spec.Template.Spec.Containers[0].Ports

	if !subset(svc.Spec.Selector, d.Spec.Template.Metadata.Labels) {
		t.Errorf("Service selector %v does not match pod labels %v", svc.Spec.Selector, d.Spec.Template.Metadata.Labels)
	}
	if len(svc.Spec.Ports) != 1 || len(ports) != 1 || svc.Spec.Ports[0].TargetPort != ports[0].Name ||
		svc.Spec.Ports[0].Port != ports[0].ContainerPort {
		t.Errorf("Service ports %+v do not target the container port %+v", svc.Spec.Ports, ports)
	}
	if !subset(sm.Spec.Selector.MatchLabels, svcManifest.Metadata.Labels) {
		t.Errorf("ServiceMonitor selector %v does not match Service labels %v", sm.Spec.Selector.MatchLabels, svcManifest.Metadata.Labels)
	}
	defaults, err := config.Load(nil, testsupport.Presets())
	if err != nil {
		t.Fatal(err)
	}
	if len(sm.Spec.Endpoints) != 1 {
		t.Fatalf("%d ServiceMonitor endpoints, want 1", len(sm.Spec.Endpoints))
	}
	ep := sm.Spec.Endpoints[0]
	if len(svc.Spec.Ports) == 0 || ep.Port != svc.Spec.Ports[0].Name || ep.Path != defaults.MetricsPath {
		t.Errorf("ServiceMonitor endpoint %+v, want port %s path %s", ep, svc.Spec.Ports[0].Name, defaults.MetricsPath)
	}
	if ep.Interval == "" || ep.ScrapeTimeout == "" {
		t.Errorf("ServiceMonitor endpoint %+v: set interval and scrapeTimeout (each scrape fetches every page)", ep)
	}
}

// generatePrometheusRules returns prometheusrule.yaml: one PrometheusRule
// per rule file, whose spec is the file itself, comments and all, indented.
func generatePrometheusRules(files []ruleFile) []byte {
	var b bytes.Buffer
	for i, f := range files {
		if i > 0 {
			b.WriteString("---\n")
		}
		name := "donation-exporter-" + strings.NewReplacer("_", "-", ".", "-").Replace(strings.TrimSuffix(strings.TrimSuffix(f.Name, ".yml"), ".yaml"))
		fmt.Fprintf(&b, "# Generated from prometheus/%s by `make prometheusrule`: edit that file, not this one.\n", f.Name)
		fmt.Fprintf(&b, "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: %s\n  labels:\n    app.kubernetes.io/name: donation-exporter\nspec:\n", name)
		for _, line := range strings.SplitAfter(strings.TrimRight(string(f.Raw), "\n")+"\n", "\n") {
			if strings.TrimSpace(line) != "" {
				b.WriteString("  ")
			}
			b.WriteString(line)
		}
	}
	return b.Bytes()
}

func TestPrometheusRuleMatchesRuleFiles(t *testing.T) {
	path := filepath.Join(kubernetesDir, prometheusRuleFile)
	files, ok := projectRuleFiles(t)
	if !ok {
		if *update {
			t.Fatal("no prometheus/ directory to generate from")
		}
		t.Skip("no prometheus/ directory in this tree yet")
	}
	want := generatePrometheusRules(files)
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not what prometheus/*.yml generate: run make prometheusrule", path)
	}

	// The generator itself: each PrometheusRule's spec.groups is its rule
	// file's groups, value for value.
	var rules []manifest
	for _, m := range loadManifests(t) {
		if m.Kind == "PrometheusRule" {
			rules = append(rules, m)
		}
	}
	if len(rules) != len(files) {
		t.Fatalf("%d PrometheusRules for %d rule files", len(rules), len(files))
	}
	for i, m := range rules {
		var pr struct {
			Spec map[string]any `yaml:"spec"`
		}
		m.decode(t, &pr)
		if !reflect.DeepEqual(pr.Spec, map[string]any{"groups": files[i].Groups}) {
			t.Errorf("PrometheusRule %s spec differs from prometheus/%s", m.Metadata.Name, files[i].Name)
		}
	}
}
