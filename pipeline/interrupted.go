package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// A build publishes a dataset in steps (old dataset.json removed, parts
// renamed into place, metadata files, new dataset.json). A process killed
// in between (SIGKILL, power loss) leaves a folder that is neither the old
// dataset nor the new one, and temporary files (".part-00000.parquet.tmp-…")
// that no later step would ever remove. The marker OUT/.cache/publishing
// exists from before the first of these steps until after the last: the
// next build sees it and publishes again (every job result it needs is in
// the cache, or is metered again), and inspect and verify say the folder
// was left by an interrupted build.
const publishMarker = "publishing"

func publishMarkerPath(out string) string { return filepath.Join(out, cacheDirName, publishMarker) }

// beginPublish writes the marker; endPublish removes it once dataset.json
// is in place.
func beginPublish(out string) error {
	if err := writeFileAtomic(publishMarkerPath(out), []byte(fmt.Sprintf("pid %d\n", os.Getpid()))); err != nil {
		return fmt.Errorf("output %s: %w", out, err)
	}
	return nil
}

func endPublish(out string) { os.Remove(publishMarkerPath(out)) }

// isTempName reports the names nfdataset gives files it is writing:
// ".NAME.tmp-RANDOM" (stages.CreateOutput, writeFileAtomic).
func isTempName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-")
}

// strayFiles lists the temporary files in OUT itself. Only a build holding
// OUT/.cache/lock writes there (shards write under OUT/.shards/, a live
// capture its unfinished part under OUT/.cache/), so while nobody holds the
// lock these are leftovers of a killed process.
func strayFiles(out string) []string {
	entries, _ := os.ReadDir(out)
	var stray []string
	for _, e := range entries {
		if e.Type().IsRegular() && isTempName(e.Name()) {
			stray = append(stray, e.Name())
		}
	}
	return stray
}

// removeStrays deletes the leftovers of killed builds: temporary files in
// OUT and in OUT/.cache (not OUT/.cache/jobs: removeStale keeps what the
// plan uses there). The caller holds the lock.
func removeStrays(out string) {
	for _, name := range strayFiles(out) {
		os.Remove(filepath.Join(out, name))
	}
	for _, name := range strayFiles(filepath.Join(out, cacheDirName)) {
		os.Remove(filepath.Join(out, cacheDirName, name))
	}
}

// lockHeld reports whether a build holds OUT/.cache/lock now. It takes a
// shared lock for an instant and never waits.
func lockHeld(out string) bool {
	f, err := os.Open(filepath.Join(out, cacheDirName, "lock"))
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// Interrupted describes a dataset folder whose build was killed while
// publishing, or "" when it was not (or when a build is running in it now).
func Interrupted(dir string) string {
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		dir = filepath.Dir(dir) // a dataset.json
	}
	if _, err := os.Stat(publishMarkerPath(dir)); errors.Is(err, fs.ErrNotExist) || err != nil {
		return ""
	}
	if lockHeld(dir) {
		return ""
	}
	return fmt.Sprintf("%s: the build that wrote this folder was interrupted while publishing (%s exists): its files are incomplete; run the build again to finish it",
		dir, filepath.Join(cacheDirName, publishMarker))
}
