package pipeline

import (
	"crypto/sha256"
	"errors"
	"io"
	"sort"

	"github.com/nfdataset/nfdataset/stages"
)

// dedupSource drops a frame whose captured bytes equal those of one of the
// previous window frames, as `editcap -D window+1` does (editcap's window
// includes the current frame): every frame, kept or dropped, enters the
// window, and timestamps are not compared.
type dedupSource struct {
	stages.Source
	window  []dedupEntry
	next    int
	Dropped uint64
}

type dedupEntry struct {
	sum   [sha256.Size]byte
	n     int
	valid bool
}

func newDedupSource(src stages.Source, window int) *dedupSource {
	return &dedupSource{Source: src, window: make([]dedupEntry, window)}
}

func (d *dedupSource) Next() (stages.Frame, error) {
	for {
		fr, err := d.Source.Next()
		if err != nil {
			return fr, err
		}
		e := dedupEntry{sum: sha256.Sum256(fr.Data), n: len(fr.Data), valid: true}
		dup := false
		for _, w := range d.window {
			if w.valid && w.n == e.n && w.sum == e.sum {
				dup = true
				break
			}
		}
		d.window[d.next] = e
		d.next = (d.next + 1) % len(d.window)
		if dup {
			d.Dropped++
			continue
		}
		return fr, nil
	}
}

// BytesRead passes the underlying source's count through.
func (d *dedupSource) BytesRead() int64 { return bytesRead(d.Source) }

// reorderSource reads the whole capture, then yields its frames sorted by
// capture time, frames with equal times in capture order (reordercap).
// A damaged capture's error is returned after the frames read before it.
type reorderSource struct {
	stages.Source
	frames []stages.Frame
	i      int
	err    error
	loaded bool
}

func newReorderSource(src stages.Source) *reorderSource { return &reorderSource{Source: src} }

func (r *reorderSource) load() {
	r.loaded = true
	for {
		fr, err := r.Source.Next()
		if err != nil {
			r.err = err
			break
		}
		fr.Data = append([]byte(nil), fr.Data...)
		r.frames = append(r.frames, fr)
	}
	sort.SliceStable(r.frames, func(i, j int) bool { return r.frames[i].TimeNs < r.frames[j].TimeNs })
}

func (r *reorderSource) Next() (stages.Frame, error) {
	if !r.loaded {
		r.load()
	}
	if r.i < len(r.frames) {
		fr := r.frames[r.i]
		r.frames[r.i].Data = nil // let the memory go as we advance
		r.i++
		return fr, nil
	}
	if r.err == nil {
		r.err = io.EOF
	}
	return stages.Frame{}, r.err
}

func (r *reorderSource) BytesRead() int64 { return bytesRead(r.Source) }

func bytesRead(s stages.Source) int64 {
	if c, ok := s.(stages.ByteCounter); ok {
		return c.BytesRead()
	}
	return 0
}

var errStopped = errors.New("stopped")
