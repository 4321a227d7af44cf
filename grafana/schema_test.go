package grafana

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// tsc returns the TypeScript compiler that schema/package.json installs
// (npm ci --prefix grafana/schema). Without it the schema check is skipped,
// unless TEST_REQUIRE_GRAFANA_SCHEMA=1 (as in CI) makes that a failure.
func tsc(t *testing.T) (compiler, schemaDir string) {
	t.Helper()
	schemaDir, err := filepath.Abs("schema")
	if err != nil {
		t.Fatal(err)
	}
	compiler = filepath.Join(schemaDir, "node_modules", ".bin", "tsc")
	if _, err := os.Stat(compiler); err != nil {
		if os.Getenv("TEST_REQUIRE_GRAFANA_SCHEMA") == "1" {
			t.Fatal("the dashboard schema is not installed and TEST_REQUIRE_GRAFANA_SCHEMA=1: npm ci --prefix grafana/schema")
		}
		t.Skip("the dashboard schema is not installed (npm ci --prefix grafana/schema)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	return compiler, schemaDir
}

// typeCheck compiles a dashboard as a value of Grafana's Dashboard type and
// returns the compiler's complaints. Written as an object literal, the
// dashboard is checked property by property, unknown properties included.
func typeCheck(t *testing.T, dashboard []byte) (string, error) {
	t.Helper()
	compiler, schemaDir := tsc(t)
	dir := t.TempDir()
	var src bytes.Buffer
	src.WriteString("import type { DashboardFile } from " + `"` + filepath.ToSlash(filepath.Join(schemaDir, "dashboard")) + `";` + "\n")
	src.WriteString("export const dashboard: DashboardFile = ")
	src.Write(dashboard)
	src.WriteString(";\n")
	file := filepath.Join(dir, "dashboard_check.ts")
	if err := os.WriteFile(file, src.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(compiler, "--noEmit", "--strict", "--pretty", "false",
		"--module", "esnext", "--moduleResolution", "bundler", "--target", "es2022", file)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestDashboardMatchesGrafanaSchema types the shipped dashboard with
// Grafana's own schema (@grafana/schema), the check Grafana's import would
// make, since Grafana itself cannot run here.
func TestDashboardMatchesGrafanaSchema(t *testing.T) {
	if out, err := typeCheck(t, JSON()); err != nil {
		t.Errorf("donation_exporter.json does not match @grafana/schema's Dashboard: %v\n%s", err, out)
	}
}

// TestSchemaCheckCatchesMistakes shows the check is not vacuous: a link
// type Grafana does not know and a property the model does not have fail.
func TestSchemaCheckCatchesMistakes(t *testing.T) {
	tests := []struct {
		name, old, new string
	}{
		{name: "unknown link type", old: `"type": "link"`, new: `"type": "hyperlink"`},
		{name: "unknown dashboard property", old: `"refresh": "1m"`, new: `"refresh": "1m", "refreshEvery": "1m"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			broken := bytes.Replace(JSON(), []byte(tc.old), []byte(tc.new), 1)
			if bytes.Equal(broken, JSON()) {
				t.Fatalf("%s not found in the dashboard", tc.old)
			}
			if out, err := typeCheck(t, broken); err == nil {
				t.Errorf("the schema check accepted a dashboard with %s:\n%s", tc.new, out)
			}
		})
	}
}
