// Package donationexporter holds what the repository root knows about the
// exporter: the release it is at. The command is cmd/donation_exporter.
package donationexporter

import (
	_ "embed" // the VERSION file
	"strings"
)

//go:embed VERSION
var versionFile string

// Release is the release in the VERSION file (0.1.0): what a build that
// nothing stamped reports, since go:embed works where -ldflags and VCS
// stamping do not (go build -buildvcs=false, a source tarball).
func Release() string {
	return strings.TrimSpace(versionFile)
}
