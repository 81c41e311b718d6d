//go:build !linux

package main

import "os"

// isTTY approximates a terminal check where no ioctl is at hand.
func isTTY(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && st.Name() != os.DevNull
}
