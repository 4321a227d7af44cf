package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

const testToken = "k3y-5ecret-0f-the-test"

// tokenFile writes text to a file of its own and returns its path.
func tokenFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTokenFile(t *testing.T) {
	path := tokenFile(t, "\n  "+testToken+"\r\n")
	cfg, err := Load(campaignVars("0", "DONATION_CAMPAIGN_0_TOKEN_FILE="+path), testsupport.Presets())
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Campaigns[0]
	want := fetch.Auth{Token: testToken, Host: "example.org", Header: "Authorization", Scheme: "Bearer"}
	if c.Auth == nil || *c.Auth != want {
		t.Fatalf("Auth = %#v, want the token trimmed, as a bearer header to example.org", c.Auth)
	}
	if strings.Contains(c.Definition, testToken) {
		t.Errorf("the definition holds the token: %s", c.Definition)
	}

	t.Run("in the campaigns file", func(t *testing.T) {
		file := writeFile(t, "campaigns:\n  - name: f\n    url: https://api.example.net/x\n    raised_selector: $.raised\n    platform: json\n    token_file: "+path+"\n")
		cfg, err := Load([]string{"DONATION_CONFIG_FILE=" + file}, testsupport.Presets())
		if err != nil {
			t.Fatal(err)
		}
		if a := cfg.Campaigns[0].Auth; a == nil || a.Token != testToken || a.Host != "api.example.net" {
			t.Errorf("Auth = %#v", a)
		}
	})

	t.Run("a reload reads the file again", func(t *testing.T) {
		if err := os.WriteFile(path, []byte("r0tated-k3y"), 0o600); err != nil {
			t.Fatal(err)
		}
		again, err := cfg.LoadCampaigns(testsupport.Presets(), cfg.Campaigns...)
		if err != nil {
			t.Fatal(err)
		}
		if a := again[0].Auth; a == nil || a.Token != "r0tated-k3y" {
			t.Errorf("after the key changed, Auth = %#v", a)
		}
		if again[0].Definition == c.Definition {
			t.Error("the definition did not change with the key: the running poller would keep the old one")
		}
	})
}

func TestTokenFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, path, want string
	}{
		{name: "missing", path: filepath.Join(dir, "nothing-here"), want: "DONATION_CAMPAIGN_0_TOKEN_FILE: open " + filepath.Join(dir, "nothing-here") + ": no such file or directory"},
		{name: "a directory", path: dir, want: "DONATION_CAMPAIGN_0_TOKEN_FILE: read " + dir + ": "},
		{name: "empty", path: tokenFile(t, " \n\t\n"), want: " is empty: want the API key"},
		{name: "two lines", path: tokenFile(t, testToken+"\nsecond line\n"), want: " holds more than one word"},
		{name: "too big", path: tokenFile(t, strings.Repeat("k", 20<<10)), want: " holds more than 16 KiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(campaignVars("0", "DONATION_CAMPAIGN_0_TOKEN_FILE="+tc.path), testsupport.Presets())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "DONATION_CAMPAIGN_0_TOKEN_FILE: ") || !strings.Contains(err.Error(), tc.path) {
				t.Errorf("err = %v: want the variable and the path named", err)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("the error shows the file's contents: %v", err)
			}
		})
	}
	t.Run("file key named", func(t *testing.T) {
		file := writeFile(t, "campaigns:\n  - name: f\n    url: https://example.org/x\n    raised_selector: .r\n    token_file: "+filepath.Join(dir, "none")+"\n")
		_, err := Load([]string{"DONATION_CONFIG_FILE=" + file}, testsupport.Presets())
		want := file + `:2: campaigns[0] (name "f"): token_file: open `
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	})
}

// TestPresetAuth checks a platform whose API wants a key: TOKEN_FILE is
// required, and the key goes to the API host the page URL maps to, in the
// header the preset names (a bearer token by default).
func TestPresetAuth(t *testing.T) {
	path := tokenFile(t, testToken)
	const tiltify, justgiving = "tiltify", "justgiving"
	tests := []struct {
		name, url, platform, wantFetch string
		wantPlatform, wantHeader       string // the header empty: a bearer token
	}{
		{name: "campaign page", url: "https://tiltify.com/@ender3989/dannys-test-campaign", wantPlatform: tiltify,
			wantFetch: "https://v5api.tiltify.com/api/public/campaigns/by/slugs/ender3989/dannys-test-campaign"},
		{name: "team campaign page", url: "https://tiltify.com/+zeldathon-community/zeldathon-community-playlive-2018", wantPlatform: tiltify,
			wantFetch: "https://v5api.tiltify.com/api/public/team_campaigns/by/slugs/zeldathon-community/zeldathon-community-playlive-2018"},
		{name: "v5 API URL", url: "https://v5api.tiltify.com/api/public/campaigns/e6d44e87-1290-430f-9a25-2efe79327b86", wantPlatform: tiltify,
			wantFetch: "https://v5api.tiltify.com/api/public/campaigns/e6d44e87-1290-430f-9a25-2efe79327b86"},
		{name: "v3 API URL", url: "https://tiltify.com/api/v3/campaigns/27286", platform: "tiltifyv3", wantPlatform: "tiltifyv3",
			wantFetch: "https://tiltify.com/api/v3/campaigns/27286"},
		{name: "JustGiving fundraising page", url: "https://www.justgiving.com/fundraising/Sdk2-test-31d713d9a6894064be964500bd7f45c3",
			wantPlatform: justgiving, wantHeader: "x-api-key",
			wantFetch: "https://api.justgiving.com/v1/fundraising/pages/Sdk2-test-31d713d9a6894064be964500bd7f45c3"},
		// The newer pages keep their "page/" in the API's name for them.
		{name: "JustGiving newer page URL", url: "https://www.justgiving.com/page/some-runner", wantPlatform: justgiving, wantHeader: "x-api-key",
			wantFetch: "https://api.justgiving.com/v1/fundraising/pages/page/some-runner"},
		{name: "JustGiving API URL of a newer page", url: "https://api.justgiving.com/v1/fundraising/pages/page/some-runner", wantPlatform: justgiving, wantHeader: "x-api-key",
			wantFetch: "https://api.justgiving.com/v1/fundraising/pages/page/some-runner"},
		{name: "JustGiving API URL of a newer page with the app id", url: "https://api.justgiving.com/bd102912/v1/fundraising/pages/page/some-runner",
			wantPlatform: justgiving, wantHeader: "x-api-key",
			wantFetch: "https://api.justgiving.com/v1/fundraising/pages/page/some-runner"},
		{name: "JustGiving older page URL", url: "https://www.justgiving.com/some-runner", wantPlatform: justgiving, wantHeader: "x-api-key",
			wantFetch: "https://api.justgiving.com/v1/fundraising/pages/some-runner"},
		{name: "JustGiving API URL", url: "https://api.justgiving.com/v1/fundraising/pages/some-runner", wantPlatform: justgiving, wantHeader: "x-api-key",
			wantFetch: "https://api.justgiving.com/v1/fundraising/pages/some-runner"},
		// The app id in the path would show wherever the URL does: the
		// endpoint drops it, and the key goes in the header.
		{name: "JustGiving API URL with the app id in the path", url: "https://api.justgiving.com/bd102912/v1/fundraising/pages/some-runner",
			wantPlatform: justgiving, wantHeader: "x-api-key",
			wantFetch: "https://api.justgiving.com/v1/fundraising/pages/some-runner"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkPresetAuth(t, path, tc.url, tc.platform, tc.wantPlatform, tc.wantFetch, tc.wantHeader)
		})
	}
}

// checkPresetAuth loads a campaign of url without a key (which must fail
// naming the platform) and with one, which must be fetched at wantFetch
// with the key in wantHeader (empty: a bearer token) for its host only.
func checkPresetAuth(t *testing.T, path, url, platform, wantPlatform, wantFetch, wantHeader string) {
	t.Helper()
	vars := []string{"DONATION_CAMPAIGN_0_NAME=t", "DONATION_CAMPAIGN_0_URL=" + url}
	if platform != "" {
		vars = append(vars, "DONATION_CAMPAIGN_0_PLATFORM="+platform)
	}
	_, err := Load(vars, testsupport.Presets())
	want := "DONATION_CAMPAIGN_0_TOKEN_FILE: required with platform " + wantPlatform
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("without a key: err = %v, want %q", err, want)
	}
	cfg, err := Load(append(vars, "DONATION_CAMPAIGN_0_TOKEN_FILE="+path), testsupport.Presets())
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Campaigns[0]
	wantHost := strings.Split(strings.TrimPrefix(wantFetch, "https://"), "/")[0]
	wantScheme := ""
	if wantHeader == "" {
		wantHeader, wantScheme = "Authorization", "Bearer"
	}
	if c.FetchURL != wantFetch || c.Auth == nil || c.Auth.Host != wantHost || c.Auth.Header != wantHeader || c.Auth.Scheme != wantScheme {
		t.Errorf("fetch %s with %#v, want %s with the key in %s (scheme %q) for %s", c.FetchURL, c.Auth, wantFetch, wantHeader, wantScheme, wantHost)
	}
}
