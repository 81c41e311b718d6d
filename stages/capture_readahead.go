package stages

import (
	"bufio"
	"errors"
	"io"
	"sync"
)

// readAhead reads a capture file on its own goroutine, a large chunk at a
// time, while the record decoder works on the previous chunk: the copy out
// of the page cache then costs the decoder nothing (it was a fifth of the
// time of a whole flows run), and a decompressor below runs in parallel
// with metering. Records are handed out as slices of the chunks, so reading
// still neither copies nor allocates; the few bytes of a record cut by a
// chunk boundary are moved in front of the next chunk, into headroom kept
// for that.
type readAhead struct {
	full    chan *aheadChunk
	free    chan *aheadChunk
	done    chan struct{}
	exited  chan struct{}
	stopped sync.Once

	cur        *aheadChunk
	start, end int   // unread bytes: cur.b[start:end]
	err        error // what the reader reported after the last chunk taken
}

type aheadChunk struct {
	b   []byte // aheadHead bytes of headroom, then up to aheadChunkSize of data
	n   int
	err error
}

const (
	aheadChunkSize = 1 << 20
	aheadHead      = 256 << 10 // largest record served in place (Size)
	aheadChunks    = 4
)

var errAheadStopped = errors.New("capture reader stopped")

func newReadAhead(r io.Reader) *readAhead {
	ra := &readAhead{
		full:   make(chan *aheadChunk, aheadChunks),
		free:   make(chan *aheadChunk, aheadChunks),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	for range aheadChunks {
		ra.free <- &aheadChunk{b: make([]byte, aheadHead+aheadChunkSize)}
	}
	go ra.fill(r)
	return ra
}

func (ra *readAhead) fill(r io.Reader) {
	defer close(ra.exited)
	for {
		var c *aheadChunk
		select {
		case c = <-ra.free:
		case <-ra.done:
			return
		}
		n, err := io.ReadFull(r, c.b[aheadHead:])
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = io.EOF
		}
		c.n, c.err = n, err
		select {
		case ra.full <- c:
		case <-ra.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// stop ends the reading goroutine and waits for it, so that the file or
// decompressor below can be closed safely.
func (ra *readAhead) stop() {
	ra.stopped.Do(func() {
		close(ra.done)
		<-ra.exited
	})
}

// next takes the following chunk, keeping the unread bytes in front of it.
func (ra *readAhead) next() bool {
	if ra.err != nil {
		return false
	}
	var c *aheadChunk
	select {
	case c = <-ra.full:
	case <-ra.done:
		ra.err = errAheadStopped
		return false
	}
	rem := ra.end - ra.start
	if ra.cur != nil {
		copy(c.b[aheadHead-rem:aheadHead], ra.cur.b[ra.start:ra.end])
		ra.free <- ra.cur // never blocks: at most aheadChunks exist
	}
	ra.cur, ra.start, ra.end = c, aheadHead-rem, aheadHead+c.n
	ra.err = c.err
	return true
}

// Peek returns the next n bytes without consuming them; fewer, with the
// reader's error, at the end. n must not exceed Size.
func (ra *readAhead) Peek(n int) ([]byte, error) {
	if n > aheadHead {
		return nil, bufio.ErrBufferFull
	}
	for ra.end-ra.start < n {
		if !ra.next() {
			var b []byte
			if ra.cur != nil {
				b = ra.cur.b[ra.start:ra.end]
			}
			return b, ra.err
		}
	}
	return ra.cur.b[ra.start : ra.start+n], nil
}

// Discard skips n bytes.
func (ra *readAhead) Discard(n int) (int, error) {
	done := 0
	for done < n {
		if ra.end == ra.start && !ra.next() {
			return done, ra.err
		}
		k := min(n-done, ra.end-ra.start)
		ra.start += k
		done += k
	}
	return done, nil
}

// Read copies the next bytes into p (for records larger than Size).
func (ra *readAhead) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if ra.end == ra.start && !ra.next() {
		return 0, ra.err
	}
	k := copy(p, ra.cur.b[ra.start:ra.end])
	ra.start += k
	return k, nil
}

// Size is the largest n Peek accepts.
func (ra *readAhead) Size() int { return aheadHead }
