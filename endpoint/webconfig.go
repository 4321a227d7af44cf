package endpoint

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/prometheus/exporter-toolkit/web"
	"go.yaml.in/yaml/v2"
	"golang.org/x/time/rate"
)

// WebConfig is an exporter-toolkit web configuration file
// (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md),
// read with the toolkit's own types and checks. The exporter serves it
// itself, rather than through web.ListenAndServe, so that basic auth can
// be checked in front of everything (see BasicAuth) and the health check
// answered without credentials; TLS settings still become a tls.Config by
// the toolkit's web.ConfigToTLSConfig.
type WebConfig struct {
	path string
	web.Config
}

// LoadWebConfig reads and checks the file at path; nil without a path.
func LoadWebConfig(path string) (*WebConfig, error) {
	if path == "" {
		return nil, nil
	}
	// The toolkit's own check: users' hashes, headers, TLS files.
	if err := web.Validate(path); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c, err := readWebConfig(path)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// readWebConfig reads the file as the toolkit does (its getConfig is not
// exported): its defaults, strict YAML, relative paths from the file's
// directory.
func readWebConfig(path string) (*WebConfig, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c := &WebConfig{path: path, Config: web.Config{
		TLSConfig:  web.TLSConfig{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS13},
		HTTPConfig: web.HTTPConfig{HTTP2: true},
	}}
	if err := yaml.UnmarshalStrict(content, &c.Config); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.TLSConfig.SetDirectory(filepath.Dir(path))
	return c, nil
}

// Users is basic_auth_users as user name → bcrypt hash.
func (c *WebConfig) Users() map[string]string {
	if c == nil || len(c.Config.Users) == 0 {
		return nil
	}
	users := make(map[string]string, len(c.Config.Users))
	for name, hash := range c.Config.Users {
		users[name] = string(hash)
	}
	return users
}

// Handler applies the file's rate_limit and headers, then next.
func (c *WebConfig) Handler(next http.Handler, rejections *Rejections) http.Handler {
	if c == nil {
		return next
	}
	var limiter *rate.Limiter
	if c.RateLimiterConfig.Interval != 0 {
		limiter = rate.NewLimiter(rate.Every(c.RateLimiterConfig.Interval), c.RateLimiterConfig.Burst)
	}
	headers := c.HTTPConfig.Header
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if limiter != nil && !limiter.Allow() {
			rejections.Request(r, ReasonRateLimit)
			http.Error(w, http.StatusText(http.StatusTooManyRequests), http.StatusTooManyRequests)
			return
		}
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		next.ServeHTTP(w, r)
	})
}

// Serve serves server on l, with TLS when the file configures it (its
// certificate files are read again for each new connection, as the
// toolkit does, so renewed certificates are picked up), until the server
// is shut down.
func (c *WebConfig) Serve(l net.Listener, server *http.Server, logger *slog.Logger) error {
	logger.Info("Listening on", "address", l.Addr().String())
	if c == nil || !c.TLSConfig.IsEnabled() {
		logger.Info("TLS is disabled.", "http2", false, "address", l.Addr().String())
		return server.Serve(l)
	}
	tlsConfig, err := web.ConfigToTLSConfig(&c.TLSConfig)
	if err != nil {
		return fmt.Errorf("%s: %w", c.path, err)
	}
	http2 := c.HTTPConfig.HTTP2
	if !http2 {
		server.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
	}
	nextProtos := []string{"http/1.1"}
	if http2 {
		nextProtos = []string{"h2", "http/1.1"}
	}
	tlsConfig.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
		again, err := readWebConfig(c.path)
		if err != nil {
			return nil, err
		}
		config, err := web.ConfigToTLSConfig(&again.TLSConfig)
		if err != nil {
			return nil, err
		}
		config.NextProtos = nextProtos
		return config, nil
	}
	server.TLSConfig = tlsConfig
	logger.Info("TLS is enabled.", "http2", http2, "address", l.Addr().String())
	return server.ServeTLS(l, "", "")
}
