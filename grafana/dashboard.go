// Package grafana ships the donation_exporter Grafana dashboard
// (donation_exporter.json, import-ready) and reads its panel queries, so tests
// can check every query against the metrics the exporter exposes.
package grafana

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
)

//go:embed donation_exporter.json
var dashboardJSON []byte

// JSON returns the dashboard exactly as committed.
func JSON() []byte {
	return bytes.Clone(dashboardJSON)
}

// Dashboard is the part of a Grafana dashboard model the tests look at.
type Dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Refresh       string  `json:"refresh"`
	Inputs        []Input `json:"__inputs"`
	Time          struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"time"`
	Templating struct {
		List []Variable `json:"list"`
	} `json:"templating"`
	Panels []Panel `json:"panels"`
	Links  []Link  `json:"links"`
}

// Link is a dashboard link shown at the top of the dashboard.
type Link struct {
	Title       string `json:"title"`
	Type        string `json:"type"`
	URL         string `json:"url"`
	IncludeVars bool   `json:"includeVars"`
	KeepTime    bool   `json:"keepTime"`
}

// Input is an entry of __inputs, which Grafana's UI import asks the user to fill.
type Input struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	PluginID string `json:"pluginId"`
}

// Variable is a dashboard template variable.
type Variable struct {
	Name       string      `json:"name"`
	Type       string      `json:"type"`
	Query      string      `json:"query"`
	Multi      bool        `json:"multi"`
	IncludeAll bool        `json:"includeAll"`
	AllValue   string      `json:"allValue"`
	Datasource *Datasource `json:"datasource"`
}

// Datasource references a Grafana data source by type and uid.
type Datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Panel is a dashboard panel; rows carry their collapsed children in Panels.
type Panel struct {
	ID          int         `json:"id"`
	Type        string      `json:"type"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Datasource  *Datasource `json:"datasource"`
	Targets     []Target    `json:"targets"`
	Panels      []Panel     `json:"panels"`
	GridPos     GridPos     `json:"gridPos"`
	FieldConfig struct {
		Defaults struct {
			Unit string `json:"unit"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
}

// GridPos places a panel on Grafana's 24-column grid.
type GridPos struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// Target is one Prometheus query of a panel.
type Target struct {
	RefID        string      `json:"refId"`
	Expr         string      `json:"expr"`
	LegendFormat string      `json:"legendFormat"`
	Instant      bool        `json:"instant"`
	Format       string      `json:"format"`
	Datasource   *Datasource `json:"datasource"`
}

// Parse decodes a dashboard model.
func Parse(data []byte) (*Dashboard, error) {
	var d Dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("parse dashboard: %w", err)
	}
	return &d, nil
}

// Load parses the embedded dashboard.
func Load() (*Dashboard, error) {
	return Parse(dashboardJSON)
}

// AllPanels returns every panel, rows included, with the children of
// collapsed rows after their row.
func (d *Dashboard) AllPanels() []Panel {
	var out []Panel
	var walk func([]Panel)
	walk = func(ps []Panel) {
		for _, p := range ps {
			out = append(out, p)
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return out
}

// Variable returns the template variable with the given name.
func (d *Dashboard) Variable(name string) (Variable, bool) {
	i := slices.IndexFunc(d.Templating.List, func(v Variable) bool { return v.Name == name })
	if i < 0 {
		return Variable{}, false
	}
	return d.Templating.List[i], true
}

// IsRow reports whether the panel is a row, which groups panels and has no
// query of its own.
func (p Panel) IsRow() bool {
	return p.Type == "row"
}
