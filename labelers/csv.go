package labelers

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // zones resolve even where the machine has no tz database

	"github.com/nfdataset/nfdataset/features"
)

const csvExample = `[[label]]
kind = "csv"
path = "testdata/truth.csv"
default = "BENIGN"
time_format = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"]
pm_below_hour = 8
timezone = "America/Moncton"
tolerance = "2m"
encoding = "windows-1252"
columns = { src_ip = "Source IP", dst_ip = "Destination IP", label = "Label" }
`

// csvColumns are the roles of a ground-truth file's columns and CIC-IDS2017's
// header names for them.
var csvColumns = []struct{ role, def string }{
	{"src_ip", "Source IP"},
	{"src_port", "Source Port"},
	{"dst_ip", "Destination IP"},
	{"dst_port", "Destination Port"},
	{"protocol", "Protocol"},
	{"timestamp", "Timestamp"},
	{"label", "Label"},
}

func init() {
	Register(Spec{
		Kind:    "csv",
		Version: 1,
		Doc:     "Joins flows with a flow-level ground-truth CSV (CIC-IDS2017's GeneratedLabelledFlows): same 5-tuple in either direction, nearest timestamp to the flow's first packet within a tolerance.",
		Example: csvExample,
		Keys: []Key{
			{"path", "the ground-truth CSV, relative to the manifest unless absolute (required)"},
			{"columns", "table mapping src_ip, src_port, dst_ip, dst_port, protocol, timestamp and label to header names (defaults: CIC-IDS2017's Source IP, Source Port, Destination IP, Destination Port, Protocol, Timestamp, Label); spaces around header names are ignored"},
			{"time_format", "strftime-style layout of the timestamp column, or a list tried in order (default [\"%d/%m/%Y %H:%M:%S\", \"%d/%m/%Y %H:%M\"]); numbers may be unpadded"},
			{"pm_below_hour", "12-hour clock printed without AM/PM: hours below this value are afternoon (CIC-IDS2017: 8)"},
			{"timezone", "IANA zone of timestamps without an offset (default UTC), resolved with the tz database embedded in nfdataset when the machine has none"},
			{"tolerance", "largest distance between a row's timestamp and the flow's first packet (default \"2m\")"},
			{"encoding", "utf-8 (default; invalid bytes become U+FFFD), latin-1 or windows-1252"},
			{"skip_bad_rows", "true: rows whose address, port, protocol or time cannot be read are counted and skipped instead of failing the build"},
		},
		New: newCSV,
	})
}

type gtKey struct {
	a, b   netip.Addr
	pa, pb uint16
	proto  uint8
}

func makeKey(src, dst netip.Addr, sp, dp uint16, proto uint8) gtKey {
	c := src.Compare(dst)
	if c < 0 || (c == 0 && sp <= dp) {
		return gtKey{src, dst, sp, dp, proto}
	}
	return gtKey{dst, src, dp, sp, proto}
}

type gtRow struct {
	t     int64 // ns since the epoch
	label int32 // index into CSV.labels
	line  int32 // 1-based line of the row (for the order of ties)
}

// gtIndex is a loaded ground truth, shared read-only by every labeler
// built from the same file and settings.
type gtIndex struct {
	index              map[gtKey][]int32 // rows of a 5-tuple, sorted by time then line
	rows               []gtRow
	labels             []string
	emptyRows, badRows int64
}

// gtCache keeps loaded ground truths for the life of the process: the
// pipeline builds the labelers more than once per run (validation, schema,
// assembly), and a CIC-IDS2017 day is 200 MB of CSV. Entries are keyed by
// path, size, modification time and every reading option.
var gtCache struct {
	sync.Mutex
	m map[string]*gtIndex
}

// CSV is the "csv" labeler.
type CSV struct {
	column, def, path string
	tolerance         int64
	*gtIndex
	used []atomic.Bool // rows that labelled a flow

	flows, matched, conflicts atomic.Int64
	perLabel                  []atomic.Int64
	facts                     factReader
}

var _ Labeler = (*CSV)(nil)

func newCSV(c *Config) (Labeler, error) {
	l := &CSV{column: c.Column, def: c.Default}
	var err error
	if l.path, err = c.Path("path"); err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, col := range csvColumns {
		names[col.role] = col.def
	}
	m, err := c.Map("columns")
	if err != nil {
		return nil, err
	}
	for k, v := range m {
		if _, ok := names[k]; !ok {
			return nil, c.Errorf("columns."+k, "unknown role (src_ip, src_port, dst_ip, dst_port, protocol, timestamp, label)")
		}
		names[k] = strings.TrimSpace(v)
	}
	layouts := []string{"%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"}
	if c.Has("time_format") {
		if layouts, err = c.Strings("time_format"); err != nil {
			return nil, err
		}
	} else {
		c.used["time_format"] = true
	}
	pmBelow, _, err := c.Int("pm_below_hour")
	if err != nil {
		return nil, err
	}
	if pmBelow < 0 || pmBelow > 12 {
		return nil, c.Errorf("pm_below_hour", "want 0–12, got %d", pmBelow)
	}
	var formats []*TimeFormat
	for _, s := range layouts {
		tf, err := ParseTimeFormat(s)
		if err != nil {
			return nil, c.Errorf("time_format", "%v", err)
		}
		tf.PMBelowHour = int(pmBelow)
		formats = append(formats, tf)
	}
	tzName, err := c.String("timezone", "UTC")
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(tzName)
	if err != nil {
		return nil, c.Errorf("timezone", "unknown time zone %q: %v", tzName, err)
	}
	tol, err := c.Duration("tolerance", 2*time.Minute)
	if err != nil {
		return nil, err
	}
	l.tolerance = int64(tol)
	enc, err := c.String("encoding", "utf-8")
	if err != nil {
		return nil, err
	}
	skipBad, err := c.Bool("skip_bad_rows", false)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(l.path)
	if err != nil {
		return nil, c.Errorf("path", "%v", err)
	}
	defer f.Close()
	r, err := NewDecoder(f, enc)
	if err != nil {
		return nil, c.Errorf("encoding", "%v", err)
	}
	key := ""
	if info, err := f.Stat(); err == nil {
		key = fmt.Sprintf("%s\x00%d\x00%d\x00%s\x00%v\x00%v\x00%d\x00%s\x00%v", l.path, info.Size(), info.ModTime().UnixNano(), enc, names, layouts, pmBelow, loc, skipBad)
	}
	gtCache.Lock()
	idx := gtCache.m[key]
	gtCache.Unlock()
	if idx == nil {
		gt, err := ReadGroundTruth(r, GroundTruthOptions{Columns: names, Formats: formats, Location: loc, SkipBadRows: skipBad, UTF8: enc == "" || strings.EqualFold(strings.ReplaceAll(enc, "-", ""), "utf8")})
		if err != nil {
			var ce *ColumnError
			if errors.As(err, &ce) {
				return nil, c.Errorf("columns."+ce.Role, "%s: %v", l.path, err)
			}
			return nil, c.Errorf("path", "%s: %v", l.path, err)
		}
		idx = buildIndex(gt)
		if key != "" {
			gtCache.Lock()
			if gtCache.m == nil {
				gtCache.m = map[string]*gtIndex{}
			}
			gtCache.m[key] = idx
			gtCache.Unlock()
		}
	}
	l.gtIndex = idx
	l.used = make([]atomic.Bool, len(idx.rows))
	l.perLabel = make([]atomic.Int64, len(idx.labels)+1) // last: default
	return l, nil
}

// GroundTruthOptions say how to read a ground-truth file.
type GroundTruthOptions struct {
	Columns     map[string]string // role → header name
	Formats     []*TimeFormat     // tried in order
	Location    *time.Location
	SkipBadRows bool
	UTF8        bool // replace invalid UTF-8 in labels with U+FFFD
}

// GroundTruthRow is one parsed row.
type GroundTruthRow struct {
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	Protocol         uint8
	Time             time.Time
	Label            string
	Line             int
}

// GroundTruth is a parsed file.
type GroundTruth struct {
	Rows      []GroundTruthRow
	EmptyRows int64 // rows with every field empty (CIC-IDS2017 Thursday)
	BadRows   int64 // skipped with SkipBadRows
}

// ColumnError reports a header without a needed column.
type ColumnError struct {
	Role, Name string
}

func (e *ColumnError) Error() string {
	return fmt.Sprintf("no column %q (for %s) in the header", e.Name, e.Role)
}

// ReadGroundTruth parses a ground-truth CSV already decoded to UTF-8. Errors
// name the line and column.
func ReadGroundTruth(r io.Reader, o GroundTruthOptions) (*GroundTruth, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("empty file: no header")
	}
	if err != nil {
		return nil, err
	}
	pos := map[string]int{}
	for _, col := range csvColumns {
		want := o.Columns[col.role]
		if want == "" {
			want = col.def
		}
		idx := -1
		for i, h := range header {
			h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
			if h == want {
				idx = i
				break
			}
			if idx < 0 && strings.EqualFold(h, want) {
				idx = i
			}
		}
		if idx < 0 {
			return nil, &ColumnError{Role: col.role, Name: want}
		}
		pos[col.role] = idx
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	gt := &GroundTruth{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		empty := true
		for _, f := range rec {
			if strings.TrimSpace(f) != "" {
				empty = false
				break
			}
		}
		if empty {
			gt.EmptyRows++
			continue
		}
		row, err := parseRow(rec, pos, o)
		if err != nil {
			if o.SkipBadRows {
				gt.BadRows++
				continue
			}
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		row.Line = line
		gt.Rows = append(gt.Rows, row)
	}
	return gt, nil
}

func field(rec []string, pos map[string]int, role string) (string, error) {
	i := pos[role]
	if i >= len(rec) {
		return "", fmt.Errorf("%s: row has %d fields, column is number %d", role, len(rec), i+1)
	}
	return strings.TrimSpace(rec[i]), nil
}

func parseRow(rec []string, pos map[string]int, o GroundTruthOptions) (GroundTruthRow, error) {
	var row GroundTruthRow
	get := func(role string) string {
		s, _ := field(rec, pos, role)
		return s
	}
	for _, role := range []string{"src_ip", "src_port", "dst_ip", "dst_port", "protocol", "timestamp", "label"} {
		if _, err := field(rec, pos, role); err != nil {
			return row, err
		}
	}
	var err error
	if row.Src, err = netip.ParseAddr(get("src_ip")); err != nil {
		return row, fmt.Errorf("src_ip: %w", err)
	}
	if row.Dst, err = netip.ParseAddr(get("dst_ip")); err != nil {
		return row, fmt.Errorf("dst_ip: %w", err)
	}
	row.Src, row.Dst = row.Src.Unmap(), row.Dst.Unmap()
	for _, p := range []struct {
		role string
		dst  *uint16
	}{{"src_port", &row.SrcPort}, {"dst_port", &row.DstPort}} {
		n, err := strconv.ParseUint(get(p.role), 10, 16)
		if err != nil {
			return row, fmt.Errorf("%s: %q is not a port", p.role, get(p.role))
		}
		*p.dst = uint16(n)
	}
	if row.Protocol, err = ParseProtocol(get("protocol")); err != nil {
		return row, fmt.Errorf("protocol: %w", err)
	}
	ts := get("timestamp")
	if len(o.Formats) == 0 {
		return row, errors.New("timestamp: no time format")
	}
	var lastErr error
	for _, tf := range o.Formats {
		t, err := tf.Parse(ts, o.Location)
		if err == nil {
			row.Time, lastErr = t, nil
			break
		}
		lastErr = err
	}
	if lastErr != nil {
		return row, fmt.Errorf("timestamp: %w", lastErr)
	}
	row.Label = get("label")
	if o.UTF8 {
		row.Label = strings.ToValidUTF8(row.Label, "\uFFFD")
	}
	return row, nil
}

func buildIndex(gt *GroundTruth) *gtIndex {
	l := &gtIndex{emptyRows: gt.EmptyRows, badRows: gt.BadRows}
	labelIdx := map[string]int32{}
	l.index = map[gtKey][]int32{}
	l.rows = make([]gtRow, len(gt.Rows))
	for i, r := range gt.Rows {
		li, ok := labelIdx[r.Label]
		if !ok {
			li = int32(len(l.labels))
			labelIdx[r.Label] = li
			l.labels = append(l.labels, r.Label)
		}
		l.rows[i] = gtRow{t: r.Time.UnixNano(), label: li, line: int32(r.Line)}
		k := makeKey(r.Src, r.Dst, r.SrcPort, r.DstPort, r.Protocol)
		l.index[k] = append(l.index[k], int32(i))
	}
	for _, ids := range l.index {
		sort.Slice(ids, func(a, b int) bool {
			ra, rb := l.rows[ids[a]], l.rows[ids[b]]
			if ra.t != rb.t {
				return ra.t < rb.t
			}
			return ra.line < rb.line
		})
	}
	return l
}

func (l *CSV) Name() string   { return "csv" }
func (l *CSV) Version() int   { return 1 }
func (l *CSV) Column() string { return l.column }

// Label returns the label of the row with the flow's 5-tuple (either
// direction) nearest in time to its first packet, within the tolerance.
// Ties go to the row earlier in the file.
func (l *CSV) Label(v features.View) string {
	l.flows.Add(1)
	f := l.facts.read(v)
	ids := l.index[makeKey(f.srcIP, f.dstIP, f.srcPort, f.dstPort, f.proto)]
	t := f.firstMs * int64(time.Millisecond)
	best, bestDist := int32(-1), int64(-1)
	conflict := false
	firstLabel := int32(-1)
	// rows sorted by time: start at the first row not before t − tolerance
	i := sort.Search(len(ids), func(i int) bool { return l.rows[ids[i]].t >= t-l.tolerance })
	for ; i < len(ids); i++ {
		r := l.rows[ids[i]]
		if r.t > t+l.tolerance {
			break
		}
		d := r.t - t
		if d < 0 {
			d = -d
		}
		if firstLabel < 0 {
			firstLabel = r.label
		} else if r.label != firstLabel {
			conflict = true
		}
		if best < 0 || d < bestDist || (d == bestDist && r.line < l.rows[best].line) {
			best, bestDist = ids[i], d
		}
	}
	if conflict {
		l.conflicts.Add(1)
	}
	if best < 0 {
		l.perLabel[len(l.labels)].Add(1)
		return l.def
	}
	l.matched.Add(1)
	l.used[best].Store(true)
	li := l.rows[best].label
	l.perLabel[li].Add(1)
	return l.labels[li]
}

// Report gives flows seen and matched, flows whose candidate rows within
// the tolerance disagreed, rows that matched no flow, rows skipped, and the
// flows per label.
func (l *CSV) Report() map[string]any {
	unused := int64(0)
	for i := range l.used {
		if !l.used[i].Load() {
			unused++
		}
	}
	labels := map[string]any{}
	for i := range l.perLabel {
		name := l.def
		if i < len(l.labels) {
			name = l.labels[i]
		}
		if n := l.perLabel[i].Load(); n > 0 {
			prev, _ := labels[name].(int64)
			labels[name] = prev + n
		}
	}
	return map[string]any{
		"flows":              l.flows.Load(),
		"matched_flows":      l.matched.Load(),
		"unmatched_flows":    l.flows.Load() - l.matched.Load(),
		"conflicting_flows":  l.conflicts.Load(),
		"rows":               int64(len(l.rows)),
		"rows_matched":       int64(len(l.rows)) - unused,
		"rows_unmatched":     unused,
		"empty_rows_skipped": l.emptyRows,
		"bad_rows_skipped":   l.badRows,
		"labels":             labels,
	}
}
