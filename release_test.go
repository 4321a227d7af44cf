package donationexporter

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestRelease: the embedded release is a bare semantic version, the form
// CHANGELOG's headings use without their v (0.1.0, 1.2.0-rc.1).
func TestRelease(t *testing.T) {
	if r := Release(); !regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`).MatchString(r) {
		t.Errorf("Release() = %q, want the VERSION file's MAJOR.MINOR.PATCH", r)
	}
}

// TestChangelogReleases: every release heading of CHANGELOG.md has the
// tag's form (## [vX.Y.Z] - YYYY-MM-DD) and a link to that tag, and the
// release in VERSION has its heading (a bump of VERSION comes with it).
func TestChangelogReleases(t *testing.T) {
	b, err := os.ReadFile("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	heading := regexp.MustCompile(`(?m)^## \[(.*?)\](.*)$`)
	release := regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`)
	releases := map[string]bool{}
	for _, m := range heading.FindAllStringSubmatch(text, -1) {
		name, rest := m[1], m[2]
		t.Run(name, func(t *testing.T) {
			if name == "Unreleased" {
				if !strings.Contains(text, "\n[Unreleased]: https://github.com/donation-exporter/donation_exporter/compare/") {
					t.Error("no [Unreleased]: compare link")
				}
				return
			}
			releases[name] = true
			if !release.MatchString(name) {
				t.Errorf("heading [%s]: want the tag's form vX.Y.Z", name)
			}
			if !regexp.MustCompile(`^ - [0-9]{4}-[0-9]{2}-[0-9]{2}$`).MatchString(rest) {
				t.Errorf("heading [%s]%s: want ' - YYYY-MM-DD' after it", name, rest)
			}
			link := "\n[" + name + "]: https://github.com/donation-exporter/donation_exporter/releases/tag/" + name + "\n"
			if !strings.Contains(text+"\n", link) {
				t.Errorf("no link %q", strings.TrimSpace(link))
			}
		})
	}
	if v := "v" + Release(); !releases[v] {
		t.Errorf("VERSION's %s has no release heading ## [%s] - YYYY-MM-DD", v, v)
	}
}
