package main

import (
	"runtime/debug"
)

// unstampedVersion is the version of a build that says nothing about
// itself and has no release to fall back on.
const unstampedVersion = "devel"

// buildVersion returns the version and revision to report: those stamped by
// make build (-ldflags -X, see Makefile) when there are some; otherwise what
// the Go toolchain recorded in the binary (go install module@v1.2.3 gives
// the module version; go build and go run in a repository a pseudo-version
// or the VCS revision); with none of those (go build -buildvcs=false, no
// repository), release, the VERSION file's. So the User-Agent, the status
// page and donation_exporter_build_info never show an empty version.
func buildVersion(stampedVersion, stampedRevision, release string, info *debug.BuildInfo) (version, revision string) {
	version, revision = stampedVersion, stampedRevision
	fallback := release
	if fallback == "" {
		fallback = unstampedVersion
	}
	if info == nil {
		if version == "" {
			version = fallback
		}
		return version, revision
	}
	var vcsRevision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			vcsRevision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision == "" {
		revision = vcsRevision
	}
	if version != "" {
		return version, revision
	}
	switch {
	case info.Main.Version != "" && info.Main.Version != "(devel)":
		version = info.Main.Version
	case vcsRevision != "":
		version = unstampedVersion + "-" + shortRevision(vcsRevision)
		if modified == "true" {
			version += "-dirty"
		}
	default:
		version = fallback
	}
	return version, revision
}

func shortRevision(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
