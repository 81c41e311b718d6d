package pipeline

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/nfdataset/nfdataset/features"
)

// Record files (.rec) hold one job's records in the cache, in emission
// order, so that a build can re-assemble a dataset without metering again.
// The format is private to this package and versioned by recordMagic:
//
//	magic "NFDREC1\n"
//	per record: 0x01, then each value in schema order
//	  Int     zigzag varint (0x00 prefix) or 0x01 for null
//	  Float   8 bytes IEEE 754 little-endian, or null flag as for Int
//	  String  flag, uvarint length, bytes
//	  IntList flag, uvarint count, zigzag varints
//	end: 0x00, uvarint record count
const recordMagic = "NFDREC1\n"

// recordWriter appends records to w.
type recordWriter struct {
	w      *bufio.Writer
	schema features.Schema
	buf    []byte
	n      int64
}

func newRecordWriter(w io.Writer, schema features.Schema) (*recordWriter, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	if _, err := bw.WriteString(recordMagic); err != nil {
		return nil, err
	}
	return &recordWriter{w: bw, schema: schema}, nil
}

// appendValue encodes one value of kind k; the probe hash uses it too.
func appendValue(b []byte, k features.Kind, v features.Value) []byte {
	if v.Null {
		return append(b, 1)
	}
	b = append(b, 0)
	switch k {
	case features.Int:
		b = binary.AppendVarint(b, v.Int)
	case features.Float:
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.Float))
	case features.String:
		b = binary.AppendUvarint(b, uint64(len(v.Str)))
		b = append(b, v.Str...)
	case features.IntList:
		b = binary.AppendUvarint(b, uint64(len(v.List)))
		for _, x := range v.List {
			b = binary.AppendVarint(b, x)
		}
	}
	return b
}

func (r *recordWriter) Write(rec features.Record) error {
	if len(rec) != len(r.schema) {
		return fmt.Errorf("record has %d values for %d columns", len(rec), len(r.schema))
	}
	b := append(r.buf[:0], 1)
	for i, v := range rec {
		b = appendValue(b, r.schema[i].Kind, v)
	}
	r.buf = b
	r.n++
	_, err := r.w.Write(b)
	return err
}

func (r *recordWriter) Close() error {
	b := binary.AppendUvarint([]byte{0}, uint64(r.n))
	if _, err := r.w.Write(b); err != nil {
		return err
	}
	return r.w.Flush()
}

// recordReader reads a record file written with the same schema.
type recordReader struct {
	r      *bufio.Reader
	schema features.Schema
	n      int64
}

var errBadRecords = errors.New("damaged record file")

func newRecordReader(r io.Reader, schema features.Schema) (*recordReader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	magic := make([]byte, len(recordMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != recordMagic {
		return nil, errBadRecords
	}
	return &recordReader{r: br, schema: schema}, nil
}

// Next returns the next record, or io.EOF after the last one (whose count
// is checked against the trailer).
func (r *recordReader) Next() (features.Record, error) {
	tag, err := r.r.ReadByte()
	if err != nil {
		return nil, errBadRecords
	}
	if tag == 0 {
		n, err := binary.ReadUvarint(r.r)
		if err != nil || int64(n) != r.n {
			return nil, errBadRecords
		}
		return nil, io.EOF
	}
	if tag != 1 {
		return nil, errBadRecords
	}
	rec := make(features.Record, len(r.schema))
	for i, c := range r.schema {
		null, err := r.r.ReadByte()
		if err != nil || null > 1 {
			return nil, errBadRecords
		}
		if null == 1 {
			rec[i].Null = true
			continue
		}
		switch c.Kind {
		case features.Int:
			rec[i].Int, err = binary.ReadVarint(r.r)
		case features.Float:
			var b [8]byte
			_, err = io.ReadFull(r.r, b[:])
			rec[i].Float = math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
		case features.String:
			var n uint64
			if n, err = binary.ReadUvarint(r.r); err == nil {
				if n > 1<<30 {
					return nil, errBadRecords
				}
				b := make([]byte, n)
				_, err = io.ReadFull(r.r, b)
				rec[i].Str = string(b)
			}
		case features.IntList:
			var n uint64
			if n, err = binary.ReadUvarint(r.r); err == nil {
				if n > 1<<24 {
					return nil, errBadRecords
				}
				l := make([]int64, n)
				for j := range l {
					if l[j], err = binary.ReadVarint(r.r); err != nil {
						break
					}
				}
				rec[i].List = l
			}
		}
		if err != nil {
			return nil, errBadRecords
		}
	}
	r.n++
	return rec, nil
}
