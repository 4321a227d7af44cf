package fetch

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// Redacted is what a Secret prints as, anywhere.
const Redacted = "[redacted]"

// Secret is a credential, such as an API key. It prints as Redacted in
// every fmt verb, in slog and as JSON or text, so that a campaign, a
// request or an Auth printed whole, at any log level, never shows it; Fetch
// alone reads it, to send it.
type Secret string

func (Secret) String() string               { return Redacted }
func (Secret) GoString() string             { return `"` + Redacted + `"` }
func (Secret) LogValue() slog.Value         { return slog.StringValue(Redacted) }
func (Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// Format covers every fmt verb, %x and %d included, which String alone
// would not.
func (Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// Auth is a credential sent with a request, to one host only.
type Auth struct {
	Token Secret
	// Host is the host (host:port, as URLs name it) the token is for: a
	// request to any other host goes without it, and a redirect to another
	// host drops it.
	Host string
	// Query, when set, is the query parameter the token goes in (an API
	// that reads its key from the URL); otherwise it goes in Header.
	Query string
	// Header is the header the token goes in; empty means Authorization.
	Header string
	// Scheme comes before the token in the header, with a space:
	// "Bearer". Empty sends the token alone.
	Scheme string
}

// headerName is the header the token goes in, canonical.
func (a *Auth) headerName() string {
	if a.Header == "" {
		return "Authorization"
	}
	return http.CanonicalHeaderKey(a.Header)
}

// forHost reports whether the token is sent to host.
func (a *Auth) forHost(host string) bool {
	return a != nil && a.Token != "" && strings.EqualFold(host, a.Host)
}

// apply puts the token on req when req goes to the token's host.
func (a *Auth) apply(req *http.Request) {
	if !a.forHost(req.URL.Host) {
		return
	}
	if a.Query != "" {
		q := req.URL.Query()
		q.Set(a.Query, string(a.Token))
		req.URL.RawQuery = q.Encode()
		return
	}
	value := string(a.Token)
	if a.Scheme != "" {
		value = a.Scheme + " " + value
	}
	req.Header.Set(a.headerName(), value)
}

// strip takes the token off a redirect's request to another host: the
// client copies headers to every hop, and Go forwards Authorization to a
// subdomain, any other header (X-Api-Key) to any host, and the previous
// URL, with a token in its query, as Referer.
func (a *Auth) strip(req *http.Request) {
	if a == nil || a.forHost(req.URL.Host) {
		return
	}
	req.Header.Del(a.headerName())
	// The client names the previous hop's URL, query and all, in Referer.
	req.Header.Del("Referer")
	if a.Query != "" {
		q := req.URL.Query()
		if q.Has(a.Query) {
			q.Del(a.Query)
			req.URL.RawQuery = q.Encode()
		}
	}
}

// redact replaces the token in text, as sent and as a URL carries it.
func (a *Auth) redact(text string) string {
	if a == nil || a.Token == "" {
		return text
	}
	token := string(a.Token)
	text = strings.ReplaceAll(text, token, Redacted)
	if escaped := url.QueryEscape(token); escaped != token {
		text = strings.ReplaceAll(text, escaped, Redacted)
	}
	return text
}

// redactError returns err, or, when its text holds the token (a site that
// echoes the key in a redirect's Location, which the error then quotes),
// an error of the same chain whose text does not.
func (a *Auth) redactError(err error) error {
	if err == nil {
		return nil
	}
	if text := err.Error(); a.redact(text) != text {
		return &redactedError{text: a.redact(text), err: err}
	}
	return err
}

type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// authKey carries a request's Auth in its context, for the redirect
// policy, which sees the redirect's request alone.
type authKey struct{}

func withAuth(ctx context.Context, a *Auth) context.Context {
	if a == nil || a.Token == "" {
		return ctx
	}
	return context.WithValue(ctx, authKey{}, a)
}

func authOf(ctx context.Context) *Auth {
	a, _ := ctx.Value(authKey{}).(*Auth)
	return a
}
