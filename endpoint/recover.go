package endpoint

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// Recover answers 500 to a request whose handler panicked and logs the
// panic at error level, with the path and the stack. net/http would
// recover it too, but would drop the connection without an answer and log
// through the server's ErrorLog alone, where a bug goes unseen.
// http.ErrAbortHandler, the way a handler aborts on purpose, goes through.
func Recover(h http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(p)
			}
			logger.Error("request handler panicked (a bug: please report it)", "path", r.URL.Path,
				"err", fmt.Sprint(p), "stack", string(debug.Stack()))
			// Headers may be gone already; then the client gets a cut
			// answer, as it would have.
			http.Error(w, "internal error: the exporter's log says more", http.StatusInternalServerError)
		}()
		h.ServeHTTP(w, r)
	})
}
