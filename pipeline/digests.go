package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// digestCache remembers input files' SHA-256 by path, size and
// modification time in OUT/.cache/digests.json, so that planning a rebuild
// of a large dataset does not read every capture again. Like make, it
// trusts an unchanged size and modification time.
type digestCache struct {
	mu      sync.Mutex
	entries map[string]digestEntry
	dirty   bool
}

type digestEntry struct {
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	SHA256  string `json:"sha256"`
}

func digestPath(out string) string { return filepath.Join(out, cacheDirName, "digests.json") }

func loadDigests(out string) *digestCache {
	c := &digestCache{entries: map[string]digestEntry{}}
	if b, err := os.ReadFile(digestPath(out)); err == nil {
		json.Unmarshal(b, &c.entries)
	}
	return c
}

func (c *digestCache) lookup(path string) (int64, string, bool) {
	info, err := os.Stat(path)
	if err != nil {
		return 0, "", false
	}
	c.mu.Lock()
	e, ok := c.entries[path]
	c.mu.Unlock()
	if !ok || e.Size != info.Size() || e.ModTime != info.ModTime().UnixNano() {
		return 0, "", false
	}
	return e.Size, e.SHA256, true
}

// store records a digest computed from the file's current content. The
// modification time is read after hashing: a file that changed during the
// read gets a time that will not match again.
func (c *digestCache) store(path string, size int64, sum string) {
	info, err := os.Stat(path)
	if err != nil || info.Size() != size {
		return
	}
	c.mu.Lock()
	c.entries[path] = digestEntry{Size: size, ModTime: info.ModTime().UnixNano(), SHA256: sum}
	c.dirty = true
	c.mu.Unlock()
}

// save writes the cache when it learnt something; errors are ignored (it
// is only an optimisation).
func (c *digestCache) save(out string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirty {
		return
	}
	b, err := json.MarshalIndent(c.entries, "", "  ")
	if err == nil && writeFileAtomic(digestPath(out), b) == nil {
		c.dirty = false
	}
}

// lockDir takes an exclusive lock on OUT/.cache/lock so that two builds
// never write the same dataset at once. The lock goes with the process.
func lockDir(out string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(out, cacheDirName, "lock"), os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, errBusy
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
