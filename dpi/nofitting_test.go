package dpi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoCaptureNamesInDissectors: detection must come from protocol rules,
// never from knowing a test capture, so no dissector source or data file
// names one of the corpus captures (nDPI's or NFStream's).
func TestNoCaptureNamesInDissectors(t *testing.T) {
	var captures []string
	for _, dir := range []string{"../../shared/corpus/ndpi/pcaps", "../../shared/corpus/nfstream/pcaps"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			captures = append(captures, strings.ToLower(e.Name()))
		}
	}
	if len(captures) == 0 {
		t.Skip("corpus not found beside the repository")
	}
	sources, _ := filepath.Glob("*.go")
	data, _ := filepath.Glob("data/*")
	checked := 0
	for _, path := range append(sources, data...) {
		if strings.HasSuffix(path, "_test.go") {
			continue // tests cite the captures their packets come from
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ToLower(string(b))
		for _, c := range captures {
			if strings.Contains(text, c) {
				t.Errorf("%s names the corpus capture %s", path, c)
			}
		}
		checked++
	}
	if checked < 50 {
		t.Fatalf("only %d files checked", checked)
	}
}
