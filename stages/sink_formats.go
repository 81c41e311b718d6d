package stages

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/nfdataset/nfdataset/features"
)

// SinkOptions tunes a sink. The zero value is the default for every format;
// CSV and JSON lines ignore the Parquet fields.
type SinkOptions struct {
	// Compression of Parquet pages: "zstd" (default when empty), "snappy",
	// "gzip" or "none".
	Compression string
	// RowGroupRows is the number of rows per Parquet row group; 0 means
	// DefaultRowGroupRows.
	RowGroupRows int64
	// RowGroupBytes ends a Parquet row group early when the plain size of
	// its values reaches it; 0 means DefaultRowGroupBytes.
	RowGroupBytes int64
	// Metadata goes into the Parquet footer's key/value metadata (keys
	// sorted); more can be added with SetMetadata until Close.
	Metadata map[string]string
	// CreatedBy is the Parquet footer's created_by; empty means
	// DefaultCreatedBy. It must not vary between runs (determinism).
	CreatedBy string
}

// MetadataSetter is the optional ability of a sink to carry key/value
// metadata (provenance) in its files. SetMetadata may be called any time
// before Close; later calls add keys and replace the values of known ones.
type MetadataSetter interface {
	SetMetadata(kv map[string]string)
}

// sinkFormat describes one output format: the extension of its files and how
// to build a sink over an open Output.
type sinkFormat struct {
	extension string
	validate  func(opts SinkOptions) error
	newSink   func(out *Output, opts SinkOptions) Sink
}

// sinkFormats is the registry of output formats, read-only after init.
var sinkFormats = map[string]sinkFormat{
	"csv": {
		extension: ".csv",
		validate:  func(SinkOptions) error { return nil },
		newSink:   func(out *Output, _ SinkOptions) Sink { return NewCSVSink(out) },
	},
	"jsonl": {
		extension: ".jsonl",
		validate:  func(SinkOptions) error { return nil },
		newSink:   func(out *Output, _ SinkOptions) Sink { return NewJSONLinesSink(out) },
	},
	"parquet": {
		extension: ".parquet",
		validate:  validateParquetOptions,
		newSink:   func(out *Output, opts SinkOptions) Sink { return newParquetSink(out, opts) },
	},
}

// SinkFormats lists the output format names, sorted.
func SinkFormats() []string {
	return slices.Sorted(maps.Keys(sinkFormats))
}

// FormatExtension returns the file extension of a format (".parquet") or an
// error for an unknown format.
func FormatExtension(format string) (string, error) {
	f, err := lookupSinkFormat(format)
	if err != nil {
		return "", err
	}
	return f.extension, nil
}

func lookupSinkFormat(format string) (sinkFormat, error) {
	f, ok := sinkFormats[format]
	if !ok {
		return sinkFormat{}, fmt.Errorf("unknown output format %q (want one of %v)", format, SinkFormats())
	}
	return f, nil
}

// NewSink opens path (see CreateOutput: "-" is standard output, regular
// files are replaced atomically on Close) and returns a sink writing format
// "csv", "jsonl" or "parquet" to it. The caller must call Close or Abort.
func NewSink(format, path string, opts SinkOptions) (Sink, error) {
	f, err := lookupSinkFormat(format)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", path, err)
	}
	if err := f.validate(opts); err != nil {
		return nil, fmt.Errorf("output %s: %w", path, err)
	}
	out, err := CreateOutput(path)
	if err != nil {
		return nil, err
	}
	return f.newSink(out, opts), nil
}

// sinkCore holds what every sink shares: the output, the schema and the
// life cycle (Begin once, Write, then Close or Abort). The first error is
// kept: a sink that failed never publishes its file, so Close returns the
// error and removes the temporary file.
type sinkCore struct {
	format string // "csv", "jsonl", "parquet": for error messages
	out    *Output
	schema features.Schema
	rows   int64
	begun  bool
	closed bool
	err    error
}

// Flusher is implemented by sinks that can hand what they buffered to
// their output mid-stream (CSV and JSON lines): a live job flushes on
// every tick, so a reader of a pipe sees flows as they expire.
type Flusher interface {
	Flush() error
}

// Flush writes the buffered lines to the output.
func (s *sinkCore) Flush() error {
	if !s.begun || s.closed || s.err != nil {
		return nil
	}
	if err := s.out.buf.Flush(); err != nil {
		return s.fail(err)
	}
	return nil
}

// errorf formats an error naming the sink's format and path; %w wraps.
func (c *sinkCore) errorf(format string, args ...any) error {
	return fmt.Errorf("%s sink %s: "+format, append([]any{c.format, c.out.Path()}, args...)...)
}

// wrap adds the sink's context to err, unless err comes from the output
// and already names the path.
func (c *sinkCore) wrap(err error) error {
	if _, ok := errors.AsType[*OutputError](err); ok {
		return err
	}
	return c.errorf("%w", err)
}

// begin checks the schema and records it.
func (c *sinkCore) begin(schema features.Schema) error {
	switch {
	case c.closed:
		return c.errorf("Begin after Close or Abort")
	case c.begun:
		return c.fail(c.errorf("Begin called twice"))
	}
	if len(schema) == 0 {
		return c.fail(c.errorf("empty schema"))
	}
	seen := make(map[string]bool, len(schema))
	for i, col := range schema {
		if col.Name == "" {
			return c.fail(c.errorf("column %d has no name", i))
		}
		if seen[col.Name] {
			return c.fail(c.errorf("duplicate column %q", col.Name))
		}
		seen[col.Name] = true
		if col.Kind > features.IntList {
			return c.fail(c.errorf("column %q: unknown kind %d", col.Name, col.Kind))
		}
	}
	c.begun = true
	c.schema = slices.Clone(schema) // the caller may reuse its slice
	return nil
}

// checkWrite is called at the start of every Write.
func (c *sinkCore) checkWrite(rec features.Record) error {
	switch {
	case c.err != nil:
		return c.err
	case c.closed:
		return c.errorf("Write after Close or Abort")
	case !c.begun:
		return c.errorf("Write before Begin")
	case len(rec) != len(c.schema):
		return c.fail(c.errorf("row %d: %d values for %d columns", c.rows+1, len(rec), len(c.schema)))
	}
	return nil
}

// fail records the first error; the sink will not publish its file.
func (c *sinkCore) fail(err error) error {
	if c.err == nil {
		c.err = err
	}
	return err
}

// close runs finish (the format's trailer) and commits the output, or
// discards it if anything failed on the way.
func (c *sinkCore) close(finish func() error) error {
	if c.closed {
		return c.errorf("Close after Close or Abort")
	}
	c.closed = true
	if c.err == nil && !c.begun {
		c.err = c.errorf("Close before Begin")
	}
	if c.err == nil && finish != nil {
		c.err = finish()
	}
	if c.err != nil {
		return errors.Join(c.err, c.out.Abort())
	}
	return c.out.Commit()
}

func (c *sinkCore) abort() error {
	c.closed = true
	return c.out.Abort()
}
