package stages

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"github.com/nfdataset/nfdataset/features"
)

const (
	// DefaultRowGroupRows keeps row groups big enough for efficient scans and
	// column statistics, yet small enough that readers can split a file and
	// that the writer's compressed pages (held in memory until the row group
	// is flushed) stay at a few tens of megabytes.
	DefaultRowGroupRows = 128 * 1024

	// DefaultCreatedBy is written as the footer's created_by. parquet-go's
	// own default reads the version from the build information, which
	// differs between a test binary, a release build and a build with a
	// replace directive; a constant keeps files byte-identical across builds.
	// TestParquetCreatedByMatchesModule keeps the version in step with go.mod.
	DefaultCreatedBy = "parquet-go version 0.32.0 (nfdataset)"

	// parquetDictionaryMaxBytes bounds a string column's dictionary per row
	// group; past it (hashes, unique names) the column falls back to PLAIN
	// pages instead of growing a dictionary nobody benefits from.
	parquetDictionaryMaxBytes = 1 << 20

	// DefaultRowGroupBytes ends a row group before DefaultRowGroupRows when
	// its values (plain, before encoding) reach this size: the usual Parquet
	// block size, and a bound on what a reader must hold to decode a group.
	DefaultRowGroupBytes = 128 << 20

	// parquetBatchRows is how many rows are handed to parquet-go at once:
	// its writer takes at most 64 rows per step, and batching amortises its
	// per-column work over them.
	parquetBatchRows = 64
)

// parquetCodecs maps SinkOptions.Compression to parquet-go codecs.
var parquetCodecs = map[string]compress.Codec{
	"":       &parquet.Zstd,
	"zstd":   &parquet.Zstd,
	"snappy": &parquet.Snappy,
	"gzip":   &parquet.Gzip,
	"none":   &parquet.Uncompressed,
}

func validateParquetOptions(opts SinkOptions) error {
	if _, ok := parquetCodecs[opts.Compression]; !ok {
		return fmt.Errorf("unknown parquet compression %q (want zstd, snappy, gzip or none)", opts.Compression)
	}
	if opts.RowGroupRows < 0 || opts.RowGroupBytes < 0 {
		return fmt.Errorf("negative parquet row group size (%d rows, %d bytes)", opts.RowGroupRows, opts.RowGroupBytes)
	}
	return nil
}

// ParquetSink writes a Parquet file whose schema is built from the
// features.Schema given to Begin, columns in the same order:
//
//	Int     → INT64, required (optional when Nullable)
//	Float   → DOUBLE, required (optional when Nullable)
//	String  → BYTE_ARRAY with the String logical type, dictionary encoded;
//	          optional when Nullable, and then an empty string is null
//	IntList → LIST<INT64>, the standard three-level list
//	          (group (LIST) { repeated group list { required int64 element } })
//
// A Null value is null in an optional column and an error in a required one.
// Invalid UTF-8 in strings is replaced as in the other sinks (validUTF8).
// The output is a pure function of the records, the options and the
// metadata: no timestamps, a fixed created_by, metadata keys sorted.
type ParquetSink struct {
	sinkCore
	opts     SinkOptions
	codec    compress.Codec
	metadata map[string]string
	writer   *parquet.Writer
	batch    []parquet.Row // rows not yet handed to writer
	pending  int           // rows of batch in use
	// The sink ends row groups itself (parquet-go's own limit would not
	// see groupBytes): after rowGroupRows rows, or earlier when groupBytes,
	// the plain size of its values, says the rows are wide.
	rowGroupRows  int64
	rowGroupBytes int64
	groupRows     int64
	groupBytes    int64
}

var (
	_ Sink           = (*ParquetSink)(nil)
	_ MetadataSetter = (*ParquetSink)(nil)
)

// NewParquetSink returns a sink writing Parquet to out; Close commits out.
// Invalid options are reported here (and out is aborted).
func NewParquetSink(out *Output, opts SinkOptions) (*ParquetSink, error) {
	if err := validateParquetOptions(opts); err != nil {
		return nil, errors.Join(fmt.Errorf("output %s: %w", out.Path(), err), out.Abort())
	}
	return newParquetSink(out, opts), nil
}

// newParquetSink trusts opts to have been validated.
func newParquetSink(out *Output, opts SinkOptions) *ParquetSink {
	s := &ParquetSink{
		sinkCore: sinkCore{format: "parquet", out: out},
		opts:     opts,
		codec:    parquetCodecs[opts.Compression],
		metadata: make(map[string]string, len(opts.Metadata)),
	}
	maps.Copy(s.metadata, opts.Metadata)
	return s
}

// SetMetadata adds key/value pairs to the footer; it may be called until
// Close.
func (s *ParquetSink) SetMetadata(kv map[string]string) {
	maps.Copy(s.metadata, kv)
}

// Begin builds the Parquet schema and the writer.
func (s *ParquetSink) Begin(schema features.Schema) error {
	if err := s.begin(schema); err != nil {
		return err
	}
	if len(schema) > parquet.MaxColumnIndex+1 {
		// parquet-go panics on a larger column index.
		return s.fail(s.errorf("%d columns, at most %d fit in a Parquet file", len(schema), parquet.MaxColumnIndex+1))
	}
	s.rowGroupRows = cmp.Or(s.opts.RowGroupRows, DefaultRowGroupRows)
	s.rowGroupBytes = cmp.Or(s.opts.RowGroupBytes, DefaultRowGroupBytes)
	createdBy := cmp.Or(s.opts.CreatedBy, DefaultCreatedBy)
	config, err := parquet.NewWriterConfig(
		parquetSchemaOf(schema),
		parquet.Compression(s.codec),
		parquet.DictionaryMaxBytes(parquetDictionaryMaxBytes),
		// CreatedBy (the option) would format its own string; the config
		// field takes ours verbatim.
		&parquet.WriterConfig{CreatedBy: createdBy},
	)
	if err != nil {
		return s.fail(s.errorf("writer configuration: %w", err))
	}
	s.writer = parquet.NewWriter(s.out, config)
	s.batch = make([]parquet.Row, parquetBatchRows)
	for i := range s.batch {
		s.batch[i] = make(parquet.Row, 0, len(schema))
	}
	return nil
}

// Write converts rec to a Parquet row. Strings are referenced, not copied,
// until the batch is written (Go strings are immutable, so this is safe even
// if the caller reuses rec); lists are copied.
func (s *ParquetSink) Write(rec features.Record) error {
	if err := s.checkWrite(rec); err != nil {
		return err
	}
	row := s.batch[s.pending][:0]
	for i := range s.schema {
		var err error
		row, err = appendParquetValues(row, i, &s.schema[i], &rec[i])
		if err != nil {
			return s.fail(s.errorf("row %d: %w", s.rows+1, err))
		}
	}
	s.batch[s.pending] = row
	s.pending++
	s.rows++
	s.groupRows++
	s.groupBytes += parquetRowBytes(row)
	if s.groupRows == s.rowGroupRows || s.groupBytes >= s.rowGroupBytes {
		return s.endRowGroup()
	}
	if s.pending == len(s.batch) {
		return s.flushBatch()
	}
	return nil
}

// parquetRowBytes is the plain size of a row's values: 8 bytes for each
// number and each null or list element, the length of each string.
func parquetRowBytes(row parquet.Row) int64 {
	n := int64(0)
	for i := range row {
		if row[i].Kind() == parquet.ByteArray {
			n += int64(len(row[i].ByteArray()))
		} else {
			n += 8
		}
	}
	return n
}

// endRowGroup writes the current row group out. Where groups end depends
// only on the data, so the output stays deterministic.
func (s *ParquetSink) endRowGroup() error {
	if err := s.flushBatch(); err != nil {
		return err
	}
	s.groupRows, s.groupBytes = 0, 0
	if err := s.writer.Flush(); err != nil {
		return s.fail(s.wrap(err))
	}
	return nil
}

func (s *ParquetSink) flushBatch() error {
	rows := s.batch[:s.pending]
	s.pending = 0
	if len(rows) == 0 {
		return nil
	}
	_, err := s.writer.WriteRows(rows)
	// Drop the string references so the batch does not keep records alive.
	for i := range rows {
		clear(rows[i])
	}
	if err != nil {
		return s.fail(s.wrap(err))
	}
	return nil
}

// Rows returns the number of records written.
func (s *ParquetSink) Rows() int64 { return s.rows }

// Close writes the last rows, the metadata and the footer, then commits the
// file.
func (s *ParquetSink) Close() error {
	return s.close(func() error {
		if err := s.flushBatch(); err != nil {
			return err
		}
		// Sorted keys: map order would make the footer differ run to run.
		for _, key := range slices.Sorted(maps.Keys(s.metadata)) {
			s.writer.SetKeyValueMetadata(key, s.metadata[key])
		}
		if err := s.writer.Close(); err != nil {
			return s.wrap(err)
		}
		return nil
	})
}

// Abort discards the file.
func (s *ParquetSink) Abort() error { return s.abort() }

// suspend writes out the rows held in memory, leaving only the footer for
// Close: a part held open until its metadata is known costs a file
// descriptor, not a row group of memory. The bytes written are those Close
// alone would write.
func (s *ParquetSink) suspend() error {
	if s.err != nil || s.groupRows == 0 {
		return s.err
	}
	return s.endRowGroup()
}

// appendParquetValues appends the leaf values of one cell. Column i has
// exactly one leaf, so its leaf index is i.
func appendParquetValues(row parquet.Row, i int, col *features.Column, v *features.Value) (parquet.Row, error) {
	// Definition level of a present value: 1 more when the column is
	// optional (and, for lists, 1 more for the repeated level).
	present := 0
	if col.Nullable {
		present = 1
	}
	null := v.Null || (col.Kind == features.String && col.Nullable && v.Str == "")
	if null {
		if !col.Nullable {
			return row, fmt.Errorf("column %q: null in a column that is not Nullable", col.Name)
		}
		return append(row, parquet.NullValue().Level(0, 0, i)), nil
	}
	switch col.Kind {
	case features.Int:
		return append(row, parquet.Int64Value(v.Int).Level(0, present, i)), nil
	case features.Float:
		return append(row, parquet.DoubleValue(v.Float).Level(0, present, i)), nil
	case features.String:
		return append(row, parquet.ByteArrayValue(stringBytes(validUTF8(v.Str))).Level(0, present, i)), nil
	case features.IntList:
		if len(v.List) == 0 {
			// An empty list: defined down to the list group, no element.
			return append(row, parquet.NullValue().Level(0, present, i)), nil
		}
		for j, e := range v.List {
			repetition := 1
			if j == 0 {
				repetition = 0 // a new list starts
			}
			row = append(row, parquet.Int64Value(e).Level(repetition, present+1, i))
		}
		return row, nil
	}
	return row, fmt.Errorf("column %q: unknown kind %d", col.Name, col.Kind)
}

// stringBytes views s as bytes without copying. parquet-go only reads the
// bytes of a value (it copies them into its column buffers), never writes
// them, so the string's immutability is kept.
func stringBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// parquetSchemaOf builds the Parquet schema of a features.Schema.
func parquetSchemaOf(schema features.Schema) *parquet.Schema {
	fields := make([]parquet.Field, len(schema))
	for i, col := range schema {
		var node parquet.Node
		switch col.Kind {
		case features.Int:
			node = parquet.Leaf(parquet.Int64Type)
		case features.Float:
			node = parquet.Leaf(parquet.DoubleType)
		case features.String:
			// Addresses, MACs, application names repeat a lot: a dictionary
			// makes them small and fast to filter.
			node = parquet.Encoded(parquet.String(), &parquet.RLEDictionary)
		case features.IntList:
			node = parquet.List(parquet.Leaf(parquet.Int64Type))
		}
		if col.Nullable {
			node = parquet.Optional(node)
		} else {
			node = parquet.Required(node)
		}
		fields[i] = namedField{Node: node, name: col.Name}
	}
	return parquet.NewSchema("schema", orderedGroup{fields: fields})
}

// orderedGroup is a Parquet group whose fields keep the order they were given
// in: parquet.Group is a map and sorts its fields by name, which would lose
// NFStream's column order.
type orderedGroup struct {
	// The embedded (empty) Group provides the group behaviour: group type,
	// required, not a leaf, no encoding or compression of its own.
	parquet.Group
	fields []parquet.Field
}

func (g orderedGroup) Fields() []parquet.Field { return g.fields }

func (g orderedGroup) String() string {
	s := "group {"
	for _, f := range g.fields {
		s += " " + f.Name() + ": " + f.String() + ";"
	}
	return s + " }"
}

// GoType describes a row as a map: column names such as "udps.x" are not Go
// identifiers, and rows are built as parquet.Row anyway.
func (g orderedGroup) GoType() reflect.Type { return reflect.TypeFor[map[string]any]() }

// namedField names a node within an orderedGroup.
type namedField struct {
	parquet.Node
	name string
}

func (f namedField) Name() string { return f.name }

// Value looks the field up in a map-shaped row (see orderedGroup.GoType).
func (f namedField) Value(base reflect.Value) reflect.Value {
	if base.Kind() == reflect.Interface {
		base = base.Elem()
	}
	if base.Kind() != reflect.Map {
		return reflect.Value{}
	}
	return base.MapIndex(reflect.ValueOf(f.name))
}
