package manifests_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/pipeline"
)

// seg is one synthetic TCP segment of the build test's captures.
type seg struct {
	t            time.Time
	src, dst     string
	sport, dport uint16
	flags        byte // TCP header flags
	payload      int
}

// conn is a client→server conversation: SYN, SYN-ACK, ACK, optional data
// each way, FIN both ways, 1 ms apart.
func conn(t0 time.Time, src string, sport uint16, dst string, dport uint16, fwd, bwd int) []seg {
	var out []seg
	t := t0
	add := func(client bool, flags byte, n int) {
		s := seg{t, src, dst, sport, dport, flags, n}
		if !client {
			s.src, s.dst, s.sport, s.dport = dst, src, dport, sport
		}
		out = append(out, s)
		t = t.Add(time.Millisecond)
	}
	add(true, 0x02, 0)
	add(false, 0x12, 0)
	add(true, 0x10, 0)
	if fwd > 0 {
		add(true, 0x18, fwd)
	}
	if bwd > 0 {
		add(false, 0x18, bwd)
	}
	add(true, 0x11, 0)
	add(false, 0x11, 0)
	add(true, 0x10, 0)
	return out
}

// pcapOf writes the segments, sorted by time, as an Ethernet pcap (µs).
func pcapOf(segs []seg) []byte {
	sort.SliceStable(segs, func(i, j int) bool { return segs[i].t.Before(segs[j].t) })
	out := []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0}
	for _, s := range segs {
		b := make([]byte, 14+20+20+s.payload)
		b[12] = 0x08
		ip := b[14:]
		ip[0], ip[8], ip[9] = 0x45, 64, 6
		binary.BigEndian.PutUint16(ip[2:], uint16(40+s.payload))
		a, d := netip.MustParseAddr(s.src).As4(), netip.MustParseAddr(s.dst).As4()
		copy(ip[12:], a[:])
		copy(ip[16:], d[:])
		binary.BigEndian.PutUint16(ip[20:], s.sport)
		binary.BigEndian.PutUint16(ip[22:], s.dport)
		ip[32], ip[33] = 5<<4, s.flags
		binary.BigEndian.PutUint16(ip[34:], 8192)
		var h [16]byte
		us := s.t.UnixMicro()
		binary.LittleEndian.PutUint32(h[0:], uint32(us/1e6))
		binary.LittleEndian.PutUint32(h[4:], uint32(us%1e6))
		binary.LittleEndian.PutUint32(h[8:], uint32(len(b)))
		binary.LittleEndian.PutUint32(h[12:], uint32(len(b)))
		out = append(append(out, h[:]...), b...)
	}
	return out
}

// TestCICBuild builds manifests/cic.toml end to end (pipeline.Build, CSV
// output) from five synthetic day captures, Wednesday in the older
// spelling, and checks the labels written, which the pipeline computes from
// cached records (no meter flow), and a few cic columns.
func TestCICBuild(t *testing.T) {
	adt := time.FixedZone("ADT", -3*3600)
	at := func(day int, hms string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", fmt.Sprintf("2017-07-%02d %s", day, hms), adt)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	const atk, web, kali = "172.16.0.1", "192.168.10.50", "205.174.165.73"
	days := map[string][]seg{
		"Monday-WorkingHours.pcap":    conn(at(3, "10:00:00"), atk, 40001, web, 21, 10, 10),
		"Tuesday-WorkingHours.pcap":   append(conn(at(4, "09:30:00"), atk, 40002, web, 21, 10, 10), conn(at(4, "09:31:00"), atk, 40003, web, 21, 0, 10)...),
		"Wednesday-WorkingHours.pcap": append(conn(at(5, "10:50:00"), atk, 40004, web, 80, 300, 0), conn(at(5, "15:20:00"), atk, 40005, "192.168.10.51", 444, 10, 900)...),
		"Thursday-WorkingHours.pcap":  append(conn(at(6, "10:20:00"), atk, 40006, web, 80, 300, 900), conn(at(6, "14:30:00"), "192.168.10.8", 40007, kali, 444, 10, 10)...),
		"Friday-WorkingHours.pcap": append(append(conn(at(7, "10:10:00"), kali, 8080, "192.168.10.9", 40008, 100, 100),
			conn(at(7, "14:00:00"), atk, 40009, web, 8443, 0, 0)...), conn(at(7, "16:00:00"), atk, 40010, web, 80, 20, 0)...),
	}
	dir := t.TempDir()
	for name, segs := range days {
		if err := os.WriteFile(filepath.Join(dir, name), pcapOf(segs), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The recipe as shipped, with CSV output into the test's directory.
	src, err := os.ReadFile("cic.toml")
	if err != nil {
		t.Fatal(err)
	}
	src = append(src, []byte("\n")...)
	manifest := filepath.Join(t.TempDir(), "cic.toml")
	text := string(src)
	text = replaceOnce(t, text, "format = \"parquet\"", "format = \"csv\"")
	if err := os.WriteFile(manifest, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := pipeline.Load(manifest)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	lookup := func(k string) (string, bool) {
		if k == "CIC_IDS2017_DIR" {
			return dir, true
		}
		return "", false
	}
	plan, err := pipeline.MakePlan(context.Background(), m, pipeline.PlanOptions{LookupEnv: lookup, Output: out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Build(context.Background(), plan, pipeline.BuildOptions{Jobs: 1}); err != nil {
		t.Fatal(err)
	}
	tab, err := pipeline.ReadDataset(out)
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, c := range tab.Columns {
		col[c] = i
	}
	got := map[string]string{}
	for _, r := range tab.Rows {
		key := fmt.Sprintf("%s %s:%s", r[col["source"]].Str, r[col["src_ip"]].Str, r[col["src_port"]])
		got[key] = fmt.Sprintf("%s | %s | Fwd %s", r[col["label"]].Str, r[col["Flow ID"]].Str, r[col["Total Length of Fwd Packets"]])
	}
	want := map[string]string{
		"Monday-WorkingHours.pcap 172.16.0.1:40001":     "BENIGN | 172.16.0.1-192.168.10.50-40001-21-6 | Fwd 10",
		"Tuesday-WorkingHours.pcap 172.16.0.1:40002":    "FTP-Patator | 172.16.0.1-192.168.10.50-40002-21-6 | Fwd 10",
		"Tuesday-WorkingHours.pcap 172.16.0.1:40003":    "FTP-Patator - Attempted | 172.16.0.1-192.168.10.50-40003-21-6 | Fwd 0",
		"Wednesday-WorkingHours.pcap 172.16.0.1:40004":  "DoS Hulk | 172.16.0.1-192.168.10.50-40004-80-6 | Fwd 300",
		"Wednesday-WorkingHours.pcap 172.16.0.1:40005":  "Heartbleed | 172.16.0.1-192.168.10.51-40005-444-6 | Fwd 10",
		"Thursday-WorkingHours.pcap 172.16.0.1:40006":   "Web Attack - XSS | 172.16.0.1-192.168.10.50-40006-80-6 | Fwd 300",
		"Thursday-WorkingHours.pcap 192.168.10.8:40007": "Infiltration | 192.168.10.8-205.174.165.73-40007-444-6 | Fwd 10",
		"Friday-WorkingHours.pcap 205.174.165.73:8080":  "Bot | 205.174.165.73-192.168.10.9-8080-40008-6 | Fwd 100",
		"Friday-WorkingHours.pcap 172.16.0.1:40009":     "PortScan | 172.16.0.1-192.168.10.50-40009-8443-6 | Fwd 0",
		"Friday-WorkingHours.pcap 172.16.0.1:40010":     "DDoS | 172.16.0.1-192.168.10.50-40010-80-6 | Fwd 20",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dataset rows (-want +got):\n%s", diff)
	}
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	i := strings.Index(s, old)
	if i < 0 {
		t.Fatalf("%q not in the manifest", old)
	}
	return s[:i] + new + s[i+len(old):]
}
