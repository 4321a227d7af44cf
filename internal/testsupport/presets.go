package testsupport

import (
	"sync"

	"github.com/donation-exporter/donation_exporter/preset"
)

// Presets returns the built-in platform presets, loaded once for all the
// tests of a package, as main loads them once for the process. They are
// embedded, so a failure to load them is a bug that every test would hit.
var Presets = sync.OnceValue(func() *preset.Registry {
	presets, err := preset.Load()
	if err != nil {
		panic("the built-in presets do not load: " + err.Error())
	}
	return presets
})
