package stages

import (
	"math"
	"strconv"

	"github.com/nfdataset/nfdataset/features"
)

// JSONLinesSink writes one JSON object per record and per line, keys in
// schema order. Ints are numbers; floats are numbers with Python's repr
// digits, as in the CSV sink, and NaN or ±Inf, which JSON numbers cannot
// hold, are the strings "nan", "inf" and "-inf", the CSV sink's text (one
// rule for every text format, docs/manifest.md; null would lose the value
// and make two formats of one dataset differ); lists are arrays; Null
// values and the empty strings of Nullable columns are null.
//
// The JSON is written by hand rather than with encoding/json: it keeps the
// schema order (a map would sort the keys) and costs no reflection or
// allocation per record.
type JSONLinesSink struct {
	sinkCore
	keys [][]byte // per column: `{"name":` for the first, `,"name":` after
	line []byte
}

var _ Sink = (*JSONLinesSink)(nil)

// NewJSONLinesSink returns a sink writing JSON lines to out; Close commits
// out.
func NewJSONLinesSink(out *Output) *JSONLinesSink {
	return &JSONLinesSink{sinkCore: sinkCore{format: "jsonl", out: out}}
}

// Begin prepares the escaped keys; JSON lines have no header.
func (s *JSONLinesSink) Begin(schema features.Schema) error {
	if err := s.begin(schema); err != nil {
		return err
	}
	s.keys = make([][]byte, len(schema))
	for i, col := range schema {
		sep := byte(',')
		if i == 0 {
			sep = '{'
		}
		key := appendJSONString([]byte{sep}, col.Name)
		s.keys[i] = append(key, ':')
	}
	return nil
}

// Write appends one line. rec is not retained.
func (s *JSONLinesSink) Write(rec features.Record) error {
	if err := s.checkWrite(rec); err != nil {
		return err
	}
	line := s.line[:0]
	for i, col := range s.schema {
		line = append(line, s.keys[i]...)
		line = appendJSONValue(line, col, &rec[i])
	}
	line = append(line, '}', '\n')
	s.line = line
	if _, err := s.out.Write(line); err != nil {
		return s.fail(err)
	}
	s.rows++
	return nil
}

// Rows returns the number of records written.
func (s *JSONLinesSink) Rows() int64 { return s.rows }

// Close flushes and commits the file.
func (s *JSONLinesSink) Close() error { return s.close(nil) }

// Abort discards the file.
func (s *JSONLinesSink) Abort() error { return s.abort() }

func appendJSONValue(b []byte, col features.Column, v *features.Value) []byte {
	if v.Null {
		return append(b, "null"...)
	}
	switch col.Kind {
	case features.Int:
		return strconv.AppendInt(b, v.Int, 10)
	case features.Float:
		if math.IsNaN(v.Float) || math.IsInf(v.Float, 0) {
			b = append(b, '"')
			b = AppendPythonFloat(b, v.Float)
			return append(b, '"')
		}
		return AppendPythonFloat(b, v.Float)
	case features.String:
		if v.Str == "" && col.Nullable {
			return append(b, "null"...)
		}
		return appendJSONString(b, v.Str)
	case features.IntList:
		b = append(b, '[')
		for i, e := range v.List {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, e, 10)
		}
		return append(b, ']')
	}
	return b
}
