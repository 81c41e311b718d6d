package stages

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/nfdataset/nfdataset/features"
)

// ReadNFStreamCSV reads a file written by NFStream's to_csv: a header line,
// then one line per flow, strings in double quotes with any quote inside
// escaped by a backslash (not RFC 4180, which is why encoding/csv and pandas
// misread it). Fields are returned as text, quotes removed. It lets tests
// and users compare our output with NFStream's own.
func ReadNFStreamCSV(r io.Reader) (header []string, rows [][]string, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	line := 0
	for sc.Scan() {
		line++
		fields := SplitNFStreamCSVLine(sc.Text())
		if line == 1 {
			header = fields
			continue
		}
		if len(fields) != len(header) {
			return header, rows, fmt.Errorf("NFStream CSV line %d: %d fields, header has %d", line, len(fields), len(header))
		}
		rows = append(rows, fields)
	}
	return header, rows, sc.Err()
}

// SplitNFStreamCSVLine splits one line of NFStream's CSV dialect.
func SplitNFStreamCSVLine(line string) []string {
	var out []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(line) && line[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, cur.String())
}

// MemorySink keeps every record in memory: for tests and for library users
// who want the flows as values rather than a file.
type MemorySink struct {
	Schema  features.Schema
	Records []features.Record
}

func (m *MemorySink) Begin(s features.Schema) error { m.Schema = s; return nil }

// Write keeps rec; give the job ReuseRecords = false (the default).
func (m *MemorySink) Write(rec features.Record) error {
	m.Records = append(m.Records, rec)
	return nil
}
func (m *MemorySink) Close() error { return nil }
func (m *MemorySink) Abort() error { return nil }

// CompareNFStreamText checks a value of ours against the text NFStream
// wrote for it: integers and floats as numbers (floats bit for bit),
// strings as they are, lists as Python prints them ("[0, 1, -1]").
func CompareNFStreamText(col features.Column, v features.Value, want string) error {
	switch col.Kind {
	case features.Int:
		w, err := strconv.ParseInt(want, 10, 64)
		if err != nil || w != v.Int {
			return fmt.Errorf("got %d, want %s", v.Int, want)
		}
	case features.Float:
		w, err := strconv.ParseFloat(want, 64)
		if err != nil || math.Float64bits(w) != math.Float64bits(v.Float) {
			return fmt.Errorf("got %s, want %s", strconv.FormatFloat(v.Float, 'g', -1, 64), want)
		}
	case features.String:
		if v.Str != want {
			return fmt.Errorf("got %q, want %q", v.Str, want)
		}
	case features.IntList:
		if got := string(appendPythonIntList(nil, v.List)); got != want {
			return fmt.Errorf("got %s, want %s", got, want)
		}
	}
	return nil
}

// Collect meters captures (read one after another as one capture) with
// the given parameters and feature sets and returns every flow in memory.
// Warnings about damaged captures go to warn when it is not nil.
func Collect(ctx context.Context, captures []string, st Streamer, sets []features.Request, warn func(error)) (*MemorySink, error) {
	src, err := OpenFiles(captures)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	ext, err := features.NewExtractor(sets, st.Env())
	if err != nil {
		return nil, err
	}
	sink := &MemorySink{}
	if err := sink.Begin(ext.Schema()); err != nil {
		return nil, err
	}
	job := &Job{Source: src, Streamer: st, Extractor: ext, Sink: sink, OnWarning: warn}
	if _, err := job.Run(ctx); err != nil {
		return nil, err
	}
	return sink, nil
}
