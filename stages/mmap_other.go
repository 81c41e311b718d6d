//go:build !linux

package stages

import "os"

const pageSize = 4096

func mapFile(*os.File, int) ([]byte, error) { return nil, errNoMapping }
func unmapFile([]byte) error                { return nil }
func releasePages([]byte)                   {}
func populatePages([]byte)                  {}
