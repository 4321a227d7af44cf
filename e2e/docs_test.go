package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// repoRoot is the repository, seen from this package.
const repoRoot = ".."

// TestDocLinks: every relative link in README.md, CONTRIBUTING.md and
// docs/*.md points to a file or folder that exists, and every #anchor to
// a heading or <a id> of the markdown file it names (or of the same file).
// Links to other sites are not fetched: tests run without the network.
func TestDocLinks(t *testing.T) {
	docs, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs = append([]string{filepath.Join(repoRoot, "README.md"), filepath.Join(repoRoot, "CONTRIBUTING.md")}, docs...)
	anchors := map[string][]string{} // markdown file → its anchors, read once
	anchorsOf := func(path string) []string {
		if a, ok := anchors[path]; ok {
			return a
		}
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		anchors[path] = markdownAnchors(string(text))
		return anchors[path]
	}
	for _, doc := range docs {
		rel, _ := filepath.Rel(repoRoot, doc)
		t.Run(rel, func(t *testing.T) {
			text, err := os.ReadFile(doc)
			if err != nil {
				t.Fatal(err)
			}
			for _, link := range relativeLinks(string(text)) {
				target, anchor, _ := strings.Cut(link.target, "#")
				path := doc
				if target != "" {
					path = filepath.Join(filepath.Dir(doc), target)
					if _, err := os.Stat(path); err != nil {
						t.Errorf("line %d: link to %q: no such file or folder (%s)", link.line, link.target, filepath.Clean(path))
						continue
					}
				}
				if anchor == "" || !strings.HasSuffix(path, ".md") {
					continue
				}
				if !slices.Contains(anchorsOf(path), anchor) {
					t.Errorf("line %d: link to %q: %s has no heading or <a id> with anchor #%s", link.line, link.target, filepath.Base(path), anchor)
				}
			}
		})
	}
}

type docLink struct {
	line   int
	target string
}

var (
	linkTarget = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	codeSpan   = regexp.MustCompile("`[^`]*`")
	anchorTag  = regexp.MustCompile(`<a id="([^"]+)">`)
)

// relativeLinks returns the targets of markdown links and images outside
// code blocks and code spans, except those to other sites.
func relativeLinks(text string) []docLink {
	var links []docLink
	inFence := false
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		for _, m := range linkTarget.FindAllStringSubmatch(codeSpan.ReplaceAllString(line, ""), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			links = append(links, docLink{line: i + 1, target: target})
		}
	}
	return links
}

// markdownAnchors returns the anchors a markdown file offers: its headings'
// as GitHub makes them, and <a id> tags.
func markdownAnchors(text string) []string {
	var anchors []string
	seen := map[string]int{}
	inFence := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		for _, m := range anchorTag.FindAllStringSubmatch(line, -1) {
			anchors = append(anchors, m[1])
		}
		if !strings.HasPrefix(line, "#") {
			continue
		}
		heading := strings.TrimSpace(strings.TrimLeft(line, "#"))
		slug := headingSlug(heading)
		if n := seen[slug]; n > 0 {
			anchors = append(anchors, slug+"-"+strconv.Itoa(n))
		} else {
			anchors = append(anchors, slug)
		}
		seen[slug]++
	}
	return anchors
}

// headingSlug is GitHub's anchor of a heading: lower case, punctuation
// dropped (but - and _), spaces to -.
func headingSlug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestHeadingSlug(t *testing.T) {
	for _, tc := range []struct{ heading, want string }{
		{"Try a campaign before deploying it: `check`", "try-a-campaign-before-deploying-it-check"},
		{"One campaign per scrape job: `/probe`", "one-campaign-per-scrape-job-probe"},
		{"Metrics: what is left out, and why days", "metrics-what-is-left-out-and-why-days"},
		{"The endpoint: TLS, basic auth, limits, shutdown", "the-endpoint-tls-basic-auth-limits-shutdown"},
		{"Alerts (`prometheus/alerts.yml`)", "alerts-prometheusalertsyml"},
	} {
		t.Run(tc.heading, func(t *testing.T) {
			if got := headingSlug(tc.heading); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMarkdownAnchorsAndLinks(t *testing.T) {
	text := "# Title\n\n## Part\n\n## Part\n\n<a id=\"kiva\"></a>\n\n```yaml\n# not a heading\n[x](in-code.md)\n```\n" +
		"See [a](a.md#part), `[b](in-span.md)`, ![c](c.png) and [d](https://example.org/x).\n"
	if got, want := markdownAnchors(text), []string{"title", "part", "part-1", "kiva"}; !slices.Equal(got, want) {
		t.Errorf("anchors %q, want %q", got, want)
	}
	var targets []string
	for _, l := range relativeLinks(text) {
		targets = append(targets, l.target)
	}
	if want := []string{"a.md#part", "c.png"}; !slices.Equal(targets, want) {
		t.Errorf("links %q, want %q", targets, want)
	}
}

// TestReadmeListsEveryDoc: README's table of docs names every page in
// docs/, so that a new page has a way in from the front door.
func TestReadmeListsEveryDoc(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range docs {
		name := "docs/" + filepath.Base(doc)
		if !strings.Contains(string(readme), "| ["+name+"]("+name+")") {
			t.Errorf("README.md's table of docs has no row for %s", name)
		}
	}
}
