package labelers

import (
	"sort"
	"strings"
	"sync/atomic"

	"github.com/nfdataset/nfdataset/features"
)

const applicationExample = `[[label]]
kind = "application"
column = "traffic_class"
default = "other"
map = { "TLS.Facebook" = "social", "*.YouTube" = "video", "SocialNetwork" = "social" }
`

func init() {
	Register(Spec{
		Kind:    "application",
		Version: 1,
		Doc:     "Maps application_name or application_category_name (dpi set) to a label through globs.",
		Example: applicationExample,
		Keys: []Key{
			{"map", "table of glob → label, e.g. { \"TLS.Facebook\" = \"social\", \"*.YouTube\" = \"video\" }; patterns without wildcards first, then longer patterns first"},
			{"match", "what the globs are tried on: both (default: application_name, then application_category_name), application or category"},
		},
		New: newApplication,
	})
}

type appEntry struct {
	g     glob
	label string
	hits  atomic.Int64
}

// Application is the "application" labeler.
type Application struct {
	column, def    string
	entries        []*appEntry
	onApp, onCat   bool
	flows, missing atomic.Int64
	facts          factReader
}

var _ Labeler = (*Application)(nil)

func newApplication(c *Config) (Labeler, error) {
	a := &Application{column: c.Column, def: c.Default}
	m, err := c.Map("map")
	if err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, c.Errorf("map", "missing or empty: give { \"pattern\" = \"label\", … }")
	}
	mode, err := c.String("match", "both")
	if err != nil {
		return nil, err
	}
	switch mode {
	case "both":
		a.onApp, a.onCat = true, true
	case "application":
		a.onApp = true
	case "category":
		a.onCat = true
	default:
		return nil, c.Errorf("match", "want both, application or category, got %q", mode)
	}
	for p, l := range m {
		g, err := newGlob(p)
		if err != nil {
			return nil, c.Errorf("map", "bad pattern %q: %v", p, err)
		}
		a.entries = append(a.entries, &appEntry{g: g, label: l})
	}
	// A TOML table has no order: literal names first, then longer (more
	// specific) patterns, then by text, so the result never depends on
	// decoding order.
	sort.Slice(a.entries, func(i, j int) bool {
		pi, pj := a.entries[i].g.pattern, a.entries[j].g.pattern
		li, lj := !strings.ContainsAny(pi, "*?["), !strings.ContainsAny(pj, "*?[")
		if li != lj {
			return li
		}
		if len(pi) != len(pj) {
			return len(pi) > len(pj)
		}
		return pi < pj
	})
	return a, nil
}

func (a *Application) Name() string   { return "application" }
func (a *Application) Version() int   { return 1 }
func (a *Application) Column() string { return a.column }

// Label tries application_name against every pattern, then the category.
func (a *Application) Label(v features.View) string {
	a.flows.Add(1)
	app, cat := a.facts.app(v)
	if a.onApp {
		if e := a.find(app); e != nil {
			return e.label
		}
	}
	if a.onCat {
		if e := a.find(cat); e != nil {
			return e.label
		}
	}
	a.missing.Add(1)
	return a.def
}

func (a *Application) find(s string) *appEntry {
	if s == "" {
		return nil
	}
	for _, e := range a.entries {
		if e.g.match(s) {
			e.hits.Add(1)
			return e
		}
	}
	return nil
}

// Report gives the flows seen, the hits per pattern and the flows that got
// the default.
func (a *Application) Report() map[string]any {
	pats := map[string]any{}
	for _, e := range a.entries {
		pats[e.g.pattern] = e.hits.Load()
	}
	return map[string]any{"flows": a.flows.Load(), "patterns": pats, "default": a.missing.Load()}
}
