package stages

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nfdataset/nfdataset/features"
)

func needShared(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sharedDir, "spec", "golden")); err != nil {
		t.Skip("../shared is absent (a user's clone): NFStream parity tests skipped")
	}
	return sharedDir
}

// dpiColumns are filled by nDPI in NFStream; the meter parity test leaves
// them to the DPI tests.
var dpiColumns = map[string]bool{
	"application_name": true, "application_category_name": true, "application_is_guessed": true,
	"application_confidence": true, "requested_server_name": true, "client_fingerprint": true,
	"server_fingerprint": true, "user_agent": true, "content_type": true,
}

func parseNFStreamCSV(path string) (header []string, rows [][]string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return ReadNFStreamCSV(f)
}

type memorySink = MemorySink

type parityCase struct {
	golden   string
	captures []string
	streamer Streamer
	sets     []features.Request
}

func runCase(t *testing.T, c parityCase) *memorySink {
	t.Helper()
	sink, err := Collect(context.Background(), c.captures, c.streamer, c.sets, func(err error) { t.Logf("warning: %v", err) })
	if err != nil {
		t.Fatal(err)
	}
	return sink
}

func checkParity(t *testing.T, c parityCase) {
	t.Helper()
	header, rows, err := parseNFStreamCSV(c.golden)
	if err != nil {
		t.Fatal(err)
	}
	got := runCase(t, c)
	// Column order: ours must list NFStream's non-DPI columns in its order.
	var wantCols, gotCols []string
	for _, h := range header {
		if !dpiColumns[h] {
			wantCols = append(wantCols, h)
		}
	}
	for _, col := range got.Schema {
		if !dpiColumns[col.Name] {
			gotCols = append(gotCols, col.Name)
		}
	}
	if strings.Join(wantCols, ",") != strings.Join(gotCols, ",") {
		t.Fatalf("columns differ:\n got %v\nwant %v", gotCols, wantCols)
	}
	if len(rows) != len(got.Records) {
		t.Errorf("%d flows, want %d", len(got.Records), len(rows))
	}
	bad := 0
	for i := 0; i < min(len(rows), len(got.Records)); i++ {
		for j, name := range header {
			if dpiColumns[name] {
				continue
			}
			k := got.Schema.Index(name)
			if err := CompareNFStreamText(got.Schema[k], got.Records[i][k], rows[i][j]); err != nil {
				bad++
				if bad <= 10 {
					t.Errorf("flow %d column %s: %v", i, name, err)
				}
			}
		}
	}
	if bad > 10 {
		t.Errorf("… %d mismatching fields in all", bad)
	}
}

func fullSets(splt int64) []features.Request {
	r := []features.Request{{Name: "base"}, {Name: "stats"}}
	if splt > 0 {
		r = append(r, features.Request{Name: "splt", Options: features.Options{"n": splt}})
	}
	return r
}

func goldenFiles(t *testing.T, dir string) []string {
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files in %s", dir)
	}
	sort.Strings(files)
	return files
}

func TestParityCorpus(t *testing.T) {
	shared := needShared(t)
	pcaps := filepath.Join(shared, "corpus", "nfstream", "pcaps")
	settings := []struct {
		dir    string
		adjust func(*Streamer)
		splt   int64
	}{
		{"full", func(*Streamer) {}, 10},
		{"acct1", func(s *Streamer) { s.AccountingMode = 1 }, 10},
		{"acct2", func(s *Streamer) { s.AccountingMode = 2 }, 10},
		{"acct3", func(s *Streamer) { s.AccountingMode = 3 }, 10},
		{"notunnel", func(s *Streamer) { s.DecodeTunnels = false }, 0},
	}
	for _, set := range settings {
		for _, g := range goldenFiles(t, filepath.Join(shared, "spec", "golden", set.dir)) {
			capture := filepath.Join(pcaps, strings.TrimSuffix(filepath.Base(g), ".csv"))
			if _, err := os.Stat(capture); err != nil {
				continue
			}
			t.Run(set.dir+"/"+filepath.Base(capture), func(t *testing.T) {
				st := DefaultStreamer()
				set.adjust(&st)
				checkParity(t, parityCase{golden: g, captures: []string{capture}, streamer: st, sets: fullSets(set.splt)})
			})
		}
	}
}

func TestParityPluginsSettings(t *testing.T) {
	shared := needShared(t)
	pcaps := filepath.Join(shared, "corpus", "nfstream", "pcaps")
	gold := filepath.Join(shared, "spec", "golden", "plugins")
	base := []features.Request{{Name: "base"}}
	idle0 := DefaultStreamer()
	idle0.IdleTimeoutSec = 0
	active0 := DefaultStreamer()
	active0.ActiveTimeoutSec = 0
	var multi []string
	for _, n := range []string{"one_flow_1_5", "one_flow_6_10", "one_flow_11_15", "one_flow_16_19"} {
		multi = append(multi, filepath.Join(pcaps, n+".pcap"))
	}
	for _, c := range []parityCase{
		{golden: filepath.Join(gold, "google_ssl.pcap.idle0.csv"), captures: []string{filepath.Join(pcaps, "google_ssl.pcap")}, streamer: idle0, sets: base},
		{golden: filepath.Join(gold, "google_ssl.pcap.active0.csv"), captures: []string{filepath.Join(pcaps, "google_ssl.pcap")}, streamer: active0, sets: base},
		{golden: filepath.Join(gold, "one_flow_multi_files.csv"), captures: multi, streamer: DefaultStreamer(), sets: base},
	} {
		t.Run(filepath.Base(c.golden), func(t *testing.T) { checkParity(t, c) })
	}
}

func TestParitySynthetic(t *testing.T) {
	shared := needShared(t)
	dir := filepath.Join(shared, "spec", "golden", "synthetic")
	paritySynthetic(t, dir, dir)
}

// TestParityOwnCopies runs the same comparisons on the captures and
// NFStream goldens kept in this repository (testdata/nfstream,
// goldens/nfstream), so a clone without ../shared still tests the meter.
func TestParityOwnCopies(t *testing.T) {
	caps := filepath.Join("..", "testdata", "nfstream")
	gold := filepath.Join("..", "goldens", "nfstream")
	paritySynthetic(t, caps, filepath.Join(gold, "synthetic"))
	for _, set := range []struct {
		dir    string
		adjust func(*Streamer)
		splt   int64
	}{
		{"full", func(*Streamer) {}, 10},
		{"notunnel", func(s *Streamer) { s.DecodeTunnels = false }, 0},
	} {
		for _, g := range goldenFiles(t, filepath.Join(gold, set.dir)) {
			capture := filepath.Join(caps, strings.TrimSuffix(filepath.Base(g), ".csv"))
			t.Run(set.dir+"/"+filepath.Base(capture), func(t *testing.T) {
				st := DefaultStreamer()
				set.adjust(&st)
				checkParity(t, parityCase{golden: g, captures: []string{capture}, streamer: st, sets: fullSets(set.splt)})
			})
		}
	}
}

func paritySynthetic(t *testing.T, dir, goldDir string) {
	for _, g := range goldenFiles(t, goldDir) {
		name := filepath.Base(g)
		parts := strings.SplitN(strings.TrimSuffix(name, ".csv"), ".pcap", 2)
		capture := filepath.Join(dir, parts[0]+".pcap")
		st := DefaultStreamer()
		if suffix := strings.TrimPrefix(parts[1], "."); suffix != "" {
			switch {
			case strings.HasPrefix(suffix, "idle_timeout"):
				v, _ := strconv.ParseUint(strings.TrimPrefix(suffix, "idle_timeout"), 10, 64)
				st.IdleTimeoutSec = v
			case strings.HasPrefix(suffix, "active_timeout"):
				v, _ := strconv.ParseUint(strings.TrimPrefix(suffix, "active_timeout"), 10, 64)
				st.ActiveTimeoutSec = v
			default:
				t.Fatalf("unknown golden suffix %q", suffix)
			}
		}
		t.Run(name, func(t *testing.T) {
			checkParity(t, parityCase{golden: g, captures: []string{capture}, streamer: st, sets: fullSets(5)})
		})
	}
	// tiny.pcap: every frame ignored, so NFStream writes no file at all.
	got := runCase(t, parityCase{captures: []string{filepath.Join(dir, "tiny.pcap")}, streamer: DefaultStreamer(), sets: fullSets(5)})
	if len(got.Records) != 0 {
		t.Errorf("tiny.pcap: %d flows, want 0", len(got.Records))
	}
}
