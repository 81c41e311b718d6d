package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// checkOutputFolder refuses to build into a folder nfdataset does not own.
// A build replaces the part files of its output folder, so a folder that
// holds someone else's files (/, ../../etc, a folder of part files without
// dataset.json) would lose them. Ours is one that does not exist yet, is
// empty, holds nfdataset's .cache/ or .shards/, or holds a dataset.json.
func checkOutputFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot read output folder %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	for _, e := range entries {
		switch e.Name() {
		case cacheDirName, shardsDirName:
			if e.IsDir() {
				return nil
			}
		case ProvenanceFile:
			if e.Type().IsRegular() {
				return nil
			}
		}
	}
	return fmt.Errorf("output folder %s is not empty and was not made by nfdataset (no %s, %s/ or %s/; it holds %s): choose a new or empty folder",
		dir, ProvenanceFile, cacheDirName, shardsDirName, filepath.Join(dir, entries[0].Name()))
}
