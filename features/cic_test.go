package features_test

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/meter"
)

// cicFlows meters a classic pcap of the corpus with base + cic and returns,
// per flow, the cic columns by name.
func cicFlows(t *testing.T, name string, original bool) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "shared", "corpus", "nfstream", "pcaps", name))
	if err != nil {
		t.Skipf("corpus absent: %v", err)
	}
	ext, err := features.NewExtractor([]features.Request{{Name: "base"}, {Name: "cic", Options: features.Options{"original": original}}},
		features.Env{IdleTimeoutSec: 120, ActiveTimeoutSec: 1800})
	if err != nil {
		t.Fatal(err)
	}
	schema := ext.Schema()
	var out []map[string]any
	id := int64(0)
	m := meter.New(meter.Config{IdleTimeoutMs: 120_000, ActiveTimeoutMs: 1_800_000, Hooks: ext.Hooks(),
		Emit: func(f *meter.Flow) {
			rec := ext.Record(id, f)
			id++
			row := map[string]any{}
			start := schema.Index("Flow ID")
			for i := start; i < len(schema); i++ {
				switch schema[i].Kind {
				case features.Int:
					row[schema[i].Name] = rec[i].Int
				case features.Float:
					row[schema[i].Name] = rec[i].Float
				case features.String:
					row[schema[i].Name] = rec[i].Str
				}
			}
			out = append(out, row)
		}})
	bo := binary.LittleEndian
	if bo.Uint32(data) != 0xa1b2c3d4 {
		t.Fatalf("%s: want a little-endian µs pcap", name)
	}
	lt := bo.Uint32(data[20:])
	for off := 24; off+16 <= len(data); {
		sec, us := int64(bo.Uint32(data[off:])), int64(bo.Uint32(data[off+4:]))
		incl, wire := int(bo.Uint32(data[off+8:])), bo.Uint32(data[off+12:])
		off += 16
		m.ProcessFrame(lt, data[off:off+incl], wire, meter.TimeMs(sec*1e9+us*1e3), uint64(sec*1e6+us))
		off += incl
	}
	m.Flush()
	return out
}

// sampleStd is the two-pass sample standard deviation, for the hand checks.
func sampleStd(xs ...float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	mean := 0.0
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	ss := 0.0
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return math.Sqrt(ss / float64(len(xs)-1))
}

// TestCICHandComputed checks every cic column of three flows of the corpus
// capture malware.pcap against values worked out by hand from its packets
// (tcpdump -e -tt), in both modes. Times are the captured microseconds.
//
//	DNS  192.168.7.7:42370 → 1.1.1.1:53 UDP, 2 packets 23.721 ms apart,
//	     payloads 64 (frame 106) and 68 (frame 110)
//	ICMP 192.168.7.7 → 144.139.247.220 echo request, 1 packet
//	TLS  192.168.7.7:35236 → 67.215.92.210:443, 20 packets over 643.601 ms
//	     (listing in the test); server ACKs come in 60-byte frames: 6 bytes
//	     of Ethernet padding that CICFlowMeter counts as payload
func TestCICHandComputed(t *testing.T) {
	const first = 1569579416636584
	// The TLS flow, packet by packet: µs after 10:16:56 (1569579416 s),
	// direction, payload (padding included).
	type p struct {
		us  int64
		fwd bool
		pl  float64
	}
	tls := []p{
		{636584, true, 0}, {828379, false, 0}, {828406, true, 0}, {830077, true, 517}, {1018328, false, 6},
		{1029746, false, 1460}, {1029778, true, 0}, {1029821, false, 1460}, {1029833, true, 0}, {1030048, false, 1460},
		{1030065, true, 0}, {1030085, false, 690}, {1030097, true, 0}, {1039098, true, 126}, {1039640, true, 31},
		{1279513, false, 6}, {1279812, false, 274}, {1279983, true, 0}, {1280169, false, 6}, {1280185, true, 0},
	}
	var all, fwd, bwd, gaps, fgaps, bgaps []float64
	var lastF, lastB int64 = -1, -1
	for i, x := range tls {
		all = append(all, x.pl)
		if i > 0 {
			gaps = append(gaps, float64(x.us-tls[i-1].us))
		}
		if x.fwd {
			fwd = append(fwd, x.pl)
			if lastF >= 0 {
				fgaps = append(fgaps, float64(x.us-lastF))
			}
			lastF = x.us
		} else {
			bwd = append(bwd, x.pl)
			if lastB >= 0 {
				bgaps = append(bgaps, float64(x.us-lastB))
			}
			lastB = x.us
		}
	}
	common := map[string]map[string]any{
		"dns": {
			"Flow ID": "192.168.7.7-1.1.1.1-42370-53-17", "Source IP": "192.168.7.7", "Source Port": int64(42370),
			"Destination IP": "1.1.1.1", "Destination Port": int64(53), "Protocol": int64(17),
			"Flow Duration": int64(23721), "Total Fwd Packets": int64(1), "Total Backward Packets": int64(1),
			"Total Length of Fwd Packets": int64(64), "Total Length of Bwd Packets": int64(68),
			"Fwd Packet Length Max": int64(64), "Fwd Packet Length Min": int64(64), "Fwd Packet Length Mean": 64.0, "Fwd Packet Length Std": 0.0,
			"Bwd Packet Length Max": int64(68), "Bwd Packet Length Min": int64(68), "Bwd Packet Length Mean": 68.0, "Bwd Packet Length Std": 0.0,
			"Flow Bytes/s": 132 / 0.023721, "Flow Packets/s": 2 / 0.023721,
			"Flow IAT Mean": 23721.0, "Flow IAT Std": 0.0, "Flow IAT Max": int64(23721), "Flow IAT Min": int64(23721),
			"Fwd IAT Total": int64(0), "Fwd IAT Mean": 0.0, "Fwd IAT Std": 0.0, "Fwd IAT Max": int64(0), "Fwd IAT Min": int64(0),
			"Bwd IAT Total": int64(0), "Bwd IAT Mean": 0.0, "Bwd IAT Std": 0.0, "Bwd IAT Max": int64(0), "Bwd IAT Min": int64(0),
			"Fwd PSH Flags": int64(0), "Bwd PSH Flags": int64(0), "Fwd URG Flags": int64(0), "Bwd URG Flags": int64(0),
			"Fwd Header Length": int64(8), "Bwd Header Length": int64(8),
			"Fwd Packets/s": 1 / 0.023721, "Bwd Packets/s": 1 / 0.023721,
			"Min Packet Length": int64(64), "Max Packet Length": int64(68),
			"FIN Flag Count": int64(0), "SYN Flag Count": int64(0), "RST Flag Count": int64(0), "PSH Flag Count": int64(0),
			"ACK Flag Count": int64(0), "URG Flag Count": int64(0), "CWE Flag Count": int64(0), "ECE Flag Count": int64(0),
			"Down/Up Ratio": 1.0, "Avg Fwd Segment Size": 64.0, "Avg Bwd Segment Size": 68.0,
			"Fwd Avg Bytes/Bulk": 0.0, "Fwd Avg Packets/Bulk": 0.0, "Fwd Avg Bulk Rate": 0.0,
			"Bwd Avg Bytes/Bulk": 0.0, "Bwd Avg Packets/Bulk": 0.0, "Bwd Avg Bulk Rate": 0.0,
			"Init_Win_bytes_forward": int64(0), "Init_Win_bytes_backward": int64(0), "min_seg_size_forward": int64(8),
			"Active Mean": 0.0, "Active Std": 0.0, "Active Max": int64(0), "Active Min": int64(0),
		},
		"icmp": {
			"Source IP": "192.168.7.7", "Source Port": int64(0), "Destination IP": "144.139.247.220", "Destination Port": int64(0),
			"Flow Duration": int64(0), "Total Fwd Packets": int64(1), "Total Backward Packets": int64(0),
			"Total Length of Fwd Packets": int64(0), "Total Length of Bwd Packets": int64(0),
			"Fwd Packet Length Max": int64(0), "Fwd Packet Length Min": int64(0), "Fwd Packet Length Mean": 0.0, "Fwd Packet Length Std": 0.0,
			"Bwd Packet Length Max": int64(0), "Bwd Packet Length Min": int64(0), "Bwd Packet Length Mean": 0.0, "Bwd Packet Length Std": 0.0,
			"Flow IAT Mean": 0.0, "Flow IAT Std": 0.0, "Flow IAT Max": int64(0), "Flow IAT Min": int64(0),
			"Fwd IAT Total": int64(0), "Fwd IAT Mean": 0.0, "Fwd IAT Std": 0.0, "Fwd IAT Max": int64(0), "Fwd IAT Min": int64(0),
			"Bwd IAT Total": int64(0), "Bwd IAT Mean": 0.0, "Bwd IAT Std": 0.0, "Bwd IAT Max": int64(0), "Bwd IAT Min": int64(0),
			"Fwd PSH Flags": int64(0), "Bwd PSH Flags": int64(0), "Fwd URG Flags": int64(0), "Bwd URG Flags": int64(0),
			"Fwd Header Length": int64(0), "Bwd Header Length": int64(0), "Fwd Packets/s": 0.0, "Bwd Packets/s": 0.0,
			"Min Packet Length": int64(0), "Max Packet Length": int64(0), "Packet Length Mean": 0.0, "Packet Length Std": 0.0, "Packet Length Variance": 0.0,
			"FIN Flag Count": int64(0), "SYN Flag Count": int64(0), "RST Flag Count": int64(0), "PSH Flag Count": int64(0),
			"ACK Flag Count": int64(0), "URG Flag Count": int64(0), "CWE Flag Count": int64(0), "ECE Flag Count": int64(0),
			"Down/Up Ratio": 0.0, "Average Packet Size": 0.0, "Avg Fwd Segment Size": 0.0, "Avg Bwd Segment Size": 0.0,
			"Fwd Avg Bytes/Bulk": 0.0, "Fwd Avg Packets/Bulk": 0.0, "Fwd Avg Bulk Rate": 0.0,
			"Bwd Avg Bytes/Bulk": 0.0, "Bwd Avg Packets/Bulk": 0.0, "Bwd Avg Bulk Rate": 0.0,
			"Subflow Fwd Bytes": 0.0, "Subflow Bwd Packets": 0.0, "Subflow Bwd Bytes": 0.0,
			"Init_Win_bytes_forward": int64(0), "Init_Win_bytes_backward": int64(0), "act_data_pkt_fwd": int64(0), "min_seg_size_forward": int64(0),
			"Active Mean": 0.0, "Active Std": 0.0, "Active Max": int64(0), "Active Min": int64(0),
		},
		"tls": {
			"Flow ID": "192.168.7.7-67.215.92.210-35236-443-6", "Source IP": "192.168.7.7", "Source Port": int64(35236),
			"Destination IP": "67.215.92.210", "Destination Port": int64(443), "Protocol": int64(6),
			"Flow Duration": int64(643601), "Total Fwd Packets": int64(11), "Total Backward Packets": int64(9),
			"Total Length of Fwd Packets": int64(674), "Total Length of Bwd Packets": int64(5362),
			"Fwd Packet Length Max": int64(517), "Fwd Packet Length Min": int64(0), "Fwd Packet Length Mean": 674.0 / 11, "Fwd Packet Length Std": sampleStd(fwd...),
			"Bwd Packet Length Max": int64(1460), "Bwd Packet Length Min": int64(0), "Bwd Packet Length Mean": 5362.0 / 9, "Bwd Packet Length Std": sampleStd(bwd...),
			"Flow Bytes/s": 6036 / 0.643601, "Flow Packets/s": 20 / 0.643601,
			"Flow IAT Mean": 643601.0 / 19, "Flow IAT Std": sampleStd(gaps...), "Flow IAT Max": int64(239873), "Flow IAT Min": int64(12),
			"Fwd IAT Total": int64(643601), "Fwd IAT Mean": 64360.1, "Fwd IAT Std": sampleStd(fgaps...), "Fwd IAT Max": int64(240343), "Fwd IAT Min": int64(32),
			"Bwd IAT Total": int64(451790), "Bwd IAT Mean": 56473.75, "Bwd IAT Std": sampleStd(bgaps...), "Bwd IAT Max": int64(249428), "Bwd IAT Min": int64(37),
			"Fwd Header Length": int64(32 + 10*20), "Bwd Header Length": int64(32 + 8*20),
			"Fwd Packets/s": 11 / 0.643601, "Bwd Packets/s": 9 / 0.643601,
			"Min Packet Length": int64(0), "Max Packet Length": int64(1460),
			"FIN Flag Count": int64(2), "SYN Flag Count": int64(2), "RST Flag Count": int64(2), "PSH Flag Count": int64(5),
			"ACK Flag Count": int64(17), "URG Flag Count": int64(0), "CWE Flag Count": int64(0), "ECE Flag Count": int64(0),
			"Average Packet Size": 6036.0 / 20, "Avg Fwd Segment Size": 674.0 / 11, "Avg Bwd Segment Size": 5362.0 / 9,
			"Fwd Avg Bytes/Bulk": 0.0, "Fwd Avg Packets/Bulk": 0.0, "Fwd Avg Bulk Rate": 0.0,
			"Init_Win_bytes_forward": int64(64240), "act_data_pkt_fwd": int64(3), "min_seg_size_forward": int64(20),
			"Active Mean": 0.0, "Active Std": 0.0, "Active Max": int64(0), "Active Min": int64(0),
		},
	}
	// What differs between the modes.
	modes := map[bool]map[string]map[string]any{
		false: { // Engelen et al.'s corrected CICFlowMeter
			"dns": {"Timestamp": "2019-09-27 08:04:26.977364", "Packet Length Mean": 66.0, "Packet Length Std": math.Sqrt(8), "Packet Length Variance": 8.0,
				"Average Packet Size": 66.0, "act_data_pkt_fwd": int64(1),
				"Subflow Fwd Packets": 0.0, "Subflow Fwd Bytes": 0.0, "Subflow Bwd Packets": 0.0, "Subflow Bwd Bytes": 0.0,
				"Idle Mean": 0.0, "Idle Std": 0.0, "Idle Max": int64(0), "Idle Min": int64(0)},
			"icmp": {"Flow ID": "192.168.7.7-144.139.247.220-0-0-1", "Protocol": int64(1), "Timestamp": "2019-09-27 08:04:30.672893",
				"Flow Bytes/s": -1.0, "Flow Packets/s": -1.0, "Subflow Fwd Packets": 0.0,
				"Idle Mean": 0.0, "Idle Std": 0.0, "Idle Max": int64(0), "Idle Min": int64(0)},
			"tls": {"Timestamp": "2019-09-27 10:16:56.636584",
				"Fwd PSH Flags": int64(3), "Bwd PSH Flags": int64(2), "Fwd URG Flags": int64(0), "Bwd URG Flags": int64(0),
				"Packet Length Mean": 6036.0 / 20, "Packet Length Std": sampleStd(all...), "Packet Length Variance": sampleStd(all...) * sampleStd(all...),
				"Down/Up Ratio": 9.0 / 11,
				// one backward bulk: P5–P12 (4 packets at P10, then P12), 11.757 ms
				"Bwd Avg Bytes/Bulk": 5076.0, "Bwd Avg Packets/Bulk": 5.0, "Bwd Avg Bulk Rate": 5076 / 0.011757,
				"Subflow Fwd Packets": 0.0, "Subflow Fwd Bytes": 0.0, "Subflow Bwd Packets": 0.0, "Subflow Bwd Bytes": 0.0,
				"Init_Win_bytes_backward": int64(29200),
				"Idle Mean":               0.0, "Idle Std": 0.0, "Idle Max": int64(0), "Idle Min": int64(0)},
		},
		true: { // CICFlowMeter 4.0
			"dns": {"Timestamp": "27/09/2019 08:04:26 AM",
				"Packet Length Mean": 196.0 / 3, "Packet Length Std": sampleStd(64, 64, 68), "Packet Length Variance": sampleStd(64, 64, 68) * sampleStd(64, 64, 68),
				"Average Packet Size": 98.0, "act_data_pkt_fwd": int64(0),
				"Subflow Fwd Packets": 0.0, "Subflow Fwd Bytes": 32.0, "Subflow Bwd Packets": 0.0, "Subflow Bwd Bytes": 34.0,
				"Idle Mean": 1569571466977364.0, "Idle Std": 0.0, "Idle Max": int64(1569571466977364), "Idle Min": int64(1569571466977364)},
			"icmp": {"Flow ID": "192.168.7.7-144.139.247.220-0-0-0", "Protocol": int64(0), "Timestamp": "27/09/2019 08:04:30 AM",
				"Flow Bytes/s": math.NaN(), "Flow Packets/s": math.Inf(1),
				"Subflow Fwd Packets": 1.0, // one "subflow" per packet: 1/1
				"Idle Mean":           1569571470672893.0, "Idle Std": 0.0, "Idle Max": int64(1569571470672893), "Idle Min": int64(1569571470672893)},
			"tls": {"Timestamp": "27/09/2019 10:16:56 AM",
				"Fwd PSH Flags": int64(0), "Bwd PSH Flags": int64(0), "Fwd URG Flags": int64(0), "Bwd URG Flags": int64(0),
				"Packet Length Mean": 6036.0 / 21, "Packet Length Std": sampleStd(append(all, 0)...), "Packet Length Variance": sampleStd(append(all, 0)...) * sampleStd(append(all, 0)...),
				"Down/Up Ratio": 0.0,
				// every payload packet in one "backward" bulk from P4: 11
				// packets, 6036 bytes, P4 to P19: 450.092 ms (4.0 truncates the rate)
				"Bwd Avg Bytes/Bulk": 6036.0, "Bwd Avg Packets/Bulk": 11.0, "Bwd Avg Bulk Rate": 13410.0,
				"Subflow Fwd Packets": 0.0, "Subflow Fwd Bytes": 33.0, "Subflow Bwd Packets": 0.0, "Subflow Bwd Bytes": 268.0,
				"Init_Win_bytes_backward": int64(237),
				"Idle Mean":               float64(first), "Idle Std": 0.0, "Idle Max": int64(first), "Idle Min": int64(first)},
		},
	}
	index := map[string]int{"dns": 0, "icmp": 1, "tls": 4}
	for _, original := range []bool{false, true} {
		rows := cicFlows(t, "malware.pcap", original)
		if len(rows) != 5 {
			t.Fatalf("%d flows, want 5", len(rows))
		}
		for name, i := range index {
			want := map[string]any{}
			for k, v := range common[name] {
				want[k] = v
			}
			for k, v := range modes[original][name] {
				want[k] = v
			}
			if len(want) != len(rows[i]) {
				for k := range rows[i] {
					if _, ok := want[k]; !ok {
						t.Errorf("original=%v %s: no expected value for %q", original, name, k)
					}
				}
			}
			if diff := cmp.Diff(want, rows[i], cmpopts.EquateApprox(1e-12, 0), cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("original=%v %s (-want +got):\n%s", original, name, diff)
			}
		}
	}
}

// TestCICColumnsDocumented: every cic column has a doc line, and its name
// appears in docs/cic.md.
func TestCICColumnsDocumented(t *testing.T) {
	spec, ok := features.Lookup("cic")
	if !ok {
		t.Fatal("cic not registered")
	}
	set, err := spec.New(features.Options{"original": false}, features.Env{})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "cic.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range set.Columns() {
		if c.Doc == "" {
			t.Errorf("%s: no doc", c.Name)
		}
		if !containsStr(string(doc), c.Name) {
			t.Errorf("docs/cic.md does not mention %q", c.Name)
		}
	}
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
