package pipeline

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadFile: a dataset part is read back by inspect, diff and verify
// from folders anyone can hand over, so no CSV, JSON lines or Parquet bytes
// may make ReadFile panic; it gives a table whose rows have one cell per
// column, or an error naming the file.
func FuzzReadFile(f *testing.F) {
	if b, err := os.ReadFile("../goldens/quickstart/rows.csv"); err == nil {
		f.Add(b, uint8(0))
	}
	f.Add([]byte("a,b,c\n1,\"x,y\",[1, 2]\n2,,\n"), uint8(0))
	f.Add([]byte("a,b\n1\n"), uint8(0)) // short row
	f.Add([]byte(`{"a":1,"b":"x","c":[1,2],"d":null}`+"\n"+`{"a":2.5}`+"\n"), uint8(1))
	f.Add([]byte(`{"a":{"nested":true}}`+"\n[1]\n"), uint8(1))
	f.Add([]byte("PAR1\x15\x00\x15\x00PAR1"), uint8(2)) // magic around nothing
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		ext := []string{".csv", ".jsonl", ".parquet"}[kind%3]
		path := filepath.Join(t.TempDir(), "part-00000"+ext)
		if err := os.WriteFile(path, data, 0o666); err != nil {
			t.Fatal(err)
		}
		tab, err := ReadFile(path)
		if err != nil {
			return
		}
		for i, row := range tab.Rows {
			if len(row) != len(tab.Columns) {
				t.Fatalf("%s: row %d has %d cells for %d columns", ext, i, len(row), len(tab.Columns))
			}
		}
	})
}
