package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/stages"
)

// sliceSource yields frames whose Data is one byte (the payload) and whose
// time is given; err ends the capture (io.EOF when nil).
type sliceSource struct {
	frames []stages.Frame
	i      int
	err    error
}

func frames(spec ...[2]int64) *sliceSource {
	s := &sliceSource{}
	for _, f := range spec {
		s.frames = append(s.frames, stages.Frame{TimeNs: f[0], Data: []byte{byte(f[1])}})
	}
	return s
}

func (s *sliceSource) Next() (stages.Frame, error) {
	if s.i < len(s.frames) {
		s.i++
		return s.frames[s.i-1], nil
	}
	if s.err != nil {
		return stages.Frame{}, s.err
	}
	return stages.Frame{}, io.EOF
}

func (s *sliceSource) Close() error { return nil }

// drain returns (time, payload) pairs and the final error.
func drain(src stages.Source) ([][2]int64, error) {
	var out [][2]int64
	for {
		f, err := src.Next()
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return out, err
		}
		out = append(out, [2]int64{f.TimeNs, int64(f.Data[0])})
	}
}

func TestDedup(t *testing.T) {
	in := [][2]int64{{1, 'a'}, {2, 'a'}, {3, 'b'}, {4, 'c'}, {5, 'a'}, {6, 'c'}, {7, 'c'}}
	tests := []struct {
		window  int
		want    [][2]int64
		dropped uint64
	}{
		// editcap -D 1 compares with no frame at all.
		{1, in, 0},
		// -D 2: only a frame equal to the one just before is dropped.
		{2, [][2]int64{{1, 'a'}, {3, 'b'}, {4, 'c'}, {5, 'a'}, {6, 'c'}}, 2},
		// -D 4: the 'a' at 5 is among the 3 frames before it (the 'a' at 2:
		// a dropped frame still enters the window, as in editcap).
		{4, [][2]int64{{1, 'a'}, {3, 'b'}, {4, 'c'}}, 4},
		// -D 3: the 'a' at 5 is not (frames 3 and 4 only).
		{3, [][2]int64{{1, 'a'}, {3, 'b'}, {4, 'c'}, {5, 'a'}}, 3},
	}
	for _, tt := range tests {
		d := newDedupSource(frames(in...), tt.window)
		got, err := drain(d)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" || d.Dropped != tt.dropped {
			t.Errorf("window %d: dropped %d, want %d (-want +got):\n%s", tt.window, d.Dropped, tt.dropped, diff)
		}
	}
}

func TestReorder(t *testing.T) {
	damage := errors.New("damaged")
	want := [][2]int64{{1, 'b'}, {1, 'e'}, {2, 'd'}, {3, 'a'}, {3, 'c'}}
	for _, memory := range []int64{1 << 20, 2} { // in memory; spilled after two bytes
		t.Run(fmt.Sprint(memory), func(t *testing.T) {
			defer func(m int64) { reorderMemory = m }(reorderMemory)
			reorderMemory = memory
			src := frames([2]int64{3, 'a'}, [2]int64{1, 'b'}, [2]int64{3, 'c'}, [2]int64{2, 'd'}, [2]int64{1, 'e'})
			src.err = damage
			dir := t.TempDir()
			r := newReorderSource(src, dir)
			got, err := drain(r)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if err != damage {
				t.Errorf("error %v, want the source's damage after the frames", err)
			}
			if spilled := r.spill != nil; spilled != (memory == 2) {
				t.Errorf("spilled %t", spilled)
			}
			r.Close()
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("left %v", left)
			}
		})
	}
}
