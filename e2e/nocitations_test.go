package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// citation is a reference to the project's own issue tracker, which users
// of the exporter cannot see.
var citation = regexp.MustCompile(`(?i)\b(issues?|findings?) \d+\b`)

// TestNoIssueNumbers: docs, code comments, rules and examples say why
// something is so in their own words, not by an issue or finding number a
// reader cannot look up. Captured pages under testdata/ are left as they
// were captured.
func TestNoIssueNumbers(t *testing.T) {
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".md", ".yml", ".yaml", ".json", ".tmpl", ".ts":
		default:
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if m := citation.FindString(line); m != "" {
				rel, _ := filepath.Rel(repoRoot, path)
				t.Errorf("%s:%d cites %q: say what it means instead", rel, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
