package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

// TestCampaignsFileTooBig refuses a 100 MB campaigns file from its size:
// in well under a second, with little memory and a short message.
func TestCampaignsFileTooBig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: 100 MB long, costing the disk nothing.
	if err := f.Truncate(100 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	begin := time.Now()
	_, err = Load([]string{"DONATION_CONFIG_FILE=" + path}, testsupport.Presets())
	took := time.Since(begin)
	runtime.ReadMemStats(&after)
	want := fmt.Sprintf("DONATION_CONFIG_FILE: %s: 104857600 bytes, more than the 32 MiB a campaigns file may hold", path)
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if took > time.Second {
		t.Errorf("refused in %v, want under a second", took)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("refusing allocated %d bytes, want under 64 MiB", alloc)
	}
	t.Logf("100 MB file refused in %v, %d bytes allocated", took, after.TotalAlloc-before.TotalAlloc)
}

// TestConfigurationBounds goes over each limit: the error names the
// variable or the file, and stays short.
func TestConfigurationBounds(t *testing.T) {
	long := strings.Repeat("n", 1<<20)
	manyLabels := make([]string, MaxLabelsPerCampaign+1)
	for i := range manyLabels {
		manyLabels[i] = fmt.Sprintf("l%d=v", i)
	}
	tests := []struct {
		name    string
		environ []string
		want    string
	}{
		{"1 MiB name", []string{"DONATION_CAMPAIGN_0_NAME=" + long, "DONATION_CAMPAIGN_0_URL=https://example.org/", "DONATION_CAMPAIGN_0_RAISED=1"},
			"DONATION_CAMPAIGN_0_NAME: 1048576 bytes long: a name is at most 256 bytes"},
		{"too many labels", campaignVars("0", "DONATION_CAMPAIGN_0_LABELS="+strings.Join(manyLabels, ",")),
			"DONATION_CAMPAIGN_0_LABELS: 17 labels: a campaign has at most 16"},
		{"long label value", campaignVars("0", "DONATION_CAMPAIGN_0_LABELS=team="+long),
			`DONATION_CAMPAIGN_0_LABELS: label "team": its value is 1048576 bytes, at most 1024`},
		{"long label name", campaignVars("0", "DONATION_CAMPAIGN_0_LABELS="+long+"=x"),
			`DONATION_CAMPAIGN_0_LABELS: label name "nnnn`},
		{"external address not host:port", campaignVars("0", "DONATION_EXTERNAL_ADDRESS=http://exporter/"),
			`DONATION_EXTERNAL_ADDRESS: "http://exporter/" is not host:port`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.environ, testsupport.Presets())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %.300v, want %q", err, tc.want)
			}
			if len(err.Error()) > 64<<10 {
				t.Errorf("error is %d bytes, want under 64 KiB", len(err.Error()))
			}
		})
	}
}

// TestManyLabelNamesAndErrors: label names of all campaigns together are
// bounded, and a file with thousands of bad entries reports MaxErrors of
// them and counts the rest.
func TestManyLabelNamesAndErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("campaigns:\n")
	for i := range MaxLabelNames + 1 {
		fmt.Fprintf(&b, "  - {name: c%d, url: https://example.org/%d, raised: 1, labels: {l%d: v}}\n", i, i, i)
	}
	path := filepath.Join(t.TempDir(), "labels.yml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load([]string{"DONATION_CONFIG_FILE=" + path}, testsupport.Presets())
	if want := "the campaigns use 65 different label names together, more than 64"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %q", err, want)
	}

	b.Reset()
	b.WriteString("campaigns:\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "  - {name: %s, url: nowhere}\n", strings.Repeat("x", 200)+fmt.Sprint(i))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load([]string{"DONATION_CONFIG_FILE=" + path}, testsupport.Presets())
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != MaxErrors+1 || lines[MaxErrors] != "… and 4980 more errors" {
		t.Errorf("%d lines, last %q; want %d and the count of the rest:\n%.2000s", len(lines), lines[len(lines)-1], MaxErrors+1, err)
	}
	if len(err.Error()) > 64<<10 {
		t.Errorf("error is %d bytes, want under 64 KiB", len(err.Error()))
	}
}

func TestJoinBounded(t *testing.T) {
	long := errors.New(strings.Repeat("é", MaxErrorBytes))
	err := joinBounded(errors.Join(errors.New("a"), errors.New("b")), nil, long)
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || lines[0] != "a" || lines[1] != "b" {
		t.Fatalf("lines %q", lines)
	}
	if !strings.HasSuffix(lines[2], "… (1024 bytes cut)") || len(lines[2]) > MaxErrorBytes+32 {
		t.Errorf("long error cut to %q", lines[2][len(lines[2])-40:])
	}
	if !errors.Is(err, long) {
		t.Error("the cut error is not the original for errors.Is")
	}
	if joinBounded(nil, nil) != nil {
		t.Error("nothing to join gave an error")
	}
}

func TestSDTarget(t *testing.T) {
	host := func() (string, error) { return "box7", nil }
	for _, tc := range []struct{ listen, external, want string }{
		{":9366", "", "box7:9366"},
		{"0.0.0.0:9366", "", "box7:9366"},
		{"[::]:9366", "", "box7:9366"},
		{"127.0.0.1:9400", "", "127.0.0.1:9400"},
		{":9366", "exporter.example.org:443", "exporter.example.org:443"},
	} {
		got := Env{ListenAddress: tc.listen, ExternalAddress: tc.external}.SDTarget(host)
		if got != tc.want {
			t.Errorf("listen %q external %q: %q, want %q", tc.listen, tc.external, got, tc.want)
		}
	}
}
