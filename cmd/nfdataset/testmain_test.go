package main

import (
	"os"
	"testing"
)

// TestMain lets tests run this test binary as nfdataset itself (for
// example inside a network namespace with ip netns exec): with
// NFDATASET_TEST_AS_MAIN=1 it is the command, not the tests.
func TestMain(m *testing.M) {
	if os.Getenv("NFDATASET_TEST_AS_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}
