package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/preset"
	"github.com/donation-exporter/donation_exporter/source"
)

// maxTokenBytes bounds a token file: an API key is a line, not a file.
const maxTokenBytes = 16 << 10

// readToken reads TOKEN_FILE, when set: the API key, trimmed. It is read
// at every load and reload, so a rotated key is taken up by a reload. Its
// errors name the setting and the path, never the file's contents.
func (ce CampaignEnv) readToken(n naming) (fetch.Secret, error) {
	path := strings.TrimSpace(ce.TokenFile)
	if path == "" {
		return "", nil
	}
	where := n.where("TOKEN_FILE")
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", where, err) // *PathError: "open PATH: why"
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxTokenBytes+1))
	if err != nil {
		return "", fmt.Errorf("%s: read %s: %w", where, path, err)
	}
	if len(raw) > maxTokenBytes {
		return "", fmt.Errorf("%s: %s holds more than %d KiB: want the API key alone", where, path, maxTokenBytes>>10)
	}
	token := strings.TrimSpace(string(raw))
	switch {
	case token == "":
		return "", fmt.Errorf("%s: %s is empty: want the API key", where, path)
	case !utf8.ValidString(token) || strings.ContainsFunc(token, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		// A header or a URL could not carry it; and two lines are more
		// likely a file of notes than a key.
		return "", fmt.Errorf("%s: %s holds more than one word, or characters a key has not: want the API key alone", where, path)
	}
	return fetch.Secret(token), nil
}

// tokenDigest stands for the token in a campaign's Definition, so that a
// reload with a new key builds the campaign again (its poller too), while
// the Definition never holds the key.
func tokenDigest(token fetch.Secret) string {
	if token == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(token))
	return " token_sha256=" + hex.EncodeToString(sum[:8])
}

// compileAuth gives c its token, sent as the preset says (a bearer
// Authorization header without one) to the host c fetches from, or fails
// when the preset needs a key and none is given.
func (ce CampaignEnv) compileAuth(p *preset.Preset, token fetch.Secret, c *source.Campaign, fail func(string, string, ...any)) {
	var pa *preset.Auth
	if p != nil {
		pa = p.Auth
	}
	if token == "" {
		if pa != nil && pa.Required && strings.TrimSpace(ce.TokenFile) == "" {
			fail("TOKEN_FILE", "required with platform %s, whose API answers only with a key: %s", p.Name, strings.TrimSpace(pa.Key))
		}
		return
	}
	query, header, scheme := pa.Sending()
	c.Auth = &fetch.Auth{Token: token, Host: c.FetchHost(), Query: query, Header: header, Scheme: scheme}
}
