package preset

import (
	"errors"
	"fmt"
	"strings"
)

// Auth is how a platform's API takes a key.
type Auth struct {
	// Required makes TOKEN_FILE required: the API answers nothing
	// without a key.
	Required bool `yaml:"required"`
	// Key says, for people, what the key is and where to get one.
	Key string `yaml:"key"`
	// Query names the query parameter the key goes in. Without it the key
	// goes in Header (Authorization when empty), after Scheme and a space
	// (Bearer when both are empty; none when only Header is set).
	Query  string `yaml:"query"`
	Header string `yaml:"header"`
	Scheme string `yaml:"scheme"`
}

// check checks an auth block; a nil one is none.
func (a *Auth) check() []error {
	if a == nil {
		return nil
	}
	var errs []error
	if a.Query != "" && (a.Header != "" || a.Scheme != "") {
		errs = append(errs, errors.New("auth: a query parameter or a header, not both"))
	}
	if a.Key == "" {
		errs = append(errs, errors.New("auth: key is required: say what the key is and where to get one"))
	}
	if a.Header != "" && !isToken(a.Header) {
		errs = append(errs, fmt.Errorf("auth: header %q is not a header name", a.Header))
	}
	return errs
}

// Sending is how the key is sent: the query parameter, or the header and
// the scheme before the key.
func (a *Auth) Sending() (query, header, scheme string) {
	switch {
	case a == nil:
		return "", "Authorization", "Bearer"
	case a.Query != "":
		return a.Query, "", ""
	case a.Header == "" && a.Scheme == "":
		return "", "Authorization", "Bearer"
	case a.Header == "":
		return "", "Authorization", a.Scheme
	}
	return "", a.Header, a.Scheme
}

// isToken reports whether s is an HTTP token (RFC 9110), as a header name
// must be.
func isToken(s string) bool {
	for _, r := range s {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return s != ""
}
