package dpi

import (
	"testing"
	"unsafe"
)

// An open detection's Flow is most of the DPI memory of a flow (the 600 B
// per flow target of docs/performance.md): keep it in the 208-byte size
// class. New per-flow state belongs in Data/SetData or behind a pointer.
func TestFlowSize(t *testing.T) {
	if n := unsafe.Sizeof(Flow{}); n > 208 {
		t.Errorf("dpi.Flow is %d bytes, want at most 208", n)
	}
}
