package stages

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"

	"github.com/nfdataset/nfdataset/features"
)

// PartitionedSink writes a dataset directory: DIR/part-00000.EXT,
// part-00001.EXT … (EXT from the format: .parquet, .csv, .jsonl), starting a
// new file every RowsPerFile records (never, when it is 0). Each part is a
// complete file of its format, with the header (CSV) or schema (Parquet);
// part-00000 is written even when there are no records, so that readers
// still find the schema.
//
// Parts are written under temporary names and all renamed into place by
// Close, so Abort, or any error, leaves none of them behind, and an earlier
// dataset in DIR stays intact until the new one is complete. Parts of an
// earlier, longer run with higher numbers are not removed: give the sink an
// empty or fresh directory.
type PartitionedSink struct {
	format      string
	dir         string
	extension   string
	rowsPerFile int64
	opts        SinkOptions

	schema    features.Schema
	current   Sink // the part being written; nil before Begin
	parts     []*Output
	partRows  int64 // records in the current part
	totalRows int64
	files     []string // published parts, after Close
	hold      bool     // HoldFooters
	held      []Sink   // finished parts whose footers wait for Close
	begun     bool
	closed    bool
	err       error
}

var (
	_ Sink           = (*PartitionedSink)(nil)
	_ MetadataSetter = (*PartitionedSink)(nil)
)

// NewPartitionedSink checks the format and options and creates dir (and its
// parents) if needed. rowsPerFile 0 means a single part.
func NewPartitionedSink(format, dir string, rowsPerFile int64, opts SinkOptions) (*PartitionedSink, error) {
	f, err := lookupSinkFormat(format)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", dir, err)
	}
	if err := f.validate(opts); err != nil {
		return nil, fmt.Errorf("output %s: %w", dir, err)
	}
	switch {
	case rowsPerFile < 0:
		return nil, fmt.Errorf("output %s: negative rows per file %d", dir, rowsPerFile)
	case dir == StdoutPath || dir == "":
		return nil, fmt.Errorf("output %q: a partitioned dataset needs a directory", dir)
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, fmt.Errorf("output %s: %w", dir, err)
	}
	// Our own copy: SetMetadata adds to it, and the caller's map stays as is.
	opts.Metadata = maps.Clone(opts.Metadata)
	if opts.Metadata == nil {
		opts.Metadata = map[string]string{}
	}
	return &PartitionedSink{
		format:      format,
		dir:         dir,
		extension:   f.extension,
		rowsPerFile: rowsPerFile,
		opts:        opts,
	}, nil
}

// PartName returns the file name of part n: "part-00042.parquet".
func PartName(n int, extension string) string {
	return fmt.Sprintf("part-%05d%s", n, extension)
}

// SetMetadata adds key/value pairs to the Parquet footer of the part being
// written and of every later part. Parts already complete keep the metadata
// they had, unless HoldFooters was called: to have a key in every part, set
// it before the first Write, or hold the footers.
func (p *PartitionedSink) SetMetadata(kv map[string]string) {
	maps.Copy(p.opts.Metadata, kv)
	if ms, ok := p.current.(MetadataSetter); ok {
		ms.SetMetadata(kv)
	}
	for _, s := range p.held {
		s.(MetadataSetter).SetMetadata(kv)
	}
}

// HoldFooters keeps every Parquet part open, its rows written but not its
// footer, until Close, so that metadata known only after the last row (row
// counts, digests) can still reach every part through SetMetadata. Each
// held part keeps a file descriptor open. Call it before Begin.
func (p *PartitionedSink) HoldFooters() { p.hold = true }

// Begin opens the first part.
func (p *PartitionedSink) Begin(schema features.Schema) error {
	switch {
	case p.closed:
		return fmt.Errorf("output %s: Begin after Close", p.dir)
	case p.begun:
		return fmt.Errorf("output %s: Begin called twice", p.dir)
	}
	p.begun = true
	p.schema = schema
	return p.fail(p.startPart())
}

// Write adds rec to the current part, first starting a new part when the
// current one is full.
func (p *PartitionedSink) Write(rec features.Record) error {
	switch {
	case p.err != nil:
		return p.err
	case p.closed:
		return fmt.Errorf("output %s: Write after Close", p.dir)
	case !p.begun:
		return fmt.Errorf("output %s: Write before Begin", p.dir)
	}
	if p.rowsPerFile > 0 && p.partRows == p.rowsPerFile {
		if err := p.finishPart(); err != nil {
			return p.fail(err)
		}
		if err := p.startPart(); err != nil {
			return p.fail(err)
		}
	}
	if err := p.current.Write(rec); err != nil {
		return p.fail(err)
	}
	p.partRows++
	p.totalRows++
	return nil
}

// Rows returns the number of records written over all parts.
func (p *PartitionedSink) Rows() int64 { return p.totalRows }

// Files returns the paths of the parts, in order, once Close succeeded.
func (p *PartitionedSink) Files() []string { return p.files }

// Close completes the last part and renames every part into place.
func (p *PartitionedSink) Close() error {
	if p.closed {
		return fmt.Errorf("output %s: Close called twice", p.dir)
	}
	if p.err == nil && !p.begun {
		p.err = fmt.Errorf("output %s: Close before Begin", p.dir)
	}
	if p.err != nil {
		return errors.Join(p.err, p.Abort())
	}
	p.closed = true
	if err := p.finishPart(); err != nil {
		return errors.Join(err, p.Abort())
	}
	for len(p.held) > 0 {
		s := p.held[0]
		p.held = p.held[1:]
		if err := s.Close(); err != nil {
			for _, rest := range p.held {
				rest.Abort()
			}
			p.held = nil
			return errors.Join(err, p.Abort())
		}
	}
	files := make([]string, 0, len(p.parts))
	for i, out := range p.parts {
		if err := out.publish(); err != nil {
			// The parts already renamed cannot be taken back; remove the
			// rest so the directory holds no temporary files.
			for _, rest := range p.parts[i+1:] {
				rest.Abort()
			}
			return err
		}
		files = append(files, out.finalPath)
	}
	p.files = files
	return nil
}

// Abort removes every part written so far; nothing is published.
func (p *PartitionedSink) Abort() error {
	p.closed = true
	var errs []error
	if p.current != nil {
		errs = append(errs, p.current.Abort())
		p.current = nil
	}
	for _, s := range p.held {
		errs = append(errs, s.Abort())
	}
	p.held = nil
	for _, out := range p.parts {
		errs = append(errs, out.Abort())
	}
	return errors.Join(errs...)
}

func (p *PartitionedSink) fail(err error) error {
	if err != nil && p.err == nil {
		p.err = err
	}
	return err
}

// startPart opens the next part and writes its header or prepares its
// schema.
func (p *PartitionedSink) startPart() error {
	path := filepath.Join(p.dir, PartName(len(p.parts), p.extension))
	out, err := CreateOutput(path)
	if err != nil {
		return err
	}
	out.deferPublish = true
	p.parts = append(p.parts, out)
	sink := sinkFormats[p.format].newSink(out, p.opts)
	p.current = sink
	p.partRows = 0
	return sink.Begin(p.schema)
}

// finishPart closes the current part's sink; its file stays under its
// temporary name until Close publishes every part.
func (p *PartitionedSink) finishPart() error {
	sink := p.current
	p.current = nil
	if ps, ok := sink.(*ParquetSink); ok && p.hold && !p.closed {
		if err := ps.suspend(); err != nil {
			ps.Abort()
			return err
		}
		p.held = append(p.held, ps)
		return nil
	}
	return sink.Close()
}
