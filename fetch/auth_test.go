package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// token is what the tests send; no output may hold it.
const token = "tok-3f9a/b+c=d"

// recorder serves pages and records, per request, the headers and the
// query it got.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string // "path header=value query" per request
}

func newRecorder(t *testing.T, handler http.HandlerFunc) *recorder {
	t.Helper()
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var b strings.Builder
		b.WriteString(req.URL.Path)
		for name, values := range req.Header {
			fmt.Fprintf(&b, " %s=%s", name, strings.Join(values, ","))
		}
		b.WriteString(" " + req.URL.RawQuery)
		r.mu.Lock()
		r.seen = append(r.seen, b.String())
		r.mu.Unlock()
		if handler != nil {
			handler(w, req)
			return
		}
		_, _ = w.Write([]byte(`{"raised": 1}`))
	}))
	t.Cleanup(r.Close)
	return r
}

// got is everything the server received, and whether it held the token.
func (r *recorder) got() (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	all := strings.Join(r.seen, "\n")
	return all, strings.Contains(all, token) || strings.Contains(all, url.QueryEscape(token))
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// otherHost names the same server by another host: localhost for
// 127.0.0.1, a host of its own as the budget, the client and Auth see it.
func otherHost(raw string) string { return strings.Replace(raw, "127.0.0.1", "localhost", 1) }

func TestAuthSent(t *testing.T) {
	tests := []struct {
		name string
		auth Auth
		want string // what the server must have got
	}{
		{name: "bearer by default", auth: Auth{Scheme: "Bearer"}, want: "Authorization=Bearer " + token},
		{name: "header alone", auth: Auth{Header: "x-api-key"}, want: "X-Api-Key=" + token},
		{name: "query parameter", auth: Auth{Query: "api_key"}, want: "api_key=" + url.QueryEscape(token)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			site := newRecorder(t, nil)
			auth := tc.auth
			auth.Token, auth.Host = token, hostOf(t, site.URL)
			f := NewFetcher(FetcherConfig{})
			if _, err := f.Do(context.Background(), Request{URL: site.URL + "/api/campaigns/1", Auth: &auth}); err != nil {
				t.Fatal(err)
			}
			if got, _ := site.got(); !strings.Contains(got, tc.want) {
				t.Errorf("server got %q, want %q in it", got, tc.want)
			}
		})
	}
}

// TestAuthOwnHostOnly checks that the token goes to its host and no
// other: not to a request for another host, nor after a redirect to
// another host, in any of the three forms; a redirect on the same host
// keeps it.
func TestAuthOwnHostOnly(t *testing.T) {
	forms := map[string]Auth{
		"bearer": {Scheme: "Bearer"},
		"header": {Header: "X-Api-Key"},
		"query":  {Query: "api_key"},
	}
	for name, form := range forms {
		t.Run(name, func(t *testing.T) {
			other := newRecorder(t, nil)
			origin := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/away":
					// Echoes the query, token and all, as some APIs do.
					http.Redirect(w, r, otherHost(other.URL)+"/landed?"+r.URL.RawQuery, http.StatusFound)
				case "/here":
					http.Redirect(w, r, "/api", http.StatusFound)
				default:
					_, _ = w.Write([]byte(`{}`))
				}
			})
			auth := form
			auth.Token, auth.Host = token, hostOf(t, origin.URL)
			f := NewFetcher(FetcherConfig{})
			ctx := context.Background()

			if _, err := f.Do(ctx, Request{URL: otherHost(other.URL) + "/direct", Auth: &auth}); err != nil {
				t.Fatal(err)
			}
			if got, leaked := other.got(); leaked {
				t.Errorf("another host was sent the token:\n%s", got)
			}
			if _, err := f.Do(ctx, Request{URL: origin.URL + "/away", Auth: &auth}); err != nil {
				t.Fatal(err)
			}
			if got, leaked := other.got(); leaked || !strings.Contains(got, "/landed") {
				t.Errorf("after a redirect to another host (leaked %v):\n%s", leaked, got)
			}
			if _, err := f.Do(ctx, Request{URL: origin.URL + "/here", Auth: &auth}); err != nil {
				t.Fatal(err)
			}
			origin.mu.Lock()
			last := origin.seen[len(origin.seen)-1]
			origin.mu.Unlock()
			if name != "query" && !strings.Contains(last, token) {
				// A query token is in the URL the client asked for, not
				// in the redirect's target: the site chose that URL.
				t.Errorf("a redirect on the same host dropped the token: %s", last)
			}
		})
	}
}

// TestAuthNeverInOutput checks that a token a site echoes in its redirects
// appears neither in the page's URL nor in an error.
func TestAuthNeverInOutput(t *testing.T) {
	site := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo":
			http.Redirect(w, r, "/landed/"+url.PathEscape(r.URL.Query().Get("api_key"))+"?"+r.URL.RawQuery, http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop?"+r.URL.RawQuery, http.StatusFound)
		case "/insecure":
			http.Redirect(w, r, "https://example.invalid/?"+r.URL.RawQuery, http.StatusFound)
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	})
	auth := &Auth{Token: token, Host: hostOf(t, site.URL), Query: "api_key"}
	f := NewFetcher(FetcherConfig{})
	var final string
	_, err := f.Fetch(context.Background(), Request{URL: site.URL + "/echo", Auth: auth}, func(p Page) { final = p.URL })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(final, token) || strings.Contains(final, url.QueryEscape(token)) || !strings.Contains(final, Redacted) {
		t.Errorf("page URL %q", final)
	}
	for _, path := range []string{"/loop", "/insecure"} {
		_, err := f.Do(context.Background(), Request{URL: site.URL + path, Auth: auth})
		if err == nil {
			t.Fatalf("%s: no error", path)
		}
		if text := err.Error(); strings.Contains(text, token) || strings.Contains(text, url.QueryEscape(token)) {
			t.Errorf("%s: error shows the token: %s", path, text)
		}
	}
	// An https page redirected to plain http: the refusal quotes the URL.
	https := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, site.URL+"/plain?"+r.URL.RawQuery, http.StatusFound)
	}))
	defer https.Close()
	tlsFetcher := NewFetcher(FetcherConfig{Transport: https.Client().Transport})
	_, err = tlsFetcher.Do(context.Background(), Request{URL: https.URL + "/x", Auth: &Auth{Token: token, Host: hostOf(t, https.URL), Query: "api_key"}})
	if !errors.Is(err, ErrRedirectRefused) || strings.Contains(err.Error(), url.QueryEscape(token)) || strings.Contains(err.Error(), token) {
		t.Errorf("https to http: %v", err)
	}
}

// TestSecretPrints checks every way a Secret is printed.
func TestSecretPrints(t *testing.T) {
	s := Secret(token)
	auth := Auth{Token: s, Host: "api.example.org"}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		fmt.Fprintf(&out, verb+"\n", s)
		fmt.Fprintf(&out, verb+"\n", auth)
		fmt.Fprintf(&out, verb+"\n", &auth)
	}
	js, err := json.Marshal(auth)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(js)
	slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})).Debug("x", "auth", auth, "token", s)
	slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})).Debug("x", "auth", auth, "token", s)
	if strings.Contains(out.String(), token) || strings.Contains(out.String(), fmt.Sprintf("%x", token)) {
		t.Errorf("a Secret printed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), Redacted) {
		t.Errorf("no %s in:\n%s", Redacted, out.String())
	}
}
