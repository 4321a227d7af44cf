package examples

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// repoRoot is the repository, seen from this package.
const repoRoot = ".."

// ruleFile is one Prometheus rule file of the project.
type ruleFile struct {
	Name   string // base name, e.g. alerts.yml
	Raw    []byte
	Groups any // the value of its top-level groups key
}

// projectRuleFiles returns the rule files in ../prometheus: the YAML files
// with a top-level "groups" key (not the promtool test files beside them),
// sorted by name. It reports false when there is no prometheus directory.
func projectRuleFiles(t *testing.T) ([]ruleFile, bool) {
	t.Helper()
	dir := filepath.Join(repoRoot, "prometheus")
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, false
	}
	var paths []string
	for _, pattern := range []string{"*.yml", "*.yaml"} {
		matches, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, matches...)
	}
	sort.Strings(paths)
	var files []ruleFile
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if groups, ok := doc["groups"]; ok {
			files = append(files, ruleFile{Name: filepath.Base(path), Raw: raw, Groups: groups})
		}
	}
	if len(files) == 0 {
		t.Fatalf("%s holds no rule file (YAML with a top-level groups key)", dir)
	}
	return files, true
}

// alertNames returns the names of every alert in files.
func alertNames(t *testing.T, files []ruleFile) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for _, f := range files {
		var doc struct {
			Groups []struct {
				Rules []struct {
					Alert string `yaml:"alert"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal(f.Raw, &doc); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		for _, g := range doc.Groups {
			for _, r := range g.Rules {
				if r.Alert != "" {
					names[r.Alert] = true
				}
			}
		}
	}
	return names
}

// requirePrometheusTool returns the path of a Prometheus command (promtool,
// amtool), or skips the test when it is not installed, unless
// TEST_REQUIRE_PROMETHEUS=1 (as in CI) makes that a failure.
func requirePrometheusTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("TEST_REQUIRE_PROMETHEUS") == "1" {
		t.Fatalf("%s is not installed and TEST_REQUIRE_PROMETHEUS=1: apt-get install -y %s", name, debianPackage)
	}
	t.Skipf("%s is not installed (apt-get install -y %s); set TEST_REQUIRE_PROMETHEUS=1 to make this a failure", name, debianPackage)
	return ""
}

// runTool runs a command and fails the test with its output if it fails.
func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// readYAML decodes the YAML file at path into v. With strict, a field that
// v does not declare is an error: a misspelt key fails the test.
func readYAML(t *testing.T, path string, v any, strict bool) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(strict)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
