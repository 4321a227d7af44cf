package examples

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docReference is a comment's pointer to the docs: a file, and optionally
// the section in quotes after it: docs/operations.md, "Status page".
var docReference = regexp.MustCompile(`((?:docs/)?[A-Za-z-]+\.md)(?:,\s*(?:#\s*)?"([^"]+)")?`)

// TestExampleFilesPointAtRealSections: every doc an example file sends its
// reader to exists, and a section it names is a heading of that doc.
// README.md is the front door, not the reference: examples point at docs/.
func TestExampleFilesPointAtRealSections(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".go") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		// Join comment lines so that a reference may wrap.
		text := regexp.MustCompile(`\n\s*#\s*`).ReplaceAllString(string(data), " ")
		for _, m := range docReference.FindAllStringSubmatch(text, -1) {
			doc, section := m[1], m[2]
			t.Run(path+"/"+doc+"/"+section, func(t *testing.T) {
				if !strings.HasPrefix(doc, "docs/") {
					t.Fatalf("points at %s; point at the reference in docs/ instead", doc)
				}
				body, err := os.ReadFile(filepath.Join(repoRoot, doc))
				if err != nil {
					t.Fatal(err)
				}
				if section != "" && !regexp.MustCompile(`(?m)^#+ `+regexp.QuoteMeta(section)+`$`).Match(body) {
					t.Errorf("%s has no section %q", doc, section)
				}
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
