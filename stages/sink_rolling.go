package stages

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"time"

	"github.com/nfdataset/nfdataset/features"
)

// RollingSink writes a dataset that grows while a capture runs: records go
// to one part at a time, written under WorkDir (OUT/.cache/…); a part is
// complete when it holds RowsPerFile records or when Interval has passed
// since its first record, and is then fsynced, renamed to
// DIR/part-NNNNN.EXT, hashed and reported to OnPart. DIR therefore only
// ever holds finished parts. A part is opened by its first record, so an
// interval in which no record arrives writes no part; a dataset without
// any record gets one empty part at Close, for its schema.
//
// Abort (a second interrupt) removes the part being written; the finished
// parts stay where they are, complete and reported.
type RollingSink struct {
	format, dir, work, extension string
	rowsPerFile                  int64
	interval                     time.Duration
	opts                         SinkOptions

	// PartMetadata, when set, returns the key/value metadata of a part
	// just before it closes (what is known then; Parquet footers).
	PartMetadata func(part int, rows int64) map[string]string
	// OnPart is called once a part is complete under its final name; an
	// error from it fails the sink.
	OnPart func(PartFile) error
	// Now is the clock of the rotation interval (time.Now by default).
	Now func() time.Time

	schema   features.Schema
	cur      Sink
	curRows  int64
	curStart time.Time
	files    []PartFile
	rows     int64
	begun    bool
	closed   bool
	err      error
}

// PartFile is one finished part of a RollingSink.
type PartFile struct {
	Name   string // "part-00003.parquet", relative to the dataset directory
	Rows   int64
	Size   int64
	SHA256 string
}

var (
	_ Sink     = (*RollingSink)(nil)
	_ TickSink = (*RollingSink)(nil)
	_ Flusher  = (*RollingSink)(nil)
)

// TickSink is implemented by sinks that act on the wall clock: a live job
// calls Tick on every tick.
type TickSink interface {
	Tick() error
}

// NewRollingSink checks the format and options and creates dir and work.
// rowsPerFile 0 and interval 0 mean no limit of that kind.
func NewRollingSink(format, dir, work string, rowsPerFile int64, interval time.Duration, opts SinkOptions) (*RollingSink, error) {
	f, err := lookupSinkFormat(format)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", dir, err)
	}
	if err := f.validate(opts); err != nil {
		return nil, fmt.Errorf("output %s: %w", dir, err)
	}
	if rowsPerFile < 0 || interval < 0 {
		return nil, fmt.Errorf("output %s: negative rows per file or rotation interval", dir)
	}
	for _, d := range []string{dir, work} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			return nil, fmt.Errorf("output %s: %w", d, err)
		}
	}
	opts.Metadata = maps.Clone(opts.Metadata)
	return &RollingSink{format: format, dir: dir, work: work, extension: f.extension, rowsPerFile: rowsPerFile,
		interval: interval, opts: opts, Now: time.Now}, nil
}

// Begin records the schema; the first part opens with the first record.
func (r *RollingSink) Begin(schema features.Schema) error {
	if r.begun {
		return fmt.Errorf("output %s: Begin called twice", r.dir)
	}
	r.begun, r.schema = true, schema
	return nil
}

// Write adds rec to the current part, closing it first when its interval
// is over and opening a part when none is open.
func (r *RollingSink) Write(rec features.Record) error {
	switch {
	case r.err != nil:
		return r.err
	case r.closed || !r.begun:
		return fmt.Errorf("output %s: Write outside Begin…Close", r.dir)
	}
	if err := r.Tick(); err != nil {
		return err
	}
	if r.cur == nil {
		if err := r.startPart(); err != nil {
			return r.fail(err)
		}
	}
	if err := r.cur.Write(rec); err != nil {
		return r.fail(err)
	}
	r.curRows++
	r.rows++
	if r.rowsPerFile > 0 && r.curRows == r.rowsPerFile {
		return r.fail(r.finishPart())
	}
	return nil
}

// Tick closes the current part when its interval is over.
func (r *RollingSink) Tick() error {
	if r.err != nil {
		return r.err
	}
	if r.cur != nil && r.interval > 0 && r.Now().Sub(r.curStart) >= r.interval {
		return r.fail(r.finishPart())
	}
	return nil
}

// Flush hands a CSV or JSON lines part's buffered lines to its file.
func (r *RollingSink) Flush() error {
	if fl, ok := r.cur.(Flusher); ok && r.err == nil {
		return r.fail(fl.Flush())
	}
	return nil
}

// Files lists the finished parts, in order.
func (r *RollingSink) Files() []PartFile { return r.files }

// Rows counts the records written, finished parts or not.
func (r *RollingSink) Rows() int64 { return r.rows }

// Close finishes the current part (or writes an empty one when there is
// no part at all).
func (r *RollingSink) Close() error {
	if r.closed {
		return fmt.Errorf("output %s: Close called twice", r.dir)
	}
	if r.err != nil {
		return errors.Join(r.err, r.Abort())
	}
	r.closed = true
	if r.cur == nil && len(r.files) == 0 {
		if err := r.startPart(); err != nil {
			return err
		}
	}
	if r.cur != nil {
		return r.finishPart()
	}
	return nil
}

// Abort removes the part being written; finished parts stay.
func (r *RollingSink) Abort() error {
	r.closed = true
	if r.cur == nil {
		return nil
	}
	err := r.cur.Abort()
	r.cur = nil
	return err
}

func (r *RollingSink) fail(err error) error {
	if err != nil && r.err == nil {
		r.err = err
	}
	return err
}

func (r *RollingSink) startPart() error {
	name := PartName(len(r.files), r.extension)
	out, err := CreateOutput(filepath.Join(r.work, name))
	if err != nil {
		return err
	}
	sink := sinkFormats[r.format].newSink(out, r.opts)
	if err := sink.Begin(r.schema); err != nil {
		sink.Abort()
		return err
	}
	r.cur, r.curRows, r.curStart = sink, 0, r.Now()
	return nil
}

// finishPart closes the current part (its Output fsyncs it and renames it
// within the work directory), moves it into the dataset directory and
// reports it.
func (r *RollingSink) finishPart() error {
	sink := r.cur
	r.cur = nil
	n := len(r.files)
	if ms, ok := sink.(MetadataSetter); ok && r.PartMetadata != nil {
		ms.SetMetadata(r.PartMetadata(n, r.curRows))
	}
	if err := sink.Close(); err != nil {
		return err
	}
	name := PartName(n, r.extension)
	final := filepath.Join(r.dir, name)
	if err := os.Rename(filepath.Join(r.work, name), final); err != nil {
		return fmt.Errorf("output %s: %w", final, err)
	}
	if d, err := os.Open(r.dir); err == nil {
		d.Sync() // the rename itself survives a crash
		d.Close()
	}
	size, sum, err := hashPart(final)
	if err != nil {
		return err
	}
	pf := PartFile{Name: name, Rows: r.curRows, Size: size, SHA256: sum}
	r.files = append(r.files, pf)
	if r.OnPart != nil {
		return r.OnPart(pf)
	}
	return nil
}

func hashPart(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("output %s: %w", path, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
