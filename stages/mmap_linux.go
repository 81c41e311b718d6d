package stages

import (
	"os"
	"syscall"
	"unsafe"
)

const pageSize = 4096

// madvPopulateRead (Linux 5.14) maps a range's pages from the page cache,
// reading them in if needed, in one call; older kernels refuse it and the
// pages simply fault in as they are read.
const madvPopulateRead = 22

func mapFile(f *os.File, size int) ([]byte, error) {
	data, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	_ = syscall.Madvise(data, syscall.MADV_SEQUENTIAL)
	return data, nil
}

func unmapFile(data []byte) error { return syscall.Munmap(data) }

// releasePages drops consumed pages from this process (the page cache keeps
// them), so that reading a large capture does not grow the resident set.
func releasePages(b []byte) {
	if len(b) > 0 {
		_ = syscall.Madvise(b, syscall.MADV_DONTNEED)
	}
}

func populatePages(b []byte) {
	if len(b) == 0 {
		return
	}
	// Madvise wants a page-aligned start.
	p := uintptr(unsafe.Pointer(&b[0]))
	start := p &^ (pageSize - 1)
	syscall.Syscall(syscall.SYS_MADVISE, start, p+uintptr(len(b))-start, madvPopulateRead)
}
