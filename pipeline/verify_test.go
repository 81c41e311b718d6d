package pipeline

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func num(f float64) Cell                           { return Cell{IsNum: true, Num: f} }
func str(s string) Cell                            { return Cell{Str: s} }
func list(l ...float64) Cell                       { return Cell{IsList: true, List: l} }
func mkTable(cols []string, rows ...[]Cell) *Table { return &Table{Columns: cols, Rows: rows} }

func TestCellsEqual(t *testing.T) {
	tests := []struct {
		name string
		a, b Cell
		tol  float64
		want bool
	}{
		{"same int", num(3), num(3), 0, true},
		{"close floats, exact", num(1.0), num(1.0000001), 0, false},
		{"close floats, tolerance", num(1.0), num(1.0000001), 1e-6, true},
		{"relative tolerance", num(1000), num(1001), 1e-3, true},
		{"beyond tolerance", num(1000), num(1002), 1e-3, false},
		{"NaN", num(math.NaN()), num(math.NaN()), 0, true},
		{"null vs empty string", Cell{Null: true}, str(""), 0, false},
		{"nulls", Cell{Null: true}, Cell{Null: true}, 0, true},
		{"lists", list(1, 2, -1), list(1, 2, -1), 0, true},
		{"list lengths", list(1, 2), list(1, 2, -1), 0, false},
		{"CSV text against a number", str("42"), num(42), 0, true},
		{"CSV text against a list", str("[1, 2]"), list(1, 2), 0, true},
		{"strings", str("TLS"), str("TLS.Google"), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cellsEqual(tt.a, tt.b, tt.tol); got != tt.want {
				t.Errorf("cellsEqual(%v, %v, %g) = %t", tt.a, tt.b, tt.tol, got)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	cols := []string{"id", "x", "source"}
	a := mkTable(cols,
		[]Cell{num(0), num(1.5), str("a.pcap")},
		[]Cell{num(1), num(2), str("a.pcap")},
		[]Cell{num(0), num(7), str("b.pcap")},
	)
	b := mkTable([]string{"source", "id", "x", "y"}, // other column order, a new column
		[]Cell{str("b.pcap"), num(0), num(7.001), num(0)},
		[]Cell{str("a.pcap"), num(0), num(1.5), num(0)},
		[]Cell{str("c.pcap"), num(0), num(1), num(0)},
	)
	got := Diff(a, b, DiffOptions{Tolerance: 1e-2}).Lines
	want := []string{
		"column y: only in B",
		"1 flow(s) only in A: a.pcap#1",
		"1 flow(s) only in B: c.pcap#0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got = Diff(a, b, DiffOptions{}).Lines
	if len(got) != 4 || got[3] != "column x: 1 flow(s) differ; b.pcap#0: 7 ≠ 7.001" {
		t.Errorf("exact diff: %q", got)
	}
	if r := Diff(a, a, DiffOptions{}); !r.Equal() {
		t.Errorf("a dataset differs from itself: %q", r.Lines)
	}
}
