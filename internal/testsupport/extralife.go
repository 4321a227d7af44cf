package testsupport

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// ExtraLife serves the real Extra Life participant 297674 and its real
// donation list (donations/testdata, provenance in its README.md) at
// DonorDrive's API paths, with the Num-Records header DonorDrive sends.
// list, when not nil, answers the donation list instead.
func ExtraLife(t testing.TB, list http.HandlerFunc) *httptest.Server {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(here), "..", "..", "donations", "testdata")
	participant, err := os.ReadFile(filepath.Join(dir, "donordrive-participant-297674-2018.json"))
	if err != nil {
		t.Fatal(err)
	}
	donations, err := os.ReadFile(filepath.Join(dir, "donordrive-participant-297674-donations-2018.json"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/participants/297674", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(participant)
	})
	mux.HandleFunc("/api/participants/297674/donations", func(w http.ResponseWriter, r *http.Request) {
		if list != nil {
			list(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Num-Records", "8")
		_, _ = w.Write(donations)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}
