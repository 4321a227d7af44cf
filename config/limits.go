package config

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"unicode/utf8"
)

// Limits of what the configuration may hold (docs/configuration.md#limits).
// Each is far above what a real deployment uses (10,000 campaigns of the
// bench are a 3.8 MB file) and keeps a mistake or a hostile file from
// costing gigabytes, minutes, or a /metrics multiplied by thousands.
const (
	// MaxCampaignsFileBytes is the largest campaigns file read: a bigger
	// one is refused from its size, before it is read.
	MaxCampaignsFileBytes = 32 << 20
	// MaxCampaigns is how many campaigns (variables and file together)
	// one exporter watches.
	MaxCampaigns = 50_000
	// MaxNameBytes is the longest campaign name: it is a label value on
	// every series and in every log line of the campaign.
	MaxNameBytes = 256
	// MaxLabelsPerCampaign is how many extra labels one campaign has, and
	// MaxLabelNames how many different names all campaigns use together
	// (every series carries all of them).
	MaxLabelsPerCampaign = 16
	MaxLabelNames        = 64
	// MaxLabelNameBytes and MaxLabelValueBytes bound one extra label.
	MaxLabelNameBytes  = 128
	MaxLabelValueBytes = 1024
	// MaxErrors is how many configuration errors are reported, each cut
	// to MaxErrorBytes: the answer to a refused reload and its log line
	// stay under 64 KiB whatever the file holds.
	MaxErrors     = 20
	MaxErrorBytes = 1024
)

// readLimited reads the campaigns file, refusing one over
// MaxCampaignsFileBytes from its size before reading it, or (for a pipe or
// a device, whose size is not known) once that much was read.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%sCONFIG_FILE: %w", Prefix, err)
	}
	defer f.Close()
	tooBig := func(size string) error {
		return fmt.Errorf("%sCONFIG_FILE: %s: %s, more than the %d MiB a campaigns file may hold", Prefix, path, size, MaxCampaignsFileBytes>>20)
	}
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() && info.Size() > MaxCampaignsFileBytes {
		return nil, tooBig(fmt.Sprintf("%d bytes", info.Size()))
	}
	raw, err := io.ReadAll(io.LimitReader(f, MaxCampaignsFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%sCONFIG_FILE: %w", Prefix, err)
	}
	if len(raw) > MaxCampaignsFileBytes {
		return nil, tooBig("over that")
	}
	return raw, nil
}

// checkName bounds a campaign's name.
func checkName(name string) error {
	if len(name) > MaxNameBytes {
		return fmt.Errorf("%d bytes long: a name is at most %d bytes (it is a label value on every series)", len(name), MaxNameBytes)
	}
	return nil
}

// shortText quotes s for a message, cut to a few dozen bytes.
func shortText(s string) string {
	const most = 64
	if len(s) <= most {
		return fmt.Sprintf("%q", s)
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q… (%d bytes)", s[:cut], len(s))
}

// joinBounded joins errs as errors.Join does, flattening joined errors,
// with at most MaxErrors of them, each cut to MaxErrorBytes; the rest are
// counted.
func joinBounded(errs ...error) error {
	var flat []error
	more := 0 // counted by an earlier joinBounded
	var flatten func(err error)
	flatten = func(err error) {
		if err == nil {
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok && isJoin(err, j.Unwrap()) {
			for _, e := range j.Unwrap() {
				flatten(e)
			}
			return
		}
		// A join was taken apart above: this is one error, the count
		// itself or not.
		var m moreErrors
		if errors.As(err, &m) {
			more += int(m)
			return
		}
		flat = append(flat, err)
	}
	for _, err := range errs {
		flatten(err)
	}
	if len(flat) == 0 && more == 0 {
		return nil
	}
	kept := make([]error, 0, min(len(flat), MaxErrors)+1)
	for i, err := range flat {
		if i == MaxErrors {
			more += len(flat) - MaxErrors
			break
		}
		if msg := err.Error(); len(msg) > MaxErrorBytes {
			cut := MaxErrorBytes
			for cut > 0 && !utf8.RuneStart(msg[cut]) {
				cut--
			}
			err = &cutError{msg: msg[:cut] + fmt.Sprintf("… (%d bytes cut)", len(msg)-cut), err: err}
		}
		kept = append(kept, err)
	}
	if more > 0 {
		kept = append(kept, moreErrors(more))
	}
	return errors.Join(kept...)
}

// moreErrors counts the errors joinBounded left out.
type moreErrors int

func (m moreErrors) Error() string { return fmt.Sprintf("… and %d more errors", int(m)) }

// isJoin tells an errors.Join result, whose parts are errors of their own
// (one a line), from an error that wraps several causes in one message.
func isJoin(err error, parts []error) bool {
	msgs := make([]string, 0, len(parts))
	for _, p := range parts {
		if p != nil {
			msgs = append(msgs, p.Error())
		}
	}
	return err.Error() == strings.Join(msgs, "\n")
}

// cutError is an error whose message was cut; errors.Is and As still see
// the whole.
type cutError struct {
	msg string
	err error
}

func (e *cutError) Error() string { return e.msg }
func (e *cutError) Unwrap() error { return e.err }

// checkExternalAddress checks DONATION_EXTERNAL_ADDRESS: host:port.
func (e Env) checkExternalAddress() error {
	if e.ExternalAddress == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(e.ExternalAddress)
	if err != nil || host == "" || port == "" || strings.ContainsAny(e.ExternalAddress, "/?#@ ") {
		return fmt.Errorf("%sEXTERNAL_ADDRESS: %s is not host:port (exporter.example.org:9366)", Prefix, shortText(e.ExternalAddress))
	}
	return nil
}

// SDTarget is the address /sd gives Prometheus for every campaign:
// EXTERNAL_ADDRESS, or else the listen address, where a listen address
// that names no host (:9366, 0.0.0.0:9366) takes the machine's host name.
// Never the Host header of the request: any client can send that.
func (e Env) SDTarget(hostname func() (string, error)) string {
	if e.ExternalAddress != "" {
		return e.ExternalAddress
	}
	host, port, err := net.SplitHostPort(e.ListenAddress)
	if err != nil {
		return e.ListenAddress
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
		if name, err := hostname(); err == nil && name != "" {
			host = name
		}
	}
	return net.JoinHostPort(host, port)
}

// limitsMarkdown is the limits section of docs/configuration.md, from the
// constants themselves.
func limitsMarkdown() string {
	rows := []struct {
		what  string
		limit string
	}{
		{"Size of the campaigns file (refused from its size, before it is read)", fmt.Sprintf("%d MiB", MaxCampaignsFileBytes>>20)},
		{"Campaigns, of the variables and the file together", fmt.Sprint(MaxCampaigns)},
		{"Length of a campaign name", fmt.Sprintf("%d bytes", MaxNameBytes)},
		{"Extra labels of one campaign (`LABELS`)", fmt.Sprint(MaxLabelsPerCampaign)},
		{"Different label names of all campaigns together (every series carries each)", fmt.Sprint(MaxLabelNames)},
		{"Length of a label name / of a label value", fmt.Sprintf("%d / %d bytes", MaxLabelNameBytes, MaxLabelValueBytes)},
		{"Configuration errors reported at once (then \"… and N more errors\")", fmt.Sprint(MaxErrors)},
		{"Length of one reported error (then cut, with the bytes cut counted)", fmt.Sprintf("%d bytes", MaxErrorBytes)},
	}
	var b strings.Builder
	b.WriteString(`
## Limits

Bounds of what the configuration may hold, each far above real use (10,000 campaigns of
docs/scale.md are a 3.8 MB file). Going over one is a configuration error naming the variable or the
file, at start and on reload, answered and logged in a bounded message (under 64 KiB whatever the
file holds). Names, label values and every other setting must be valid UTF-8.

| What | Limit |
|---|---|
`)
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s |\n", r.what, r.limit)
	}
	return b.String()
}
