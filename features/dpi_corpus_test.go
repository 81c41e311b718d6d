package features_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/stages"
)

// The DPI agreement test runs every corpus capture through the meter with
// NFStream's default parameters and compares the dpi columns with NFStream's
// (nDPI 4bb8513) results. Acceptance targets: application_name equal on
// ≥ 90% of flows and ≥ 85% on average per capture; metadata columns equal on
// ≥ 95% of the values NFStream fills.
//
// The thresholds below are the measured values minus a small margin while
// we are below the targets; raise them as agreement improves.
const (
	minAppPooled     = 0.90
	minAppPerCapture = 0.85
	minMetaPooled    = 0.95
)

const sharedDir = "../../shared"

type memSink struct {
	schema features.Schema
	rows   []features.Record
}

func (m *memSink) Begin(s features.Schema) error { m.schema = s; return nil }
func (m *memSink) Write(r features.Record) error { m.rows = append(m.rows, r); return nil }
func (m *memSink) Close() error                  { return nil }
func (m *memSink) Abort() error                  { return nil }

// splitNFStreamLine splits one line of NFStream's to_csv output (strings
// quoted, quotes inside escaped with a backslash).
func splitNFStreamLine(line string) []string {
	var out []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(line) && line[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, cur.String())
}

func readCSV(t *testing.T, path string) (map[string]int, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var header map[string]int
	var rows [][]string
	for sc.Scan() {
		fields := splitNFStreamLine(sc.Text())
		if header == nil {
			header = map[string]int{}
			for i, h := range fields {
				header[h] = i
			}
			continue
		}
		rows = append(rows, fields)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return header, rows
}

var metaColumns = []string{"requested_server_name", "client_fingerprint", "server_fingerprint", "user_agent", "content_type"}

type tally struct{ ok, n int }

func (t tally) ratio() float64 {
	if t.n == 0 {
		return 1
	}
	return float64(t.ok) / float64(t.n)
}

func TestDPICorpusAgreement(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run skipped in -short mode")
	}
	resDir := filepath.Join(sharedDir, "corpus", "nfstream", "results")
	if _, err := os.Stat(resDir); err != nil {
		t.Skipf("shared corpus not found at %s (%v): DPI agreement not measured", resDir, err)
	}
	files, _ := filepath.Glob(filepath.Join(resDir, "*"))
	sort.Strings(files)
	var pooled tally
	perCapture := 0.0
	nCaptures := 0
	meta := map[string]*tally{}
	for _, c := range metaColumns {
		meta[c] = &tally{}
	}
	var metaAll tally
	misses := map[string]int{}
	for _, resFile := range files {
		name := filepath.Base(resFile)
		pcap := filepath.Join(sharedDir, "corpus", "nfstream", "pcaps", name)
		hdr, want := readCSV(t, resFile)
		got := runDPI(t, pcap)
		if len(got.rows) != len(want) {
			t.Errorf("%s: %d flows, want %d", name, len(got.rows), len(want))
		}
		ai := got.schema.Index("application_name")
		var capt tally
		for i := 0; i < min(len(want), len(got.rows)); i++ {
			w := want[i][hdr["application_name"]]
			g := got.rows[i][ai].Str
			capt.n++
			if g == w {
				capt.ok++
			} else {
				misses[w+" ← "+g]++
			}
		}
		pooled.ok += capt.ok
		pooled.n += capt.n
		if capt.n > 0 {
			perCapture += capt.ratio()
			nCaptures++
		}
		// Metadata columns from the full golden output.
		gh, grows := readCSV(t, filepath.Join(sharedDir, "spec", "golden", "full", name+".csv"))
		for i := 0; i < min(len(grows), len(got.rows)); i++ {
			for _, c := range metaColumns {
				w := grows[i][gh[c]]
				if w == "" {
					continue
				}
				g := got.rows[i][got.schema.Index(c)].Str
				meta[c].n++
				metaAll.n++
				if g == w {
					meta[c].ok++
					metaAll.ok++
				} else if c != "requested_server_name" || true {
					misses[fmt.Sprintf("[%s] %.40s ← %.40s", c, w, g)]++
				}
			}
		}
		if capt.ratio() < 1 {
			t.Logf("%-55s application_name %4d/%4d", name, capt.ok, capt.n)
		}
	}
	type miss struct {
		what string
		n    int
	}
	var ms []miss
	for k, v := range misses {
		ms = append(ms, miss{k, v})
	}
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].n != ms[j].n {
			return ms[i].n > ms[j].n
		}
		return ms[i].what < ms[j].what
	})
	t.Logf("largest disagreements (expected ← ours, count):")
	for i := 0; i < len(ms) && i < 20; i++ {
		t.Logf("  %4d  %s", ms[i].n, ms[i].what)
	}
	avg := perCapture / float64(max(nCaptures, 1))
	t.Logf("application_name: %d/%d = %.2f%% pooled, %.2f%% per-capture average over %d captures",
		pooled.ok, pooled.n, 100*pooled.ratio(), 100*avg, nCaptures)
	for _, c := range metaColumns {
		t.Logf("%-22s %5d/%5d = %.2f%%", c, meta[c].ok, meta[c].n, 100*meta[c].ratio())
	}
	t.Logf("metadata pooled: %d/%d = %.2f%%", metaAll.ok, metaAll.n, 100*metaAll.ratio())
	if pooled.ratio() < minAppPooled {
		t.Errorf("application_name pooled agreement %.2f%% < %.2f%%", 100*pooled.ratio(), 100*minAppPooled)
	}
	if avg < minAppPerCapture {
		t.Errorf("application_name per-capture agreement %.2f%% < %.2f%%", 100*avg, 100*minAppPerCapture)
	}
	if metaAll.ratio() < minMetaPooled {
		t.Errorf("metadata pooled agreement %.2f%% < %.2f%%", 100*metaAll.ratio(), 100*minMetaPooled)
	}
}

func runDPI(t *testing.T, pcap string) *memSink {
	t.Helper()
	src, err := stages.OpenFiles([]string{pcap})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	streamer := stages.DefaultStreamer()
	ext, err := features.NewExtractor([]features.Request{{Name: "base"}, {Name: "dpi"}}, streamer.Env())
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	if err := sink.Begin(ext.Schema()); err != nil {
		t.Fatal(err)
	}
	job := &stages.Job{Source: src, Streamer: streamer, Extractor: ext, Sink: sink,
		OnWarning: func(err error) { t.Logf("%s: warning: %v", filepath.Base(pcap), err) }}
	if _, err := job.Run(context.Background()); err != nil {
		t.Fatalf("%s: %v", pcap, err)
	}
	return sink
}
