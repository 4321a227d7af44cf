package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuildVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name                       string
		stampedVersion, stampedRev string
		release                    string
		info                       *debug.BuildInfo
		wantVersion, wantRevision  string
	}{
		{name: "make build stamps both", stampedVersion: "0.1.0", stampedRev: "0123abc",
			info:        &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("fffffff", "false")},
			wantVersion: "0.1.0", wantRevision: "0123abc"},
		{name: "go install module@version", info: &debug.BuildInfo{Main: debug.Module{Version: "v0.1.0"}},
			wantVersion: "v0.1.0"},
		{name: "go build in a repository: the pseudo-version and revision",
			info:        &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130094441-abcdef123456"}, Settings: vcs("abcdef1234567890", "false")},
			wantVersion: "v0.0.0-20261130094441-abcdef123456", wantRevision: "abcdef1234567890"},
		{name: "go build, no version but a revision",
			info:        &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("abcdef1234567890", "true")},
			wantVersion: "devel-abcdef123456-dirty", wantRevision: "abcdef1234567890"},
		{name: "go build -buildvcs=false: the VERSION file's release", release: "0.1.0",
			info: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, wantVersion: "0.1.0"},
		{name: "stamped over the release", stampedVersion: "9.9.9", release: "0.1.0",
			info: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, wantVersion: "9.9.9"},
		{name: "module version over the release", release: "0.1.0",
			info: &debug.BuildInfo{Main: debug.Module{Version: "v0.2.0"}}, wantVersion: "v0.2.0"},
		{name: "no release either", info: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			wantVersion: "devel"},
		{name: "no build information: the release", release: "0.1.0", wantVersion: "0.1.0"},
		{name: "no build information", wantVersion: "devel"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, r := buildVersion(tc.stampedVersion, tc.stampedRev, tc.release, tc.info)
			if v != tc.wantVersion || r != tc.wantRevision {
				t.Errorf("buildVersion = %q, %q; want %q, %q", v, r, tc.wantVersion, tc.wantRevision)
			}
		})
	}
}

// TestPlainBuildReportsRelease builds as a user without make and without
// VCS stamping would: --version says the VERSION file's release.
func TestPlainBuildReportsRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	release, err := os.ReadFile(filepath.Join(repoRoot, "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	binary := filepath.Join(t.TempDir(), "donation_exporter")
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-buildvcs=false", "-o", binary, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build -buildvcs=false: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(t.Context(), binary, "version").CombinedOutput()
	want := "donation_exporter, version " + strings.TrimSpace(string(release)) + " "
	if err != nil || !strings.Contains(string(out), want) {
		t.Errorf("version: %v\n%s\nwant %q", err, out, want)
	}
}
