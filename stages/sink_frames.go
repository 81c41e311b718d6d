package stages

import (
	"encoding/binary"
	"encoding/json"
	"math"

	"github.com/nfdataset/nfdataset/features"
)

// FramesMagic opens every frames stream; the version digit changes with the
// layout so that a Python package never misreads a binary of another build.
const FramesMagic = "NFDFRM1\n"

// framesEnd is the row count that ends a stream; a stream without it was cut
// short (the writer failed), which the reader reports instead of returning
// a partial capture as if it were complete.
const framesEnd = math.MaxUint64

// DefaultFrameRows is the number of records per batch of a frames stream.
const DefaultFrameRows = 4096

// FramesSink writes records as batches of Arrow columnar buffers with a
// minimal framing, for the Python package (python/nfdataset), which wraps
// each buffer without copying (pyarrow.Array.from_buffers) into an Arrow
// record batch.
//
// Layout, all integers little endian, every buffer padded to 8 bytes:
//
//	magic "NFDFRM1\n"
//	u64 n, n bytes of JSON: [{"name":…,"kind":"int|float|string|int_list","nullable":bool}, …], padding
//	batches: u64 rows, then per column its buffers, each as u64 length + bytes + padding:
//	  int, float:  validity bitmap, values (int64 / float64)
//	  string:      validity bitmap, int32 offsets (rows+1), UTF-8 data
//	  int_list:    validity bitmap, int32 offsets (rows+1), int64 values
//	u64 0xFFFFFFFFFFFFFFFF (end of stream)
//
// The validity bitmap is Arrow's (bit i set = row i present, LSB first).
// Nulls are the Null values and the empty strings of Nullable columns, as
// in the Parquet sink. Each batch is flushed, so a reader on a pipe gets the
// first flows while the capture is still being read.
//
// Why not the Arrow IPC format itself: it needs a FlatBuffers encoder for
// the schema and batch headers (or the arrow-go module); this framing
// carries the same buffers and the reader assembles the record batches.
type FramesSink struct {
	sinkCore
	batchRows int
	rows      int
	cols      []frameColumn
	buf       []byte
}

// frameColumn accumulates one column of the current batch.
type frameColumn struct {
	validity []byte
	nulls    int
	fixed    []byte  // int64 / float64 values
	offsets  []byte  // int32 offsets, strings and lists
	data     []byte  // string bytes
	values   []int64 // list elements
}

var _ Sink = (*FramesSink)(nil)

// NewFramesSink returns a sink writing a frames stream to out, batchRows
// records per batch (DefaultFrameRows when ≤ 0); Close commits out.
func NewFramesSink(out *Output, batchRows int) *FramesSink {
	if batchRows <= 0 {
		batchRows = DefaultFrameRows
	}
	return &FramesSink{sinkCore: sinkCore{format: "frames", out: out}, batchRows: batchRows}
}

type frameField struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Nullable bool   `json:"nullable"`
}

// Begin writes the magic and the schema.
func (s *FramesSink) Begin(schema features.Schema) error {
	if err := s.begin(schema); err != nil {
		return err
	}
	fields := make([]frameField, len(schema))
	for i, c := range schema {
		fields[i] = frameField{Name: c.Name, Kind: c.Kind.String(), Nullable: c.Nullable}
	}
	js, err := json.Marshal(fields)
	if err != nil {
		return s.fail(s.errorf("schema: %w", err))
	}
	b := append([]byte(FramesMagic), make([]byte, 8)...)
	binary.LittleEndian.PutUint64(b[len(FramesMagic):], uint64(len(js)))
	b = pad8(append(b, js...))
	s.cols = make([]frameColumn, len(schema))
	s.reset()
	if _, err := s.out.Write(b); err != nil {
		return s.fail(err)
	}
	return nil
}

func (s *FramesSink) reset() {
	s.rows = 0
	for i := range s.cols {
		c := &s.cols[i]
		c.validity = c.validity[:0]
		c.nulls = 0
		c.fixed = c.fixed[:0]
		c.data = c.data[:0]
		c.values = c.values[:0]
		c.offsets = binary.LittleEndian.AppendUint32(c.offsets[:0], 0)
	}
}

// Write adds one record to the batch and sends the batch when it is full.
// rec is not retained.
func (s *FramesSink) Write(rec features.Record) error {
	if err := s.checkWrite(rec); err != nil {
		return err
	}
	row := s.rows
	for i, col := range s.schema {
		c := &s.cols[i]
		v := &rec[i]
		if row%8 == 0 {
			c.validity = append(c.validity, 0)
		}
		null := v.Null || (col.Kind == features.String && col.Nullable && v.Str == "")
		if null {
			c.nulls++
		} else {
			c.validity[row/8] |= 1 << (row % 8)
		}
		switch col.Kind {
		case features.Int:
			var x int64
			if !null {
				x = v.Int
			}
			c.fixed = binary.LittleEndian.AppendUint64(c.fixed, uint64(x))
		case features.Float:
			var x float64
			if !null {
				x = v.Float
			}
			c.fixed = binary.LittleEndian.AppendUint64(c.fixed, math.Float64bits(x))
		case features.String:
			if !null {
				c.data = append(c.data, validUTF8(v.Str)...)
			}
			if len(c.data) > math.MaxInt32 {
				return s.fail(s.errorf("row %d: column %q: batch of strings over 2 GiB", s.sinkCore.rows+1, col.Name))
			}
			c.offsets = binary.LittleEndian.AppendUint32(c.offsets, uint32(len(c.data)))
		case features.IntList:
			if !null {
				c.values = append(c.values, v.List...)
			}
			c.offsets = binary.LittleEndian.AppendUint32(c.offsets, uint32(len(c.values)))
		}
	}
	s.rows++
	s.sinkCore.rows++
	if s.rows == s.batchRows {
		return s.flush()
	}
	return nil
}

// flush sends the current batch, if any.
func (s *FramesSink) flush() error {
	if s.rows == 0 {
		return nil
	}
	b := binary.LittleEndian.AppendUint64(s.buf[:0], uint64(s.rows))
	for i, col := range s.schema {
		c := &s.cols[i]
		b = appendFrameBuffer(b, c.validity)
		switch col.Kind {
		case features.Int, features.Float:
			b = appendFrameBuffer(b, c.fixed)
		case features.String:
			b = appendFrameBuffer(b, c.offsets)
			b = appendFrameBuffer(b, c.data)
		case features.IntList:
			b = appendFrameBuffer(b, c.offsets)
			b = binary.LittleEndian.AppendUint64(b, uint64(8*len(c.values)))
			for _, x := range c.values {
				b = binary.LittleEndian.AppendUint64(b, uint64(x))
			}
		}
	}
	s.buf = b
	s.reset()
	if _, err := s.out.Write(b); err != nil {
		return s.fail(err)
	}
	if err := s.out.Flush(); err != nil {
		return s.fail(err)
	}
	return nil
}

// Rows returns the number of records written.
func (s *FramesSink) Rows() int64 { return s.sinkCore.rows }

// Close sends the last batch and the end mark, then commits the output.
func (s *FramesSink) Close() error {
	return s.close(func() error {
		if err := s.flush(); err != nil {
			return err
		}
		_, err := s.out.Write(binary.LittleEndian.AppendUint64(nil, framesEnd))
		return err
	})
}

// Abort discards the output; a reader on a pipe sees no end mark.
func (s *FramesSink) Abort() error { return s.abort() }

func appendFrameBuffer(b, buf []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(buf)))
	return pad8(append(b, buf...))
}

func pad8(b []byte) []byte {
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return b
}
