package stages

import (
	"github.com/nfdataset/nfdataset/features"
	"strconv"
)

// CSVSink writes RFC 4180 CSV that pandas, Polars and DuckDB read with no
// options: a header line of column names, then one line per record, "\n"
// line ends, UTF-8.
//
// Values are written as NFStream writes them, so numbers read back equal to
// NFStream's: ints in decimal, floats as Python's repr (AppendPythonFloat),
// lists as Python list text ("[0, 1, -1]", quoted because of its commas),
// null as an empty field. Strings differ on purpose: they are quoted only
// when RFC 4180 needs it (see appendCSVString), and an empty string is an
// empty field, which pandas reads as NaN just like NFStream's `""`. Invalid
// UTF-8 is replaced, as in every sink (validUTF8).
type CSVSink struct {
	sinkCore
	line []byte // reused for every line
}

var _ Sink = (*CSVSink)(nil)

// NewCSVSink returns a sink writing CSV to out; Close commits out.
func NewCSVSink(out *Output) *CSVSink {
	return &CSVSink{sinkCore: sinkCore{format: "csv", out: out}}
}

// Begin writes the header line.
func (s *CSVSink) Begin(schema features.Schema) error {
	if err := s.begin(schema); err != nil {
		return err
	}
	line := s.line[:0]
	for i, col := range schema {
		if i > 0 {
			line = append(line, ',')
		}
		line = appendCSVString(line, col.Name)
	}
	line = append(line, '\n')
	s.line = line
	if _, err := s.out.Write(line); err != nil {
		return s.fail(err)
	}
	return nil
}

// Write appends one line. rec is not retained.
func (s *CSVSink) Write(rec features.Record) error {
	if err := s.checkWrite(rec); err != nil {
		return err
	}
	line := s.line[:0]
	for i, col := range s.schema {
		if i > 0 {
			line = append(line, ',')
		}
		line = appendCSVValue(line, col.Kind, &rec[i])
	}
	line = append(line, '\n')
	s.line = line
	if _, err := s.out.Write(line); err != nil {
		return s.fail(err)
	}
	s.rows++
	return nil
}

// Rows returns the number of records written.
func (s *CSVSink) Rows() int64 { return s.rows }

// Close flushes and commits the file.
func (s *CSVSink) Close() error { return s.close(nil) }

// Abort discards the file.
func (s *CSVSink) Abort() error { return s.abort() }

// appendCSVValue appends one field. The kind was checked by Begin.
func appendCSVValue(b []byte, kind features.Kind, v *features.Value) []byte {
	if v.Null {
		return b
	}
	switch kind {
	case features.Int:
		if uint64(v.Int) < 10 { // appendInt, by hand: it is just too big to inline
			return append(b, byte('0'+v.Int))
		}
		return strconv.AppendInt(b, v.Int, 10)
	case features.Float:
		return AppendPythonFloat(b, v.Float)
	case features.String:
		return appendCSVString(b, v.Str)
	case features.IntList:
		// Two or more elements mean a comma, hence quotes; "[]" and "[7]"
		// need none.
		if len(v.List) < 2 {
			return appendPythonIntList(b, v.List)
		}
		b = append(b, '"')
		b = appendPythonIntList(b, v.List)
		return append(b, '"')
	}
	return b
}
