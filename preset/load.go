package preset

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed presets/*.yaml
var files embed.FS

// Registry is every preset, loaded from the embedded files.
type Registry struct {
	presets []*Preset // sorted by name
}

// Load reads and checks the embedded preset files.
func Load() (*Registry, error) {
	return load(files, "presets")
}

func load(fsys fs.FS, dir string) (*Registry, error) {
	names, err := fs.Glob(fsys, dir+"/*.yaml")
	if err != nil {
		return nil, err
	}
	reg := &Registry{}
	var errs []error
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		p, err := parse(data, strings.TrimSuffix(path.Base(name), ".yaml"))
		if err != nil {
			errs = append(errs, fmt.Errorf("preset %s: %w", name, err))
			continue
		}
		reg.presets = append(reg.presets, p)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sort.Slice(reg.presets, func(i, j int) bool { return reg.presets[i].Name < reg.presets[j].Name })
	return reg, nil
}

// parse decodes one preset strictly (an unknown key is an error naming its
// line) and checks it.
func parse(data []byte, fileName string) (*Preset, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p Preset
	if err := dec.Decode(&p); err != nil {
		return nil, err
	}
	if err := p.check(fileName); err != nil {
		return nil, err
	}
	return &p, nil
}

// Presets returns every preset, sorted by name.
func (r *Registry) Presets() []*Preset { return slices.Clone(r.presets) }

// Names returns the names of every preset, sorted.
func (r *Registry) Names() []string {
	names := make([]string, len(r.presets))
	for i, p := range r.presets {
		names[i] = p.Name
	}
	return names
}

// Lookup returns the preset called name.
func (r *Registry) Lookup(name string) (*Preset, bool) {
	for _, p := range r.presets {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}

// Detect returns the preset whose Hosts match host (as url.URL's Hostname
// gives it: no port).
func (r *Registry) Detect(host string) (*Preset, bool) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, p := range r.presets {
		for _, h := range p.Hosts {
			if domain, ok := strings.CutPrefix(h, "*."); ok {
				if host == domain || strings.HasSuffix(host, "."+domain) {
					return p, true
				}
			} else if host == h {
				return p, true
			}
		}
	}
	return nil, false
}
