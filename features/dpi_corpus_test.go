package features_test

import (
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
// The thresholds below are the measured values (2763/2771 pooled, 99.61%
// per capture, every metadata value), so that any lost flow fails: issue 15
// requires the NFStream corpus to stay at ≥ 99.7%. Raise them as agreement
// improves.
const (
	minAppPooled     = 0.997
	minAppPerCapture = 0.996
	minMetaPooled    = 0.999
)

const dpiShared = "../../shared"

type dpiSink = stages.MemorySink

func dpiReadCSV(t *testing.T, path string) (map[string]int, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fields, rows, err := stages.ReadNFStreamCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	header := map[string]int{}
	for i, h := range fields {
		header[h] = i
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

// dpiCapture names one capture of a corpus and the CSV files holding
// NFStream's verdict columns (app) and its metadata columns (meta); in the
// nDPI corpus both are the same complete CSV.
type dpiCapture struct {
	name, pcap, app, meta string
}

// dpiReport is the agreement of one corpus run.
type dpiReport struct {
	pooled, verdict, metaAll tally
	perCapture               float64 // average of the per-capture ratios
	nCaptures                int
	meta                     map[string]*tally
	extra                    int // metadata we report where NFStream has none
	misses                   map[string]int
	byProto                  map[string]*tally         // NFStream's application_name → agreement
	confusion                map[string]map[string]int // NFStream's name → our name → flows
	captures                 []captureTally
}

type captureTally struct {
	name       string
	app, meta  tally
	flowsWrong bool
}

// measureDPI runs every capture and compares our DPI columns with NFStream's.
func measureDPI(t *testing.T, caps []dpiCapture) *dpiReport {
	t.Helper()
	r := &dpiReport{meta: map[string]*tally{}, misses: map[string]int{},
		byProto: map[string]*tally{}, confusion: map[string]map[string]int{}}
	for _, c := range metaColumns {
		r.meta[c] = &tally{}
	}
	for _, c := range caps {
		hdr, want := dpiReadCSV(t, c.app)
		got := runDPI(t, c.pcap)
		ct := captureTally{name: c.name}
		if len(got.Records) != len(want) {
			t.Errorf("%s: %d flows, want %d", c.name, len(got.Records), len(want))
			ct.flowsWrong = true
		}
		ai := got.Schema.Index("application_name")
		for i := 0; i < min(len(want), len(got.Records)); i++ {
			w := want[i][hdr["application_name"]]
			g := got.Records[i][ai].Str
			ct.app.n++
			pt := r.byProto[w]
			if pt == nil {
				pt = &tally{}
				r.byProto[w] = pt
			}
			pt.n++
			if g == w {
				ct.app.ok++
				pt.ok++
			} else {
				r.misses[w+" ← "+g]++
				if r.confusion[w] == nil {
					r.confusion[w] = map[string]int{}
				}
				r.confusion[w][g]++
			}
			// The other verdict columns, reported but not gated.
			wt := strings.Join([]string{want[i][hdr["application_category_name"]], want[i][hdr["application_is_guessed"]], want[i][hdr["application_confidence"]]}, "/")
			rec := got.Records[i]
			gt := fmt.Sprintf("%s/%d/%d", rec[got.Schema.Index("application_category_name")].Str,
				rec[got.Schema.Index("application_is_guessed")].Int, rec[got.Schema.Index("application_confidence")].Int)
			r.verdict.n++
			if wt == gt {
				r.verdict.ok++
			} else if g == w {
				r.misses["[category/guessed/confidence of "+w+"] "+wt+" ← "+gt]++
			}
		}
		r.pooled.ok += ct.app.ok
		r.pooled.n += ct.app.n
		if ct.app.n > 0 {
			r.perCapture += ct.app.ratio()
			r.nCaptures++
		}
		gh, grows := dpiReadCSV(t, c.meta)
		for i := 0; i < min(len(grows), len(got.Records)); i++ {
			for _, col := range metaColumns {
				w := grows[i][gh[col]]
				g := got.Records[i][got.Schema.Index(col)].Str
				if w == "" {
					if g != "" {
						r.extra++
						r.misses[fmt.Sprintf("[%s] (empty) ← %.40s", col, g)]++
					}
					continue
				}
				r.meta[col].n++
				r.metaAll.n++
				ct.meta.n++
				if g == w {
					r.meta[col].ok++
					r.metaAll.ok++
					ct.meta.ok++
				} else {
					r.misses[fmt.Sprintf("[%s] %.40s ← %.40s", col, w, g)]++
				}
			}
		}
		r.captures = append(r.captures, ct)
	}
	if r.nCaptures > 0 {
		r.perCapture /= float64(r.nCaptures)
	}
	return r
}

type countedName struct {
	what string
	n    int
}

// sortedCounts orders a count map by count, largest first, then by name.
func sortedCounts(m map[string]int) []countedName {
	var ms []countedName
	for k, v := range m {
		ms = append(ms, countedName{k, v})
	}
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].n != ms[j].n {
			return ms[i].n > ms[j].n
		}
		return ms[i].what < ms[j].what
	})
	return ms
}

// log prints the per-capture table (captures below 100%), the per-protocol
// confusion (protocols with a miss: what we said instead), the largest
// disagreements and the totals.
func (r *dpiReport) log(t *testing.T) {
	t.Helper()
	t.Logf("per capture (below 100%% only): application_name, metadata")
	for _, c := range r.captures {
		if c.app.ratio() < 1 || c.meta.ratio() < 1 || c.flowsWrong {
			t.Logf("  %-50s %4d/%4d %6.2f%%   meta %4d/%4d", c.name, c.app.ok, c.app.n, 100*c.app.ratio(), c.meta.ok, c.meta.n)
		}
	}
	t.Logf("per protocol (NFStream's application_name with a miss): agreed/flows, then ours instead")
	protos := map[string]int{}
	for p, pt := range r.byProto {
		if pt.ok < pt.n {
			protos[p] = pt.n - pt.ok
		}
	}
	for _, p := range sortedCounts(protos) {
		pt := r.byProto[p.what]
		var inst []string
		for _, o := range sortedCounts(r.confusion[p.what]) {
			inst = append(inst, fmt.Sprintf("%s×%d", o.what, o.n))
		}
		t.Logf("  %-32s %4d/%4d  %s", p.what, pt.ok, pt.n, strings.Join(inst, " "))
	}
	t.Logf("largest disagreements (expected ← ours, count):")
	ms := sortedCounts(r.misses)
	for i := 0; i < len(ms) && i < maxMisses(); i++ {
		t.Logf("  %4d  %s", ms[i].n, ms[i].what)
	}
	t.Logf("application_name: %d/%d = %.2f%% pooled, %.2f%% per-capture average over %d captures",
		r.pooled.ok, r.pooled.n, 100*r.pooled.ratio(), 100*r.perCapture, r.nCaptures)
	t.Logf("category/is_guessed/confidence: %d/%d = %.2f%% (not gated)", r.verdict.ok, r.verdict.n, 100*r.verdict.ratio())
	for _, c := range metaColumns {
		t.Logf("%-22s %5d/%5d = %.2f%%", c, r.meta[c].ok, r.meta[c].n, 100*r.meta[c].ratio())
	}
	t.Logf("metadata pooled: %d/%d = %.2f%%; values where NFStream has none: %d", r.metaAll.ok, r.metaAll.n, 100*r.metaAll.ratio(), r.extra)
}

// gate fails the test below the given floors.
func (r *dpiReport) gate(t *testing.T, pooled, perCapture, meta float64) {
	t.Helper()
	if r.pooled.ratio() < pooled {
		t.Errorf("application_name pooled agreement %.2f%% < %.2f%%", 100*r.pooled.ratio(), 100*pooled)
	}
	if r.perCapture < perCapture {
		t.Errorf("application_name per-capture agreement %.2f%% < %.2f%%", 100*r.perCapture, 100*perCapture)
	}
	if r.metaAll.ratio() < meta {
		t.Errorf("metadata pooled agreement %.2f%% < %.2f%%", 100*r.metaAll.ratio(), 100*meta)
	}
}

func TestDPICorpusAgreement(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run skipped in -short mode")
	}
	resDir := filepath.Join(dpiShared, "corpus", "nfstream", "results")
	if _, err := os.Stat(resDir); err != nil {
		t.Skipf("shared corpus not found at %s (%v): DPI agreement not measured", resDir, err)
	}
	files, _ := filepath.Glob(filepath.Join(resDir, "*"))
	sort.Strings(files)
	var caps []dpiCapture
	for _, resFile := range files {
		name := filepath.Base(resFile)
		caps = append(caps, dpiCapture{name: name,
			pcap: filepath.Join(dpiShared, "corpus", "nfstream", "pcaps", name),
			app:  resFile,
			meta: filepath.Join(dpiShared, "spec", "golden", "full", name+".csv")})
	}
	r := measureDPI(t, caps)
	r.log(t)
	r.gate(t, minAppPooled, minAppPerCapture, minMetaPooled)
}

// Floors of the nDPI-corpus agreement: the measured values less a small
// margin, raised as agreement improves (issue 15 targets 98% pooled, 97%
// per capture, 99% metadata).
const (
	minNDPIAppPooled     = 0.986
	minNDPIAppPerCapture = 0.974
	minNDPIMetaPooled    = 0.999
)

// TestDPINDPICorpusAgreement measures the DPI columns on the captures of
// nDPI's test suite (../shared/corpus/ndpi/) against NFStream's complete
// output for each; DPI_CAPTURE=<file> with DPI_CORPUS=ndpi prints one
// capture flow by flow (TestDPICaptureDetail).
func TestDPINDPICorpusAgreement(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run skipped in -short mode")
	}
	dir := filepath.Join(dpiShared, "corpus", "ndpi")
	files, _ := filepath.Glob(filepath.Join(dir, "nfstream", "*.csv"))
	if len(files) == 0 {
		t.Skipf("nDPI corpus not found at %s: DPI agreement not measured", dir)
	}
	sort.Strings(files)
	var caps []dpiCapture
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".csv")
		caps = append(caps, dpiCapture{name: name, pcap: filepath.Join(dir, "pcaps", name), app: f, meta: f})
	}
	r := measureDPI(t, caps)
	r.log(t)
	r.gate(t, minNDPIAppPooled, minNDPIAppPerCapture, minNDPIMetaPooled)
}

func runDPI(t *testing.T, pcap string) *dpiSink {
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
	sink := &dpiSink{}
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

// TestDPICaptureDetail prints every flow of the capture named by
// $DPI_CAPTURE with NFStream's and our DPI columns (a debugging aid).
func TestDPICaptureDetail(t *testing.T) {
	name := os.Getenv("DPI_CAPTURE")
	if name == "" {
		t.Skip("set DPI_CAPTURE=<capture file name> to print its flows")
	}
	csv := filepath.Join(dpiShared, "spec", "golden", "full", name+".csv")
	pcap := filepath.Join(dpiShared, "corpus", "nfstream", "pcaps", name)
	if os.Getenv("DPI_CORPUS") == "ndpi" {
		csv = filepath.Join(dpiShared, "corpus", "ndpi", "nfstream", name+".csv")
		pcap = filepath.Join(dpiShared, "corpus", "ndpi", "pcaps", name)
	}
	gh, grows := dpiReadCSV(t, csv)
	got := runDPI(t, pcap)
	cols := append([]string{"application_name", "application_is_guessed", "application_confidence"}, metaColumns...)
	for i := 0; i < min(len(grows), len(got.Records)); i++ {
		w := grows[i]
		line := fmt.Sprintf("%d %s:%s→%s:%s/%s pk=%s", i, w[gh["src_ip"]], w[gh["src_port"]], w[gh["dst_ip"]], w[gh["dst_port"]], w[gh["protocol"]], w[gh["bidirectional_packets"]])
		for _, c := range cols {
			g := got.Records[i][got.Schema.Index(c)]
			gs := g.Str
			if got.Schema[got.Schema.Index(c)].Kind == features.Int {
				gs = fmt.Sprint(g.Int)
			}
			if gs != w[gh[c]] {
				line += fmt.Sprintf(" | %s: %q ≠ %q", c, w[gh[c]], gs)
			} else if c == "application_name" {
				line += " | " + gs
			}
		}
		t.Log(line)
	}
}

// maxMisses is how many disagreements the agreement test logs (20, or
// $DPI_MISSES).
func maxMisses() int {
	var n int
	if _, err := fmt.Sscan(os.Getenv("DPI_MISSES"), &n); err == nil && n > 0 {
		return n
	}
	return 20
}
