package e2e

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var updateContributing = flag.Bool("update", false, "rewrite CONTRIBUTING.md's import table from go list")

const module = "github.com/donation-exporter/donation_exporter"

// importsSection is CONTRIBUTING.md's generated table of what each package
// imports of the project.
var importsSection = regexp.MustCompile(`(?s)(<!-- begin imports[^>]*-->\n).*?(<!-- end imports -->)`)

// projectImports returns, for every package of the module, the packages of
// the module its non-test files import, as go list gives them.
func projectImports(t *testing.T) (pkgs []string, imports map[string][]string) {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports = map[string][]string{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], module), "/")
		if pkg == "" {
			pkg = "."
		}
		pkgs = append(pkgs, pkg)
		for _, imp := range fields[1:] {
			if rest, ok := strings.CutPrefix(imp, module); ok {
				imports[pkg] = append(imports[pkg], cmpOr(strings.TrimPrefix(rest, "/"), "."))
			}
		}
	}
	return pkgs, imports
}

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// importsTable is the Markdown table of the packages that import others of
// the project.
func importsTable(pkgs []string, imports map[string][]string) string {
	var b strings.Builder
	b.WriteString("| Package | Imports of the project |\n|---|---|\n")
	for _, p := range pkgs {
		if len(imports[p]) == 0 {
			continue
		}
		quoted := make([]string, len(imports[p]))
		for i, imp := range imports[p] {
			quoted[i] = "`" + imp + "`"
		}
		b.WriteString("| `" + p + "` | " + strings.Join(quoted, ", ") + " |\n")
	}
	return b.String()
}

// TestContributingPackageMap keeps CONTRIBUTING.md's map of the code true:
// its import table is what go list says (regenerate with
// go test ./e2e -run TestContributingPackageMap -update), every package
// folder has a line in "Where things are", and every folder named there
// exists.
func TestContributingPackageMap(t *testing.T) {
	path := filepath.Join(repoRoot, "CONTRIBUTING.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, imports := projectImports(t)
	if !importsSection.Match(doc) {
		t.Fatal("CONTRIBUTING.md has no <!-- begin imports --> … <!-- end imports --> section")
	}
	want := importsSection.ReplaceAllFunc(doc, func(m []byte) []byte {
		sub := importsSection.FindSubmatch(m)
		return append(append(bytes.Clone(sub[1]), importsTable(pkgs, imports)...), sub[2]...)
	})
	if *updateContributing {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		doc = want
	}
	if !bytes.Equal(doc, want) {
		t.Error("CONTRIBUTING.md's import table is not what go list says: run go test ./e2e -run TestContributingPackageMap -update")
	}

	// The pure packages stay pure, as the sentence above the table says.
	for _, p := range []string{"read", "fetch", "forecast", "endpoint"} {
		if imports := slices.DeleteFunc(slices.Clone(imports[p]), func(imp string) bool { return imp == "internal/textcut" }); len(imports) > 0 {
			t.Errorf("%s imports %v of the project; CONTRIBUTING.md says it imports nothing but internal/textcut", p, imports)
		}
	}

	block := regexp.MustCompile("(?s)## Where things are.*?```\n(.*?)```").FindSubmatch(doc)
	if block == nil {
		t.Fatal("no code block under ## Where things are")
	}
	listed := map[string]bool{}
	for line := range strings.Lines(string(block[1])) {
		if folder, _, ok := strings.Cut(line, " "); ok && strings.HasSuffix(folder, "/") {
			listed[strings.TrimSuffix(folder, "/")] = true
			if _, err := os.Stat(filepath.Join(repoRoot, folder)); err != nil {
				t.Errorf("Where things are lists %s, which does not exist", folder)
			}
		}
	}
	for _, p := range pkgs {
		top, _, _ := strings.Cut(p, "/")
		if p != "." && !listed[p] && !listed[top] {
			t.Errorf("package %s has no line in Where things are", p)
		}
	}
}
