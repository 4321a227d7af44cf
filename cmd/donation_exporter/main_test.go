package main

import (
	"bufio"
	"bytes"
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

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

func TestRunExitsOnBadConfiguration(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		want    []string
	}{
		{
			name:    "nothing to watch",
			environ: nil,
			want:    []string{"no campaign configured", "DONATION_CAMPAIGN_0_URL", "DONATION_DEMO=true"},
		},
		{
			name:    "invalid campaign",
			environ: []string{"DONATION_CAMPAIGN_0_NAME=x", "DONATION_CAMPAIGN_0_URL=ftp://example.org"},
			want:    []string{"configuration:", "DONATION_CAMPAIGN_0_URL: \"ftp://example.org\" is not an http or https URL"},
		},
		{
			name:    "invalid log level",
			environ: []string{"DONATION_DEMO=true", "DONATION_LOG_LEVEL=loud"},
			want:    []string{"DONATION_LOG_LEVEL"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := run(context.Background(), nil, tc.environ, io.Discard, &stderr); code != exitConfig {
				t.Errorf("exit code %d, want %d", code, exitConfig)
			}
			for _, want := range tc.want {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q lacks %q", stderr.String(), want)
				}
			}
		})
	}
}

// TestDemo runs the README's first command as a user would: the built
// binary, the demo on loopback, a scrape, then SIGTERM.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "donation_exporter")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	addr := testsupport.FreeAddr(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "DONATION_DEMO=true", "DONATION_LISTEN_ADDRESS="+addr)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logsDone := make(chan struct{})
	go func() {
		_, _ = io.Copy(&logs, bufio.NewReader(stderr))
		close(logsDone)
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	body := testsupport.WaitOK(t, "http://"+addr+"/metrics", 20*time.Second)
	for _, want := range []string{
		`donation_up{campaign="demo"} 1`,
		`donation_target{campaign="demo",currency="USD"} 1e+06`,
		`donation_raised{campaign="demo",currency="USD"} 2`, // $200k and growing
		`donation_projected_shortfall{campaign="demo",currency="USD"} `,
		`donation_exporter_build_info{`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// go build stamps no version (make build does): the exporter reports
	// what the toolchain recorded, never an empty one.
	if !regexp.MustCompile(`donation_exporter_build_info\{[^}]*version="[^"]+"`).MatchString(body) {
		t.Errorf("build_info has an empty version:\n%s", regexp.MustCompile(`donation_exporter_build_info.*`).FindString(body))
	}
	if page := testsupport.WaitOK(t, "http://"+addr+"/", 20*time.Second); strings.Contains(page, "version=,") {
		t.Errorf("the status page shows an empty version")
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exporter exited with %v after SIGTERM, want 0", err)
	}
	<-logsDone
	if !strings.Contains(logs.String(), "demo campaign") {
		t.Errorf("the log does not say the demo campaign is watched:\n%s", logs.String())
	}
}
