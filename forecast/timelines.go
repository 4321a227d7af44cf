package forecast

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"time"
)

// ManifestEntry describes one timeline file, in the form of the
// MANIFEST.json beside the timelines (see testdata/timelines/README.md).
type ManifestEntry struct {
	File        string   `json:"file"`
	Campaign    string   `json:"campaign"`
	Kind        string   `json:"kind"`
	Platform    string   `json:"platform"`
	Start       string   `json:"start"`
	Deadline    string   `json:"deadline"`
	DateQuality string   `json:"date_quality"`
	FinalRaised float64  `json:"final_raised"`
	Target      *float64 `json:"target"`
	Source      string   `json:"source"`
	Incomplete  bool     `json:"incomplete"`
}

// Entry is a timeline with what its manifest says of it.
type Entry struct {
	ManifestEntry
	Timeline Timeline
}

// LoadManifest reads MANIFEST.json in fsys and every timeline it names.
// Errors name the file.
func LoadManifest(fsys fs.FS) ([]Entry, error) {
	data, err := fs.ReadFile(fsys, "MANIFEST.json")
	if err != nil {
		return nil, err
	}
	var manifest []ManifestEntry
	if err := json.Unmarshal(data, &manifest); err != nil {
		return nil, fmt.Errorf("MANIFEST.json: %w", err)
	}
	var entries []Entry
	for _, m := range manifest {
		tl, err := m.load(fsys)
		if err != nil {
			return nil, fmt.Errorf("MANIFEST.json: %s: %w", m.File, err)
		}
		entries = append(entries, Entry{ManifestEntry: m, Timeline: tl})
	}
	return entries, nil
}

func (m ManifestEntry) load(fsys fs.FS) (Timeline, error) {
	start, err := time.Parse(time.RFC3339, m.Start)
	if err != nil {
		return Timeline{}, fmt.Errorf("start: %w", err)
	}
	deadline, err := time.Parse(time.RFC3339, m.Deadline)
	if err != nil {
		return Timeline{}, fmt.Errorf("deadline: %w", err)
	}
	f, err := fsys.Open(m.File)
	if err != nil {
		return Timeline{}, err
	}
	defer f.Close()
	obs, err := ParseTimeline(f)
	if err != nil {
		return Timeline{}, err
	}
	return Timeline{Name: m.File, Start: start, Deadline: deadline, Final: m.FinalRaised, Observations: obs}, nil
}

// CurveFor names the built-in curve a timeline of this platform and kind
// follows: the platform's own where there is one, else its kind's, else
// linear.
func CurveFor(platform, kind string) string {
	switch {
	case platform == "kickstarter" || kind == "kickstarter":
		return "kickstarter"
	case platform == "jinglejam":
		return "jinglejam"
	case platform == "gdq" || kind == "livestream" || kind == "marathon":
		return "marathon"
	}
	return LinearName
}
