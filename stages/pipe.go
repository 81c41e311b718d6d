package stages

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// A pipe (standard input from `tcpdump -w - |`, a FIFO) may stay silent for
// as long as its writer likes, so reading one must wait, yet a signal must
// still stop the read. Regular files never block for long and take the
// plain path.

// OpenFilesContext is OpenFiles for inputs that may be pipes or FIFOs:
// opening a FIFO with no writer and reading a pipe whose writer is idle both
// wait until data comes or ctx is done; then they fail with an error that
// wraps ctx's error.
func OpenFilesContext(ctx context.Context, paths []string) (Source, error) {
	return openFiles(ctx, paths, nil)
}

// openInput opens path ("-": standard input) for reading; for a pipe the
// reader honours ctx.
func openInput(ctx context.Context, path string) (io.Reader, io.Closer, error) {
	if path == "-" {
		st, err := os.Stdin.Stat()
		if err != nil || st.Mode()&fs.ModeNamedPipe == 0 || ctx.Done() == nil {
			return os.Stdin, nil, nil
		}
		// A non-blocking descriptor joins Go's poller, so a read deadline
		// can end a read that waits. The mode is restored on close: the
		// descriptor may be shared with the parent process.
		fd := int(os.Stdin.Fd())
		if err := syscall.SetNonblock(fd, true); err != nil {
			return os.Stdin, nil, nil
		}
		f := os.NewFile(uintptr(fd), "standard input")
		r := newCtxReader(ctx, f, "standard input")
		return r, closerFunc(func() error {
			r.stop()
			return syscall.SetNonblock(fd, false)
		}), nil
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode()&fs.ModeNamedPipe == 0 || ctx.Done() == nil {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		return f, f, nil
	}
	f, err := openFIFO(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	r := newCtxReader(ctx, f, path)
	return r, closerFunc(func() error {
		r.stop()
		return f.Close()
	}), nil
}

// openFIFO opens a FIFO for reading, which blocks until a writer opens it.
// The open runs aside; if ctx ends first, opening the FIFO for writing
// ourselves lets the pending open return, and both ends are closed.
func openFIFO(ctx context.Context, path string) (*os.File, error) {
	type result struct {
		f   *os.File
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := os.Open(path)
		done <- result{f, err}
	}()
	select {
	case r := <-done:
		return r.f, r.err
	case <-ctx.Done():
	}
	if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		defer w.Close()
	}
	select {
	case r := <-done:
		if r.f != nil {
			r.f.Close()
		}
	case <-time.After(time.Second):
		// The open did not return (it cannot on a system whose FIFOs refuse
		// the non-blocking writer); the goroutine ends with the process.
	}
	return nil, fmt.Errorf("open %s: waiting for a writer: %w", path, context.Cause(ctx))
}

// ctxReader reads a pollable file until ctx is done: then a deadline in the
// past ends the pending read and Read reports ctx's error.
type ctxReader struct {
	ctx  context.Context
	f    *os.File
	name string
	stop func() bool
}

func newCtxReader(ctx context.Context, f *os.File, name string) *ctxReader {
	r := &ctxReader{ctx: ctx, f: f, name: name}
	r.stop = context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Now()) })
	return r
}

func (r *ctxReader) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	if err != nil && r.ctx.Err() != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		return n, fmt.Errorf("read %s: %w", r.name, context.Cause(r.ctx))
	}
	return n, err
}

type closerFunc func() error

func (c closerFunc) Close() error { return c() }
