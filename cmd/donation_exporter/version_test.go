package main

import (
	"runtime/debug"
	"testing"
)

func TestBuildVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name                       string
		stampedVersion, stampedRev string
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
		{name: "go build -buildvcs=false", info: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			wantVersion: "devel"},
		{name: "no build information", wantVersion: "devel"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, r := buildVersion(tc.stampedVersion, tc.stampedRev, tc.info)
			if v != tc.wantVersion || r != tc.wantRevision {
				t.Errorf("buildVersion = %q, %q; want %q, %q", v, r, tc.wantVersion, tc.wantRevision)
			}
		})
	}
}
