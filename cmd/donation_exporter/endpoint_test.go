package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"golang.org/x/crypto/bcrypt"
)

// TestBinary builds the exporter and runs it as people do, to test what
// only the whole program shows: the web config (TLS, basic auth), shutdown
// on SIGTERM, and that no request makes it fetch a URL of its choosing.
func TestBinary(t *testing.T) {
	bin := testsupport.BuildExporter(t)
	t.Run("TLS and basic auth from the web config file", func(t *testing.T) { testWebConfig(t, bin) })
	t.Run("SIGTERM lets a slow scrape finish and exits 0", func(t *testing.T) { testSIGTERM(t, bin) })
	t.Run("no URL is taken from a request", func(t *testing.T) { testNoOpenProxy(t, bin) })
	t.Run("a client that does not read holds no shutdown", func(t *testing.T) { testSlowReaderShutdown(t, bin) })
	t.Run("a second SIGTERM stops at once", func(t *testing.T) { testSecondSignal(t, bin) })
	t.Run("health check and refusals while scrapes are stuck", func(t *testing.T) { testStuckScrapes(t, bin) })
}

// exporterProcess is a running exporter and the JSON log lines it wrote.
type exporterProcess struct {
	cmd   *exec.Cmd
	addr  string
	mu    sync.Mutex
	lines []map[string]any
	done  chan struct{} // closed when stderr is closed
}

// startExporter runs bin with environ (plus a loopback listen address and
// JSON logs) and waits until it listens.
func startExporter(t *testing.T, bin string, environ ...string) *exporterProcess {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"DONATION_LISTEN_ADDRESS=127.0.0.1:0", "DONATION_LOG_FORMAT=json", "PATH=" + os.Getenv("PATH")}, environ...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &exporterProcess{cmd: cmd, done: make(chan struct{})}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	listening := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) != nil {
				rec = map[string]any{"msg": sc.Text()}
			}
			p.mu.Lock()
			p.lines = append(p.lines, rec)
			p.mu.Unlock()
			if rec["msg"] == "Listening on" {
				listening <- fmt.Sprint(rec["address"])
			}
		}
	}()
	select {
	case p.addr = <-listening:
	case <-p.done:
		t.Fatalf("exporter exited before listening: %v", p.logged())
	case <-time.After(10 * time.Second):
		t.Fatalf("exporter not listening after 10s: %v", p.logged())
	}
	return p
}

// wait waits for the exporter to exit, once its log has been read to the
// end: Wait closes the stderr pipe as soon as the process is gone, so a
// Wait before the reader is done can lose the last lines (a test once
// missed the shutdown's last warning that way).
func (p *exporterProcess) wait() error {
	<-p.done
	return p.cmd.Wait()
}

func (p *exporterProcess) logged() []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]map[string]any(nil), p.lines...)
}

// hasLog reports whether a line with msg was logged.
func (p *exporterProcess) hasLog(msg string) bool {
	for _, rec := range p.logged() {
		if rec["msg"] == msg {
			return true
		}
	}
	return false
}

// donationSite serves a small donation page and records the User-Agent.
func donationSite(t *testing.T, srv *httptest.Server, userAgent *atomic.Value) {
	t.Helper()
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		userAgent.Store(r.UserAgent())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<p id="raised">$1,234</p>`)
	})
}

func oneCampaignEnv(url string, extra ...string) []string {
	return append([]string{
		"DONATION_CAMPAIGN_0_NAME=c",
		"DONATION_CAMPAIGN_0_URL=" + url,
		"DONATION_CAMPAIGN_0_RAISED_SELECTOR=#raised",
	}, extra...)
}

func testWebConfig(t *testing.T, bin string) {
	dir := t.TempDir()
	certPEM := writeSelfSignedCert(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webConfig := filepath.Join(dir, "web-config.yml")
	err = os.WriteFile(webConfig, []byte(fmt.Sprintf(
		"tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  prometheus: %s\n",
		filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), hash)), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	// The campaign's own site has a self-signed certificate too: the
	// campaign opts out of verification, which the exporter logs.
	var userAgent atomic.Value
	site := httptest.NewUnstartedServer(nil)
	donationSite(t, site, &userAgent)
	site.StartTLS()
	defer site.Close()
	p := startExporter(t, bin, append(oneCampaignEnv(site.URL, "DONATION_CAMPAIGN_0_INSECURE_SKIP_VERIFY=true"),
		"DONATION_WEB_CONFIG_FILE="+webConfig, "DONATION_USER_AGENT=watcher/2.0 (+https://example.org/ops)")...)

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}, Timeout: 10 * time.Second}
	tests := []struct {
		name, user, password string
		wantCode             int
	}{
		{name: "no credentials", wantCode: http.StatusUnauthorized},
		{name: "wrong password", user: "prometheus", password: "guess", wantCode: http.StatusUnauthorized},
		{name: "unknown user", user: "admin", password: "s3cret", wantCode: http.StatusUnauthorized},
		{name: "right credentials", user: "prometheus", password: "s3cret", wantCode: http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, "https://"+p.addr+"/metrics", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.user != "" {
				req.SetBasicAuth(tc.user, tc.password)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantCode {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantCode)
			}
			if tc.wantCode == http.StatusOK && !strings.Contains(string(body), "donation_raised{campaign=\"c\",currency=\"USD\"} 1234\n") {
				t.Errorf("metrics lack the campaign's figure:\n%s", body)
			}
			if tc.wantCode != http.StatusOK && strings.Contains(string(body), "donation_") {
				t.Errorf("metrics served without credentials")
			}
		})
	}
	t.Run("health check answers without credentials", func(t *testing.T) {
		// Kubernetes' probes send none; the answer says nothing but Healthy.
		resp, err := client.Get("https://" + p.addr + "/-/healthy")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != "Healthy\n" {
			t.Errorf("/-/healthy without credentials: %d %q, want 200 Healthy", resp.StatusCode, body)
		}
	})
	t.Run("plain HTTP refused", func(t *testing.T) {
		resp, err := http.Get("http://" + p.addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP: status %d, want 400", resp.StatusCode)
		}
	})
	t.Run("untrusted certificate refused by a verifying client", func(t *testing.T) {
		if _, err := http.Get("https://" + p.addr + "/metrics"); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("err = %v, want a certificate error", err)
		}
	})
	if ua, _ := userAgent.Load().(string); ua != "watcher/2.0 (+https://example.org/ops)" {
		t.Errorf("site saw User-Agent %q, want DONATION_USER_AGENT", ua)
	}
	if !warnedLowCost(p, "prometheus", bcrypt.MinCost) {
		t.Error("a cost-4 password hash was accepted without a warning")
	}
	if !p.hasLog("TLS certificate verification is off for this campaign") {
		t.Error("skipping TLS verification was not logged at start")
	}
}

// warnedLowCost reports whether p warned that user's hash has a low cost.
func warnedLowCost(p *exporterProcess, user string, cost int) bool {
	for _, rec := range p.logged() {
		if strings.Contains(fmt.Sprint(rec["msg"]), "low bcrypt cost") && rec["user"] == user && rec["cost"] == float64(cost) {
			return true
		}
	}
	return false
}

// writeSelfSignedCert writes cert.pem and key.pem for 127.0.0.1 into dir and
// returns the certificate in PEM.
func writeSelfSignedCert(t *testing.T, dir string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "donation_exporter test"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return certPEM
}

func testSIGTERM(t *testing.T, bin string) {
	site := testsupport.NewHeldPage(t)
	p := startExporter(t, bin, oneCampaignEnv(site.URL, "DONATION_CAMPAIGN_0_TIMEOUT=10s")...)

	type answer struct {
		body string
		err  error
	}
	scrape := make(chan answer, 1)
	go func() {
		resp, err := http.Get("http://" + p.addr + "/metrics")
		if err != nil {
			scrape <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		scrape <- answer{string(body), err}
	}()
	for !site.Requested.Load() {
		time.Sleep(5 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for !p.hasLog("shutting down: finishing scrapes in flight") {
		time.Sleep(5 * time.Millisecond)
	}
	// Shutting down: the listener closes...
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		conn, err := net.Dial("tcp", p.addr)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 2s after SIGTERM")
		}
	}
	// ...but the scrape in flight finishes with its figures.
	site.Release()
	select {
	case a := <-scrape:
		if a.err != nil || !strings.Contains(a.body, "donation_up{campaign=\"c\"} 1\n") {
			t.Errorf("scrape in flight: err %v, body:\n%s", a.err, a.body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("scrape in flight did not finish")
	}
	if err := p.wait(); err != nil {
		t.Errorf("exporter exited with %v, want 0; log: %v", err, p.logged())
	}
}

func testNoOpenProxy(t *testing.T, bin string) {
	var canaryHits atomic.Int32
	canary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		canaryHits.Add(1)
		_, _ = io.WriteString(w, `<p id="raised">$987,654,321</p>`)
	}))
	defer canary.Close()
	var userAgent atomic.Value
	site := httptest.NewUnstartedServer(nil)
	donationSite(t, site, &userAgent)
	site.Start()
	defer site.Close()
	p := startExporter(t, bin, oneCampaignEnv(site.URL)...)

	target := canary.URL + "/"
	paths := []string{
		"/metrics?target=" + target,
		"/metrics?url=" + target + "&module=http",
		"/metrics?campaign=" + target,
		"/probe?target=" + target,
		"/?target=" + target,
		"/" + target,
	}
	for _, path := range paths {
		resp, err := http.Get("http://" + p.addr + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "9.87654321e+08") {
			t.Errorf("GET %s served the canary's figure", path)
		}
	}
	// A proxy-style request: absolute URL in the request line, the
	// canary as Host.
	for _, line := range []string{"GET " + target + " HTTP/1.1", "CONNECT " + strings.TrimPrefix(canary.URL, "http://") + " HTTP/1.1"} {
		conn, err := net.Dial("tcp", p.addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(conn, "%s\r\nHost: %s\r\nConnection: close\r\n\r\n", line, strings.TrimPrefix(canary.URL, "http://"))
		reply, _ := io.ReadAll(conn)
		conn.Close()
		if strings.Contains(string(reply), "987,654,321") || strings.Contains(string(reply), "9.87654321e+08") {
			t.Errorf("%q served the canary's page", line)
		}
	}
	if n := canaryHits.Load(); n != 0 {
		t.Errorf("the exporter fetched a URL taken from a request %d times", n)
	}
	ua, _ := userAgent.Load().(string)
	if !strings.HasPrefix(ua, "donation_exporter/") || strings.HasPrefix(ua, "donation_exporter/ ") ||
		!strings.Contains(ua, "(+https://github.com/donation-exporter/donation_exporter)") {
		t.Errorf("configured site saw User-Agent %q, want the exporter, its version and project URL", ua)
	}
}
