package preset

import "testing"

// TestAuthSending checks how a preset's auth block says the key is sent.
func TestAuthSending(t *testing.T) {
	tests := []struct {
		name                  string
		auth                  *Auth
		query, header, scheme string
	}{
		{name: "no auth block: bearer", auth: nil, header: "Authorization", scheme: "Bearer"},
		{name: "required only: bearer", auth: &Auth{Required: true, Key: "k"}, header: "Authorization", scheme: "Bearer"},
		{name: "a header of its own: the key alone", auth: &Auth{Key: "k", Header: "x-api-key"}, header: "x-api-key"},
		{name: "another scheme", auth: &Auth{Key: "k", Scheme: "Token"}, header: "Authorization", scheme: "Token"},
		{name: "a query parameter", auth: &Auth{Key: "k", Query: "api_key"}, query: "api_key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			query, header, scheme := tc.auth.Sending()
			if query != tc.query || header != tc.header || scheme != tc.scheme {
				t.Errorf("Sending() = %q, %q, %q; want %q, %q, %q", query, header, scheme, tc.query, tc.header, tc.scheme)
			}
		})
	}
}
