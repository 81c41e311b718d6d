package stages

import (
	"errors"
	"io"
	"os"
	"strconv"
	"sync/atomic"
)

// mapChunk is how far ahead of the reader a mapped capture's pages are
// populated, and the step in which consumed pages are handed back. Two
// chunks bound what a mapping adds to the resident set.
const mapChunk = 4 << 20

// minMappedSize is the smallest file worth mapping; below it the bufio path
// costs less than setting up a mapping.
var minMappedSize int64 = 1 << 20

// errNoMapping says a file was not mapped: it is not a regular file, is
// small, or the platform cannot map it. The caller reads it instead.
var errNoMapping = errors.New("file not mapped")

// mapping is a capture file mapped read-only. A recordBuffer over it cuts
// records straight from the mapped pages: no read system call and no copy
// into a buffer. As the reader advances, the pages just ahead of it are
// populated in one call instead of a fault per page, and the consumed ones
// given back, so that the resident set stays two chunks whatever the
// file's size.
type mapping struct {
	data     []byte
	mapped   bool // data is a kernel mapping (tests hand in plain bytes)
	released int  // pages below this offset were given back
	consumed atomic.Int64
}

// mapInput maps f when it is a regular file large enough to be worth it.
func mapInput(f *os.File) (*mapping, error) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < minMappedSize {
		return nil, errNoMapping
	}
	if strconv.IntSize == 32 && st.Size() > 1<<30 {
		return nil, errNoMapping // keep the address space of 32-bit platforms
	}
	data, err := mapFile(f, int(st.Size()))
	if err != nil {
		return nil, errNoMapping
	}
	return &mapping{data: data, mapped: true}, nil
}

// advance is called when the reader reaches off, every byte before which
// has been consumed, and returns the offset at which to call it next. Pages
// from keep (≤ off) on still hold records in use and stay.
func (m *mapping) advance(off, keep int) int {
	end := min(off+mapChunk, len(m.data))
	if m.mapped {
		if page := keep &^ (pageSize - 1); page > m.released {
			releasePages(m.data[m.released:page])
			m.released = page
		}
		populatePages(m.data[off:end])
	}
	m.consumed.Store(int64(off))
	return end
}

func (m *mapping) close() error {
	if !m.mapped || m.data == nil {
		return nil
	}
	err := unmapFile(m.data)
	m.data = nil
	return err
}

// teeAhead writes a file to a tee on a goroutine of its own, read with
// pread into a buffer of its own, while the capture is read from its
// mapping: a build's SHA-256 of its input (a second of CPU per GB even with
// the SHA instructions) then runs beside the meter instead of on the
// reader's path.
type teeAhead struct {
	stop atomic.Bool
	done chan struct{}
}

const teeBufferSize = 1 << 20

func startTeeAhead(f *os.File, size int64, w io.Writer) *teeAhead {
	t := &teeAhead{done: make(chan struct{})}
	go func() {
		defer close(t.done)
		buf := make([]byte, teeBufferSize)
		for off := int64(0); off < size && !t.stop.Load(); {
			n, err := f.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
			if n > 0 {
				if _, werr := w.Write(buf[:n]); werr != nil {
					return
				}
				off += int64(n)
			}
			if err != nil {
				return // the tee holds a prefix; its owner reads the rest
			}
		}
	}()
	return t
}

// wait returns once the goroutine is done with the file. Unless the whole
// file was read, the goroutine stops at its next buffer, so that the tee
// holds a prefix of the file.
func (t *teeAhead) wait(whole bool) {
	if !whole {
		t.stop.Store(true)
	}
	<-t.done
}
