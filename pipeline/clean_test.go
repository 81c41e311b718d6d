package pipeline

import (
	"errors"
	"io"
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
		// window 1: only a frame equal to the one just before is dropped.
		{1, [][2]int64{{1, 'a'}, {3, 'b'}, {4, 'c'}, {5, 'a'}, {6, 'c'}}, 2},
		// window 3: 'a' at 5 is within 3 of the 'a' at 2 (a dropped frame
		// still enters the window, as in editcap).
		{3, [][2]int64{{1, 'a'}, {3, 'b'}, {4, 'c'}}, 4},
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
	src := frames([2]int64{3, 'a'}, [2]int64{1, 'b'}, [2]int64{3, 'c'}, [2]int64{2, 'd'}, [2]int64{1, 'e'})
	src.err = damage
	got, err := drain(newReorderSource(src))
	want := [][2]int64{{1, 'b'}, {1, 'e'}, {2, 'd'}, {3, 'a'}, {3, 'c'}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err != damage {
		t.Errorf("error %v, want the source's damage after the frames", err)
	}
}
