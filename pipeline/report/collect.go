package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nfdataset/nfdataset/pipeline"
	"github.com/nfdataset/nfdataset/pipeline/describe"
)

// Options tune the report.
type Options struct {
	// Columns get one histogram per label in the features section.
	Columns []string
	// TopN applications and categories are shown, the rest grouped; 0
	// means 10.
	TopN int
}

// labelStats is one label column's balance.
type labelStats struct {
	column  string
	kind    string
	rules   string // the [[label]] table as JSON
	def     string // its default label, "" if none
	report  string // the labeler's report as JSON
	counts  counter
	byInput map[string]counter
	byDay   map[string]counter
	perCol  map[string]map[string]*numStats // chosen column → label → stats
}

// summary is everything the page shows.
type summary struct {
	dir     string
	prov    *pipeline.Provenance
	opts    Options
	docs    map[string]string
	columns []pipeline.ColumnInfo
	rows    int64

	num  map[string]*numStats
	str  map[string]*strStats
	labs []*labelStats

	firstMS, lastMS int64
	timeline        *timeline
	apps, cats      counter
	hasApps         bool
}

// collect reads the dataset once.
func collect(dir string, opts Options) (*summary, error) {
	prov, err := pipeline.ReadProvenance(filepath.Join(dir, pipeline.ProvenanceFile))
	if err != nil {
		return nil, err
	}
	if opts.TopN <= 0 {
		opts.TopN = 10
	}
	s := &summary{dir: dir, prov: prov, opts: opts, docs: columnDocs(dir), columns: prov.Columns,
		num: map[string]*numStats{}, str: map[string]*strStats{}, timeline: newTimeline(),
		apps: counter{}, cats: counter{}, firstMS: -1, lastMS: -1}
	types := map[string]string{}
	for _, c := range prov.Columns {
		types[c.Name] = c.Type
	}
	for _, c := range opts.Columns {
		if t, ok := types[c]; !ok || (t != "int" && t != "float") {
			return nil, fmt.Errorf("--columns: %s is not a numeric column of the dataset", c)
		}
	}
	var labelTables []map[string]any
	var resolved struct {
		Label []map[string]any `json:"label"`
	}
	if json.Unmarshal(prov.Manifest, &resolved) == nil {
		labelTables = resolved.Label
	}
	for i, l := range prov.Labelers {
		ls := &labelStats{column: l.Column, kind: l.Kind, counts: counter{}, byInput: map[string]counter{},
			byDay: map[string]counter{}, perCol: map[string]map[string]*numStats{}}
		if i < len(labelTables) {
			b, _ := json.Marshal(labelTables[i])
			ls.rules = string(b)
			ls.def, _ = labelTables[i]["default"].(string)
		}
		if len(l.Report) > 0 {
			b, _ := json.Marshal(l.Report)
			ls.report = string(b)
		}
		for _, c := range opts.Columns {
			ls.perCol[c] = map[string]*numStats{}
		}
		s.labs = append(s.labs, ls)
	}

	var idx map[string]int
	col := func(name string) int {
		if i, ok := idx[name]; ok {
			return i
		}
		return -1
	}
	var iFirst, iLast, iSource, iApp, iCat int
	var labIdx, chosen []int
	err = pipeline.ScanDataset(dir, func(cols []string) {
		idx = map[string]int{}
		for i, c := range cols {
			idx[c] = i
		}
		iFirst, iLast = col("bidirectional_first_seen_ms"), col("bidirectional_last_seen_ms")
		iSource, iApp, iCat = col(pipeline.SourceColumn), col("application_name"), col("application_category_name")
		s.hasApps = iApp >= 0
		for _, l := range s.labs {
			labIdx = append(labIdx, col(l.column))
		}
		for _, c := range opts.Columns {
			chosen = append(chosen, col(c))
		}
	}, func(row []pipeline.Cell) error {
		s.rows++
		for i, c := range row {
			name := s.columns[i].Name
			switch s.columns[i].Type {
			case "int", "float":
				st := s.num[name]
				if st == nil {
					st = newNumStats()
					s.num[name] = st
				}
				if c.Null {
					st.nulls++
				} else {
					st.add(c.Num)
				}
			case "string":
				st := s.str[name]
				if st == nil {
					st = &strStats{}
					s.str[name] = st
				}
				st.add(c.Str, c.Null)
			}
		}
		var t int64 = -1
		if iFirst >= 0 && !row[iFirst].Null {
			t = int64(row[iFirst].Num)
			if s.firstMS < 0 || t < s.firstMS {
				s.firstMS = t
			}
		}
		if iLast >= 0 && !row[iLast].Null {
			if l := int64(row[iLast].Num); l > s.lastMS {
				s.lastMS = l
			}
		}
		first := "flows"
		for j, l := range s.labs {
			v := "(null)"
			if k := labIdx[j]; k >= 0 && !row[k].Null {
				v = row[k].Str
			}
			if j == 0 {
				first = v
			}
			l.counts[v]++
			src := ""
			if iSource >= 0 {
				src = row[iSource].Str
			}
			addTo(l.byInput, src, v)
			if t >= 0 {
				addTo(l.byDay, time.UnixMilli(t).UTC().Format("2006-01-02"), v)
			}
			for ci, c := range opts.Columns {
				k := chosen[ci]
				if k < 0 || row[k].Null {
					continue
				}
				st := l.perCol[c][v]
				if st == nil {
					st = newNumStats()
					l.perCol[c][v] = st
				}
				st.add(row[k].Num)
			}
		}
		if t >= 0 {
			s.timeline.add(t, first)
		}
		if iApp >= 0 {
			s.apps[nonEmpty(row[iApp])]++
		}
		if iCat >= 0 {
			s.cats[nonEmpty(row[iCat])]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func addTo(m map[string]counter, k, v string) {
	c := m[k]
	if c == nil {
		c = counter{}
		m[k] = c
	}
	c[v]++
}

func nonEmpty(c pipeline.Cell) string {
	if c.Null || c.Str == "" {
		return "(none)"
	}
	return c.Str
}

// columnDocs reads the columns' one-line docs from croissant.json.
func columnDocs(dir string) map[string]string {
	out := map[string]string{}
	b, err := os.ReadFile(filepath.Join(dir, describe.CroissantFile))
	if err != nil {
		return out
	}
	var c struct {
		RecordSet []struct {
			Field []struct {
				Name        string `json:"name"`
				Description string `json:"description"`
			} `json:"field"`
		} `json:"recordSet"`
	}
	if json.Unmarshal(b, &c) == nil && len(c.RecordSet) > 0 {
		for _, f := range c.RecordSet[0].Field {
			out[f.Name] = f.Description
		}
	}
	return out
}
