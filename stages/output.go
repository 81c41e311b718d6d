package stages

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
)

// outputBufferSize is the write buffer of every Output: large enough that a
// sink issues few system calls per row group or per thousand CSV lines.
const outputBufferSize = 1 << 20

// StdoutPath is the output path that means standard output.
const StdoutPath = "-"

// outputMode says how an Output reaches its final name.
type outputMode uint8

const (
	// outputAtomic: a regular file, written under a temporary name in the same
	// directory and renamed into place by Commit, so readers never see half a
	// file and a failed run leaves the previous file untouched.
	outputAtomic outputMode = iota
	// outputDirect: a device, FIFO or socket, written in place; there is
	// nothing to rename and renaming over /dev/null would destroy it.
	outputDirect
	// outputStdout: standard output, flushed but never closed.
	outputStdout
)

// OutputError reports a failure of an output target. Sinks pass it on as is:
// it already names the path the user gave.
type OutputError struct {
	Path string
	Op   string // what failed when it is not plain I/O: "sync", "create temporary file"…
	Err  error
}

func (e *OutputError) Error() string {
	if e.Op == "" {
		return "output " + e.Path + ": " + e.Err.Error()
	}
	return "output " + e.Path + ": " + e.Op + ": " + e.Err.Error()
}

func (e *OutputError) Unwrap() error { return e.Err }

func outputError(path, op string, err error) error {
	// A PathError would name the path (or the temporary file's) a second
	// time: keep what failed and why.
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Err != nil {
		if op == "" {
			op = pe.Op
		}
		err = pe.Err
	}
	return &OutputError{Path: path, Op: op, Err: err}
}

var (
	errWriteAfterClose = errors.New("write after close")
	errAlreadyClosed   = errors.New("already closed")
)

// Output is one destination of a sink: standard output, a device, a pipe, a
// Unix socket or a regular file replaced atomically. Writes are buffered;
// nothing is final until Commit. Exactly one of Commit or Abort should be
// called; Abort after Commit (the usual deferred cleanup) does nothing. An
// Output is not safe for concurrent use.
type Output struct {
	path      string // as given by the caller, used in every error
	finalPath string // where Commit renames the temporary file (symlinks resolved)
	tempPath  string // outputAtomic only
	mode      outputMode
	file      io.WriteCloser // *os.File, or a net.Conn for a socket
	buf       *bufio.Writer
	finished  bool // flushed, synced and closed
	done      bool // published or aborted
	// deferPublish makes Commit stop after finish; the owner (a
	// PartitionedSink) calls publish once every part is complete, so that
	// a failed run publishes none of them.
	deferPublish bool
}

// CreateOutput opens path for writing. "-" (or /dev/stdout) is standard
// output. A regular file, or a name that does not exist yet, is written
// under a temporary name (".NAME.tmp-RANDOM") in the same directory and only
// appears under its own name on Commit. Character and block devices and
// FIFOs are written directly; a Unix socket is connected to (stream). A
// directory is an error.
func CreateOutput(path string) (*Output, error) {
	// /dev/stdout is a link to whatever fd 1 is, which open(2) cannot
	// reopen when it is a socket, and which a rename must never replace.
	if path == StdoutPath || path == "/dev/stdout" {
		return &Output{
			path: path,
			mode: outputStdout,
			file: os.Stdout,
			buf:  bufio.NewWriterSize(os.Stdout, outputBufferSize),
		}, nil
	}
	if path == "" {
		return nil, errors.New(`output "": empty path`)
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return createAtomicOutput(path, path, 0o666)
	case err != nil:
		return nil, outputError(path, "", err)
	case info.IsDir():
		return nil, outputError(path, "", errors.New("is a directory"))
	case info.Mode()&fs.ModeSocket != 0:
		conn, err := net.Dial("unix", path)
		if err != nil {
			return nil, outputError(path, "", err)
		}
		return directOutput(path, conn), nil
	case info.Mode().IsRegular():
		// Rename the temporary file over the symlink's target, not over the
		// symlink itself, so that a link into another directory keeps working.
		finalPath, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, outputError(path, "", err)
		}
		return createAtomicOutput(path, finalPath, info.Mode().Perm())
	default:
		// O_TRUNC is harmless on devices and pipes and avoids surprises if the
		// node is replaced by a regular file between Stat and Open.
		file, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return nil, outputError(path, "", err)
		}
		return directOutput(path, file), nil
	}
}

// directOutput writes w in place: a device, a pipe or a socket.
func directOutput(path string, w io.WriteCloser) *Output {
	return &Output{
		path:      path,
		finalPath: path,
		mode:      outputDirect,
		file:      w,
		buf:       bufio.NewWriterSize(w, outputBufferSize),
	}
}

// createAtomicOutput creates a fresh temporary file next to finalPath. The
// name is random so that concurrent runs writing the same target do not
// clobber each other's temporary files, and hidden so that globs such as
// part-*.parquet never pick up a half-written file.
func createAtomicOutput(path, finalPath string, perm fs.FileMode) (*Output, error) {
	dir, base := filepath.Split(finalPath)
	for attempt := 0; ; attempt++ {
		tempPath := filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64(), 36))
		// O_EXCL: never reuse somebody else's file. The mode goes through the
		// umask like any newly created file (os.CreateTemp would force 0600).
		file, err := os.OpenFile(tempPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) && attempt < 10 {
			continue
		}
		if err != nil {
			return nil, outputError(path, "create temporary file", err)
		}
		return &Output{
			path:      path,
			finalPath: finalPath,
			tempPath:  tempPath,
			mode:      outputAtomic,
			file:      file,
			buf:       bufio.NewWriterSize(file, outputBufferSize),
		}, nil
	}
}

// Path returns the path the Output was created with.
func (o *Output) Path() string { return o.path }

// Write buffers p. Errors name the path.
func (o *Output) Write(p []byte) (int, error) {
	if o.finished || o.done {
		return 0, outputError(o.path, "", errWriteAfterClose)
	}
	n, err := o.buf.Write(p)
	if err != nil {
		return n, outputError(o.path, "", err)
	}
	return n, nil
}

// WriteString buffers s without converting it to a byte slice.
func (o *Output) WriteString(s string) (int, error) {
	if o.finished || o.done {
		return 0, outputError(o.path, "", errWriteAfterClose)
	}
	n, err := o.buf.WriteString(s)
	if err != nil {
		return n, outputError(o.path, "", err)
	}
	return n, nil
}

// Flush sends the buffered bytes on, so a reader at the other end of a pipe
// sees them now (streaming sinks flush after each batch). For a regular file
// the data stays under the temporary name until Commit.
func (o *Output) Flush() error {
	if o.finished || o.done {
		return outputError(o.path, "", errWriteAfterClose)
	}
	if err := o.buf.Flush(); err != nil {
		return outputError(o.path, "", err)
	}
	return nil
}

// Commit flushes the buffer and, for a regular file, syncs it to disk,
// renames it into place and syncs the directory. On failure the temporary
// file is removed and the previous content of the path is left untouched.
func (o *Output) Commit() error {
	if o.done {
		return outputError(o.path, "", errAlreadyClosed)
	}
	if err := o.finish(); err != nil {
		o.discard()
		return err
	}
	if o.deferPublish {
		return nil
	}
	return o.publish()
}

// Abort discards everything written: the temporary file of a regular file is
// closed and removed. Data already sent to standard output, a device or a pipe
// cannot be taken back. Abort after Commit or Abort does nothing.
func (o *Output) Abort() error {
	if o.done {
		return nil
	}
	return o.discard()
}

// finish flushes, syncs and closes the file but does not rename it yet, so a
// PartitionedSink can publish all its parts together at the very end. The
// file is closed even when flushing fails.
func (o *Output) finish() error {
	if o.finished {
		return nil
	}
	o.finished = true
	if err := o.buf.Flush(); err != nil {
		if o.mode != outputStdout {
			o.file.Close()
		}
		return outputError(o.path, "", err)
	}
	switch o.mode {
	case outputStdout:
		return nil
	case outputAtomic:
		// The data must be on disk before the rename makes it visible, or a
		// crash could leave a complete-looking name over an empty file.
		if err := o.file.(*os.File).Sync(); err != nil {
			o.file.Close()
			return outputError(o.path, "sync", err)
		}
	}
	if err := o.file.Close(); err != nil {
		return outputError(o.path, "", err)
	}
	return nil
}

// publish renames a finished temporary file into place.
func (o *Output) publish() error {
	if o.done {
		return outputError(o.path, "", errAlreadyClosed)
	}
	o.done = true
	if o.mode != outputAtomic {
		return nil
	}
	if err := os.Rename(o.tempPath, o.finalPath); err != nil {
		os.Remove(o.tempPath)
		return outputError(o.path, "", err)
	}
	syncDir(filepath.Dir(o.finalPath))
	return nil
}

// discard closes and removes whatever is not yet published.
func (o *Output) discard() error {
	o.done = true
	var err error
	if !o.finished {
		o.finished = true
		// Standard output stays open for the rest of the program; what is
		// still buffered for it is dropped.
		if o.mode != outputStdout {
			err = o.file.Close()
		}
	}
	if o.mode == outputAtomic {
		if rmErr := os.Remove(o.tempPath); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			return outputError(o.path, "remove temporary file", rmErr)
		}
		return nil
	}
	if err != nil && !errors.Is(err, os.ErrClosed) {
		return outputError(o.path, "", err)
	}
	return nil
}

// syncDir makes a rename in dir durable. It is best effort: some file
// systems refuse to sync directories, and the data itself is already synced.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
