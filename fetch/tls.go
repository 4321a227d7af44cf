package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// insecureClient returns the client for a campaign on host that skips TLS
// verification: it skips it for host alone, and verifies any other host a
// redirect leads to, as the shared client would. Its transport dials TLS
// itself, so that it knows the host each connection is for (an IP address
// sends no server name to read back), and speaks HTTP/1.1.
func (f *Fetcher) insecureClient(host string) (*http.Client, error) {
	if f.base == nil {
		return nil, errors.New("skipping TLS verification needs an *http.Transport")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.insecure[host]; ok {
		return c, nil
	}
	t := f.base.Clone()
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	base := t.TLSClientConfig
	if base == nil {
		base = &tls.Config{}
	}
	t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		name, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		cfg := base.Clone()
		cfg.ServerName = name
		cfg.InsecureSkipVerify = strings.EqualFold(name, host)
		raw, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		conn := tls.Client(raw, cfg)
		if err := conn.HandshakeContext(ctx); err != nil {
			raw.Close()
			if !cfg.InsecureSkipVerify {
				return nil, fmt.Errorf("%s is verified (INSECURE_SKIP_VERIFY covers %s alone): %w", name, host, err)
			}
			return nil, err
		}
		return conn, nil
	}
	c := &http.Client{Transport: f.budgeted(t), CheckRedirect: f.checkRedirect}
	f.insecure[host] = c
	return c, nil
}
