package pipeline

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// Cell is one value read back from a dataset file, in a form that compares
// across formats: numbers as float64, lists of numbers, strings, nulls.
type Cell struct {
	Null   bool
	IsNum  bool
	Num    float64
	IsList bool
	List   []float64
	Str    string
}

func (c Cell) String() string {
	switch {
	case c.Null:
		return "null"
	case c.IsNum:
		return formatNum(c.Num)
	case c.IsList:
		parts := make([]string, len(c.List))
		for i, v := range c.List {
			parts[i] = formatNum(v)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return strconv.Quote(c.Str)
}

// formatNum prints integral values as integers, others in the shortest form.
func formatNum(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Table is a dataset read back: column names and rows.
type Table struct {
	Columns []string
	Rows    [][]Cell
}

// ReadDataset reads every data file of a dataset directory, in the order
// dataset.json lists them (or, without dataset.json, part-* files sorted).
func ReadDataset(dir string) (*Table, error) {
	var files []string
	if prov, err := ReadProvenance(filepath.Join(dir, ProvenanceFile)); err == nil {
		for _, f := range prov.Files {
			files = append(files, filepath.Join(dir, f.Path))
		}
	} else {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "part-") {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
		slices.Sort(files)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no data files", dir)
	}
	var t *Table
	for _, f := range files {
		part, err := ReadFile(f)
		if err != nil {
			return nil, err
		}
		if t == nil {
			t = part
			continue
		}
		if !slices.Equal(t.Columns, part.Columns) {
			return nil, fmt.Errorf("%s: columns differ from the first file's", f)
		}
		t.Rows = append(t.Rows, part.Rows...)
	}
	return t, nil
}

// ReadFile reads one data file, its format told by its extension.
func ReadFile(path string) (*Table, error) {
	var t *Table
	var err error
	switch {
	case strings.HasSuffix(path, ".parquet"):
		t, err = readParquet(path)
	case strings.HasSuffix(path, ".csv"):
		t, err = readCSV(path)
	case strings.HasSuffix(path, ".jsonl"):
		t, err = readJSONL(path)
	default:
		err = errors.New("unknown file type (want .parquet, .csv or .jsonl)")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

func readParquet(path string) (*Table, error) {
	t := &Table{}
	err := scanParquet(path, func(cols []string) { t.Columns = cols }, func(row []Cell) error {
		t.Rows = append(t.Rows, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ScanDataset calls row for every row of a dataset's data files, in the
// order dataset.json lists them, reading Parquet 128 rows at a time so
// that memory does not grow with the dataset (CSV and JSON-lines parts are
// read whole, one at a time). header receives the columns first. Each row is
// a fresh slice.
func ScanDataset(dir string, header func(cols []string), row func([]Cell) error) error {
	prov, err := ReadProvenance(filepath.Join(dir, ProvenanceFile))
	if err != nil {
		return err
	}
	var cols []string
	for _, f := range prov.Files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		check := func(c []string) error {
			if cols == nil {
				cols = c
				header(c)
			} else if !slices.Equal(cols, c) {
				return fmt.Errorf("%s: columns differ from the first file's", path)
			}
			return nil
		}
		if !strings.HasSuffix(path, ".parquet") {
			t, err := ReadFile(path)
			if err != nil {
				return err
			}
			if err := check(t.Columns); err != nil {
				return err
			}
			for _, r := range t.Rows {
				if err := row(r); err != nil {
					return err
				}
			}
			continue
		}
		var herr error
		err := scanParquet(path, func(c []string) { herr = check(c) }, func(r []Cell) error {
			if herr != nil {
				return herr
			}
			return row(r)
		})
		if err == nil {
			err = herr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// scanParquet reads a Parquet file row by row.
func scanParquet(path string, header func([]string), each func([]Cell) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(f, info.Size())
	if err != nil {
		return err
	}
	fields := pf.Schema().Fields()
	var columns []string
	isList := make([]bool, len(fields))
	for i, fd := range fields {
		columns = append(columns, fd.Name())
		isList[i] = !fd.Leaf()
		if isList[i] {
			// group (LIST) { repeated group list { element } }: one leaf.
			leaves := 0
			var walk func(parquet.Field)
			walk = func(f parquet.Field) {
				if f.Leaf() {
					leaves++
					return
				}
				for _, c := range f.Fields() {
					walk(c)
				}
			}
			walk(fd)
			if leaves != 1 {
				return fmt.Errorf("column %s: nested groups are not supported", fd.Name())
			}
		}
	}
	header(columns)
	for _, rg := range pf.RowGroups() {
		rows := rg.Rows()
		buf := make([]parquet.Row, 128)
		for {
			n, err := rows.ReadRows(buf)
			for _, row := range buf[:n] {
				if err := each(parquetRow(row, isList)); err != nil {
					rows.Close()
					return err
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
	}
	return nil
}

func parquetRow(row parquet.Row, isList []bool) []Cell {
	cells := make([]Cell, len(isList))
	seen := make([]bool, len(isList))
	for _, v := range row {
		c := v.Column()
		if c < 0 || c >= len(cells) {
			continue
		}
		if isList[c] {
			cell := &cells[c]
			cell.IsList = true
			if cell.List == nil {
				cell.List = []float64{}
			}
			// Level 0 is a null list, 1 an empty list; an element has the
			// maximum level (2, or 3 when elements are optional).
			if v.IsNull() {
				if v.DefinitionLevel() == 0 && !seen[c] {
					*cell = Cell{Null: true}
				}
				seen[c] = true
				continue
			}
			seen[c] = true
			cell.List = append(cell.List, parquetNumber(v))
			continue
		}
		if v.IsNull() {
			cells[c] = Cell{Null: true}
			continue
		}
		switch v.Kind() {
		case parquet.ByteArray, parquet.FixedLenByteArray:
			cells[c] = Cell{Str: string(v.ByteArray())}
		case parquet.Boolean:
			cells[c] = Cell{Str: strconv.FormatBool(v.Boolean())}
		default:
			cells[c] = Cell{IsNum: true, Num: parquetNumber(v)}
		}
	}
	return cells
}

func parquetNumber(v parquet.Value) float64 {
	switch v.Kind() {
	case parquet.Int32:
		return float64(v.Int32())
	case parquet.Int64:
		return float64(v.Int64())
	case parquet.Float:
		return float64(v.Float())
	case parquet.Double:
		return v.Double()
	}
	return math.NaN()
}

func readCSV(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	header, err := r.Read()
	if err != nil {
		return nil, err
	}
	t := &Table{Columns: header}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		row := make([]Cell, len(rec))
		for i, s := range rec {
			row[i] = textCell(s)
		}
		t.Rows = append(t.Rows, row)
	}
}

// textCell reads a CSV field: empty is null, numbers and [lists] are
// numeric, anything else a string.
func textCell(s string) Cell {
	if s == "" {
		return Cell{Null: true}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return Cell{IsNum: true, Num: f}
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		inner := strings.TrimSpace(s[1 : len(s)-1])
		list := []float64{}
		ok := true
		if inner != "" {
			for _, p := range strings.Split(inner, ",") {
				f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
				if err != nil {
					ok = false
					break
				}
				list = append(list, f)
			}
		}
		if ok {
			return Cell{IsList: true, List: list}
		}
	}
	return Cell{Str: s}
}

func readJSONL(path string) (*Table, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t := &Table{}
	index := map[string]int{}
	for n, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		// Decode keys in order to learn the column order from line 1.
		tok, err := dec.Token()
		if err != nil || tok != json.Delim('{') {
			return nil, fmt.Errorf("line %d: not a JSON object", n+1)
		}
		row := make([]Cell, len(t.Columns))
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n+1, err)
			}
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, fmt.Errorf("line %d: %w", n+1, err)
			}
			key, _ := k.(string)
			i, ok := index[key]
			if !ok {
				if len(t.Rows) > 0 {
					return nil, fmt.Errorf("line %d: unknown key %q", n+1, key)
				}
				i = len(t.Columns)
				index[key] = i
				t.Columns = append(t.Columns, key)
				row = append(row, Cell{})
			}
			row[i] = jsonCell(v)
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

func jsonCell(v any) Cell {
	switch v := v.(type) {
	case nil:
		return Cell{Null: true}
	case json.Number:
		f, _ := strconv.ParseFloat(v.String(), 64)
		return Cell{IsNum: true, Num: f}
	case string:
		return Cell{Str: v}
	case bool:
		return Cell{Str: strconv.FormatBool(v)}
	case []any:
		list := []float64{}
		for _, e := range v {
			if n, ok := e.(json.Number); ok {
				f, _ := strconv.ParseFloat(n.String(), 64)
				list = append(list, f)
			}
		}
		return Cell{IsList: true, List: list}
	}
	b, _ := json.Marshal(v)
	return Cell{Str: string(b)}
}
