package fetch

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"syscall"
)

// redirectPolicy follows at most maxRedirects redirects (none when it is
// negative), and none from https to http: a page asked for over TLS is not
// read in the clear, where anyone on the path could change its figures. A
// redirect to another host than the token's goes without it (Auth.strip).
func redirectPolicy(maxRedirects int) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if maxRedirects < 0 {
			return http.ErrUseLastResponse // the 3xx is then a StatusError
		}
		if len(via) > maxRedirects {
			return fmt.Errorf("stopped after %d redirects", len(via)-1)
		}
		// Before anything can quote the redirect's URL, and on every hop:
		// a token goes to its own host only.
		auth := authOf(req.Context())
		auth.strip(req)
		if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("%w: from https to %s", ErrRedirectRefused, shorten(auth.redact(req.URL.String()), maxURLText))
		}
		return nil
	}
}

// ErrRedirectRefused is returned for a redirect from an https page to one
// over plain http.
var ErrRedirectRefused = errors.New("redirect refused")

// ErrAddressRefused is returned for a fetch that would connect to an
// address no donation page lives at: link-local (169.254.0.0/16, fe80::/10,
// where cloud metadata services answer), unspecified (0.0.0.0 and ::, which
// reach the local host), multicast, broadcast, or a cloud metadata address
// outside those ranges.
var ErrAddressRefused = errors.New("address refused")

// metadataAddresses are cloud metadata services outside the link-local
// ranges: AWS's IPv6 one, and Alibaba Cloud's.
var metadataAddresses = []netip.Addr{
	netip.MustParseAddr("fd00:ec2::254"),
	netip.MustParseAddr("100.100.100.200"),
}

// refuseAddress is the dialer's Control: it refuses the addresses
// ErrAddressRefused names before a packet is sent. Loopback and private
// addresses stay allowed: the demo, tests and pages on an intranet live
// there (see docs/fetching.md).
func refuseAddress(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q is not host:port", ErrAddressRefused, shorten(address, maxURLText))
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %q is not an IP address", ErrAddressRefused, shorten(host, maxURLText))
	}
	if why := refusedBecause(ip); why != "" {
		return fmt.Errorf("%w: %s is %s", ErrAddressRefused, ip, why)
	}
	return nil
}

// refusedBecause says why ip is refused, or "" when it is allowed.
func refusedBecause(ip netip.Addr) string {
	ip = ip.WithZone("").Unmap()
	switch {
	case ip.IsLinkLocalUnicast():
		return "link-local (where cloud metadata services answer)"
	case ip.IsUnspecified():
		return "unspecified (it reaches this host)"
	case ip.IsMulticast():
		return "multicast"
	case ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "broadcast"
	case slices.Contains(metadataAddresses, ip):
		return "a cloud metadata service"
	}
	return ""
}
