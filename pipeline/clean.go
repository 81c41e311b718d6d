package pipeline

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/nfdataset/nfdataset/stages"
)

// dedupSource drops duplicate frames exactly as `editcap -D window` does:
// a frame is dropped when its captured bytes (length and digest) equal
// those of one of the window−1 frames before it (editcap's window counts
// the current frame). Every frame, kept or dropped, enters the window, and
// timestamps are not compared. A map of the digests in the window keeps the
// cost per frame constant whatever the window.
type dedupSource struct {
	stages.Source
	ring    []dedupKey // the previous window−1 frames, oldest at next
	next    int
	filled  int
	inRing  map[dedupKey]int
	Dropped uint64
}

type dedupKey struct {
	sum [sha256.Size]byte
	n   int
}

func newDedupSource(src stages.Source, window int) *dedupSource {
	return &dedupSource{Source: src, ring: make([]dedupKey, max(window-1, 0)), inRing: map[dedupKey]int{}}
}

func (d *dedupSource) Next() (stages.Frame, error) {
	for {
		fr, err := d.Source.Next()
		if err != nil {
			return fr, err
		}
		k := dedupKey{sum: sha256.Sum256(fr.Data), n: len(fr.Data)}
		dup := d.inRing[k] > 0
		if len(d.ring) > 0 {
			if d.filled == len(d.ring) {
				old := d.ring[d.next]
				if d.inRing[old]--; d.inRing[old] == 0 {
					delete(d.inRing, old)
				}
			} else {
				d.filled++
			}
			d.ring[d.next] = k
			d.inRing[k]++
			d.next = (d.next + 1) % len(d.ring)
		}
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
//
// Frame bytes are kept in memory up to reorderMemory; beyond that they are
// spilled to a temporary file in spillDir (removed on Close) and read back
// in sorted order, so only 40 bytes per frame stay in memory, like
// reordercap's index of record offsets.
type reorderSource struct {
	stages.Source
	spillDir string
	entries  []reorderEntry
	arena    []byte   // frame bytes, while they fit in memory
	spill    *os.File // or the file they went to
	spillW   *bufio.Writer
	size     int64 // bytes stored
	buf      []byte
	i        int
	err      error
	loaded   bool
}

type reorderEntry struct {
	timeNs   int64
	timeMs   uint64
	off      int64
	n        uint32
	wireLen  uint32
	linkType uint32
}

// reorderMemory bounds the frame bytes a reorderSource keeps in memory.
var reorderMemory int64 = 256 << 20

func newReorderSource(src stages.Source, spillDir string) *reorderSource {
	return &reorderSource{Source: src, spillDir: spillDir}
}

func (r *reorderSource) store(data []byte) error {
	if r.spill == nil && r.size+int64(len(data)) > reorderMemory {
		f, err := os.CreateTemp(r.spillDir, ".reorder-*.tmp")
		if err != nil {
			return fmt.Errorf("reorder: %w", err)
		}
		r.spill, r.spillW = f, bufio.NewWriterSize(f, 1<<20)
		if _, err := r.spillW.Write(r.arena); err != nil {
			return fmt.Errorf("reorder: %w", err)
		}
		r.arena = nil
	}
	if r.spill != nil {
		if _, err := r.spillW.Write(data); err != nil {
			return fmt.Errorf("reorder: %w", err)
		}
	} else {
		r.arena = append(r.arena, data...)
	}
	r.size += int64(len(data))
	return nil
}

func (r *reorderSource) load() {
	r.loaded = true
	for {
		fr, err := r.Source.Next()
		if err != nil {
			r.err = err
			break
		}
		r.entries = append(r.entries, reorderEntry{timeNs: fr.TimeNs, timeMs: fr.TimeMs, off: r.size,
			n: uint32(len(fr.Data)), wireLen: fr.WireLen, linkType: fr.LinkType})
		if err := r.store(fr.Data); err != nil {
			r.err, r.entries = err, nil
			return
		}
	}
	if r.spill != nil {
		if err := r.spillW.Flush(); err != nil {
			r.err, r.entries = fmt.Errorf("reorder: %w", err), nil
			return
		}
	}
	sort.SliceStable(r.entries, func(i, j int) bool { return r.entries[i].timeNs < r.entries[j].timeNs })
}

// Next returns the frames in time order. Frame.Data is valid until the
// next call.
func (r *reorderSource) Next() (stages.Frame, error) {
	if !r.loaded {
		r.load()
	}
	if r.i < len(r.entries) {
		e := r.entries[r.i]
		r.i++
		fr := stages.Frame{TimeNs: e.timeNs, TimeMs: e.timeMs, WireLen: e.wireLen, LinkType: e.linkType}
		if r.spill == nil {
			fr.Data = r.arena[e.off : e.off+int64(e.n) : e.off+int64(e.n)]
			return fr, nil
		}
		if cap(r.buf) < int(e.n) {
			r.buf = make([]byte, e.n)
		}
		fr.Data = r.buf[:e.n]
		if _, err := r.spill.ReadAt(fr.Data, e.off); err != nil {
			r.err, r.entries = fmt.Errorf("reorder: %w", err), nil
			return stages.Frame{}, r.err
		}
		return fr, nil
	}
	if r.err == nil {
		r.err = io.EOF
	}
	return stages.Frame{}, r.err
}

// Close removes the spill file and closes the capture.
func (r *reorderSource) Close() error {
	if r.spill != nil {
		r.spill.Close()
		os.Remove(r.spill.Name())
		r.spill = nil
	}
	r.arena, r.entries = nil, nil
	return r.Source.Close()
}

func (r *reorderSource) BytesRead() int64 { return bytesRead(r.Source) }

func bytesRead(s stages.Source) int64 {
	if c, ok := s.(stages.ByteCounter); ok {
		return c.BytesRead()
	}
	return 0
}
