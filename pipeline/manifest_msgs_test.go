package pipeline

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Issue 12 defect 9: range errors state the bound that was broken (no
// "must be in 0…18446744073709551" for a negative timeout), and a table
// written as an array of tables gives one error on its line, not a second,
// wrong "missing [output]". The whole message is compared, so a doubled
// error would show.
func TestLoadErrorMessages(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"negative idle timeout", minimal + "[streamer]\nidle_timeout = -5\n", "m.toml:10: streamer.idle_timeout: must be ≥ 0, got -5"},
		{"negative active timeout", minimal + "[streamer]\nactive_timeout = -1\n", "m.toml:10: streamer.active_timeout: must be ≥ 0, got -1"},
		{"timeout beyond 64-bit milliseconds", minimal + "[streamer]\nidle_timeout = 18446744073709552\n", "m.toml:10: streamer.idle_timeout: must be ≤ 18446744073709551, got 18446744073709552"},
		{"negative max_nflows", minimal + "[streamer]\nmax_nflows = -1\n", "m.toml:10: streamer.max_nflows: must be ≥ 0, got -1"},
		{"zero snapshot length", minimal + "[streamer]\nsnapshot_length = 0\n", "m.toml:10: streamer.snapshot_length: must be ≥ 1, got 0"},
		{"small range shown whole", minimal + "[streamer]\naccounting_mode = -1\n", "m.toml:10: streamer.accounting_mode: must be in 0…3, got -1"},
		{"two [[output]] tables", strings.Replace(minimal, "[output]\npath = \"out\"\n", "[[output]]\npath = \"out\"\n[[output]]\npath = \"out2\"\n", 1), "m.toml:7: output: want one [output] table, got an array of tables: [[output]] written 2 times"},
		{"one [[dataset]] table", strings.Replace(minimal, "[dataset]", "[[dataset]]", 1), "m.toml:1: dataset: want one [dataset] table, got an array of tables: [[dataset]] written once"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeManifest(t, c.text)
			_, err := Load(path)
			if err == nil {
				t.Fatal("no error")
			}
			got := strings.ReplaceAll(err.Error(), filepath.Dir(path)+string(filepath.Separator), "")
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("error (-want +got):\n%s", d)
			}
		})
	}
}

// A manifest that cannot be read is named once, not again by the
// operating system's error.
func TestLoadUnreadableManifest(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "none.toml"), filepath.Join(dir, "none.toml") + ": cannot open it: no such file or directory"},
		{dir, dir + ": cannot read it: is a directory"},
	} {
		_, err := Load(c.path)
		if err == nil {
			t.Fatalf("%s: no error", c.path)
		}
		if d := cmp.Diff(c.want, err.Error()); d != "" {
			t.Errorf("error (-want +got):\n%s", d)
		}
	}
}
