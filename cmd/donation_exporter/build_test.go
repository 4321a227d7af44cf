package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/config"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

const repoRoot = "../.."

// TestMakeBuild builds the binary as the Dockerfile does (make build) and
// checks that it is static, carries the injected version, serves the demo
// and shuts down cleanly on SIGTERM.
func TestMakeBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make is not installed (apt-get install -y make): the Dockerfile and CI build with it")
	}
	binary := filepath.Join(t.TempDir(), "donation_exporter")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "make", "-C", repoRoot, "build", "BINARY="+binary,
		"VERSION=9.8.7-test", "REVISION=0123abc", "BRANCH=test-branch", "BUILD_USER=tester", "BUILD_DATE=20260708-12:00:00")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}

	t.Run("static and trimmed", func(t *testing.T) {
		out, err := exec.Command("go", "version", "-m", binary).CombinedOutput()
		if err != nil {
			t.Fatalf("go version -m: %v\n%s", err, out)
		}
		for _, want := range []string{"build\tCGO_ENABLED=0", "build\t-trimpath=true"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("build info lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("version injected", func(t *testing.T) {
		out, err := exec.Command(binary, "--version").CombinedOutput()
		if err != nil {
			t.Fatalf("--version: %v\n%s", err, out)
		}
		for _, want := range []string{
			"donation_exporter, version 9.8.7-test (branch: test-branch, revision: 0123abc)",
			"build user:       tester", "build date:       20260708-12:00:00",
		} {
			if !strings.Contains(string(out), want) {
				t.Errorf("--version output lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("demo serves metrics and stops on SIGTERM", func(t *testing.T) {
		addr := testsupport.FreeAddr(t)
		cmd := exec.Command(binary)
		cmd.Env = append(testsupport.EnvironWithout(config.Prefix), "DONATION_DEMO=true", "DONATION_LISTEN_ADDRESS="+addr)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		logged := make(chan string, 1)
		go func() {
			b, _ := io.ReadAll(stderr)
			logged <- string(b)
		}()
		stopped := false
		defer func() {
			if !stopped {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}
		}()

		metrics := testsupport.WaitOK(t, "http://"+addr+"/metrics", 20*time.Second)
		if healthy := testsupport.WaitOK(t, "http://"+addr+"/-/healthy", 20*time.Second); healthy != "Healthy\n" {
			t.Errorf("/-/healthy answered %q", healthy)
		}
		for _, want := range []*regexp.Regexp{
			regexp.MustCompile(`(?m)^donation_up\{campaign="demo"\} 1$`),
			regexp.MustCompile(`(?m)^donation_raised\{campaign="demo",currency="USD"\} \d+`),
			regexp.MustCompile(`(?m)^donation_exporter_build_info\{.*revision="0123abc".*version="9\.8\.7-test".*\} 1$`),
		} {
			if !want.MatchString(metrics) {
				t.Errorf("/metrics has no line matching %s", want)
			}
		}

		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		waitErr := make(chan error, 1)
		go func() { waitErr <- cmd.Wait() }()
		select {
		case err := <-waitErr:
			stopped = true
			if err != nil {
				t.Errorf("exit after SIGTERM: %v\n%s", err, <-logged)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("no exit within 30s of SIGTERM")
		}
	})
}

// TestDockerfileUsesMake keeps the image's build in the Makefile, where
// TestMakeBuild checks it, and the image itself static and unprivileged.
func TestDockerfileUsesMake(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var instructions []string
	for _, line := range strings.Split(strings.ReplaceAll(string(b), "\\\n", " "), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			instructions = append(instructions, strings.Join(strings.Fields(line), " "))
		}
	}
	var froms []string
	for _, in := range instructions {
		if strings.HasPrefix(in, "FROM ") {
			froms = append(froms, in)
		}
	}
	last := func(prefix string) string {
		for i := len(instructions) - 1; i >= 0; i-- {
			if strings.HasPrefix(instructions[i], prefix) {
				return instructions[i]
			}
		}
		return ""
	}
	tests := []struct {
		name, got, want string
	}{
		{"multi-stage", strings.Join(froms, " | "), "FROM golang:1.26 AS build | FROM gcr.io/distroless/static-debian12:nonroot"},
		{"built by make", strings.SplitN(last("RUN make "), " BUILD_USER", 2)[0], "RUN make build BINARY=/out/donation_exporter"},
		{"binary copied", last("COPY --from=build"), "COPY --from=build /out/donation_exporter /bin/donation_exporter"},
		{"non-root", last("USER "), "USER 65532:65532"},
		{"port", last("EXPOSE "), "EXPOSE 9366"},
		{"entrypoint", last("ENTRYPOINT "), `ENTRYPOINT ["/bin/donation_exporter"]`},
		{"no go build outside make", last("RUN go build"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

// TestDockerContextBuilds copies what .dockerignore lets through to the
// builder and runs the Dockerfile's build step on it: nothing the build
// needs (sources, embedded pages, VERSION) may be left out.
func TestDockerContextBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	ignore, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(ignore), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, line)
		}
	}
	buildDir := t.TempDir()
	copied := 0
	err = filepath.WalkDir(repoRoot, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(repoRoot, path)
		if err != nil || rel == "." {
			return err
		}
		if dockerIgnored(rel, patterns) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(buildDir, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		copied++
		return os.WriteFile(filepath.Join(buildDir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, unwanted := range []string{".git", "examples", "cmd/donation_exporter/build_test.go"} {
		if _, err := os.Stat(filepath.Join(buildDir, unwanted)); err == nil {
			t.Errorf("%s is sent to the builder", unwanted)
		}
	}
	binary := filepath.Join(t.TempDir(), "donation_exporter")
	// As the Dockerfile's RUN make build, without build arguments.
	build := exec.CommandContext(t.Context(), "make", "-C", buildDir, "build", "BINARY="+binary, "BUILD_USER=docker")
	build.Env = append(os.Environ(), "GIT_DIR="+filepath.Join(buildDir, ".git")) // no repository, as in the builder
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("make build in the docker context (%d files): %v\n%s", copied, err, out)
	}
	version, err := os.ReadFile(filepath.Join(repoRoot, "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary, "--version").CombinedOutput()
	want := "donation_exporter, version " + strings.TrimSpace(string(version)) + " (branch: unknown, revision: unknown)"
	if err != nil || !strings.Contains(string(out), want) {
		t.Errorf("--version: %v\n%s\nwant %q", err, out, want)
	}
}

// dockerIgnored reports whether path (slash-separated, relative to the
// buildDir) matches a .dockerignore pattern, or lies in a directory that
// does. Only the pattern forms used here are supported: NAME, *.EXT and
// **/NAME.
func dockerIgnored(path string, patterns []string) bool {
	path = filepath.ToSlash(path)
	parts := strings.Split(path, "/")
	for _, p := range patterns {
		if rest, ok := strings.CutPrefix(p, "**/"); ok {
			for _, part := range parts {
				if m, _ := filepath.Match(rest, part); m {
					return true
				}
			}
			continue
		}
		pp := strings.Split(p, "/")
		if len(pp) <= len(parts) {
			match := true
			for i := range pp {
				if m, _ := filepath.Match(pp[i], parts[i]); !m {
					match = false
					break
				}
			}
			if match {
				return true
			}
		}
	}
	return false
}
