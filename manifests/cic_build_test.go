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

// TestCICNFStreamBuild builds manifests/cic-nfstream.toml end to end: the
// captures hold a duplicated frame (dedup_window), two frames out of order
// (reorder), a UDP datagram (BPF keeps it, rules need TCP) and an ICMP
// packet (BPF drops it); tcp_teardown ends each connection at the client's
// FIN, so the server's FIN becomes a flow of its own. The client's last ACK
// never shows: the synthetic segments carry no sequence numbers, so it is
// byte for byte the handshake's ACK, and dedup_window drops it.
func TestCICNFStreamBuild(t *testing.T) {
	adt := time.FixedZone("ADT", -3*3600)
	at := func(day int, hms string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", fmt.Sprintf("2017-07-%02d %s", day, hms), adt)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	const atk, web = "172.16.0.1", "192.168.10.50"
	tue := conn(at(4, "09:30:00"), atk, 40002, web, 21, 10, 10)
	tue = append(tue, tue[3]) // the client's data segment, captured twice
	wed := conn(at(5, "09:50:00"), atk, 40004, web, 80, 300, 0)
	fri := conn(at(7, "15:55:00"), atk, 40010, web, 80, 0, 0) // DDoS without payload
	days := map[string][]byte{
		"Monday-WorkingHours.pcap":    pcapOf(conn(at(3, "10:00:00"), atk, 40001, web, 21, 10, 10)),
		"Tuesday-WorkingHours.pcap":   dupLast(pcapOf(tue[:len(tue)-1])),
		"Wednesday-workingHours.pcap": swapFirstTwo(pcapOf(wed)),
		"Thursday-WorkingHours.pcap":  withICMPAndUDP(pcapOf(conn(at(6, "10:20:00"), atk, 40006, web, 80, 300, 900))),
		"Friday-WorkingHours.pcap":    pcapOf(fri),
	}
	dir := t.TempDir()
	for name, b := range days {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tab := buildRecipe(t, "cic-nfstream.toml", dir)
	col := map[string]int{}
	for i, c := range tab.Columns {
		col[c] = i
	}
	got := map[string]string{}
	for _, r := range tab.Rows {
		key := fmt.Sprintf("%s %s:%s>%s:%s", r[col["source"]].Str[:3], r[col["src_ip"]].Str, r[col["src_port"]], r[col["dst_ip"]].Str, r[col["dst_port"]])
		got[key] += fmt.Sprintf("[%s pk=%s exp=%s]", r[col["label"]].Str, r[col["bidirectional_packets"]], r[col["expiration_id"]])
	}
	want := map[string]string{
		"Mon 172.16.0.1:40001>192.168.10.50:21": "[BENIGN pk=6 exp=-1]",
		"Mon 192.168.10.50:21>172.16.0.1:40001": "[BENIGN pk=1 exp=-1]",
		// 6 packets: the duplicated data segment was dropped
		"Tue 172.16.0.1:40002>192.168.10.50:21": "[FTP-Patator pk=6 exp=-1]",
		"Tue 192.168.10.50:21>172.16.0.1:40002": "[BENIGN pk=1 exp=-1]",
		// reordered: the SYN comes first again, so the client starts the flow
		"Wed 172.16.0.1:40004>192.168.10.50:80": "[DoS slowloris pk=5 exp=-1]",
		"Wed 192.168.10.50:80>172.16.0.1:40004": "[BENIGN pk=1 exp=-1]",
		"Thu 172.16.0.1:40006>192.168.10.50:80": "[Web Attack - XSS pk=6 exp=-1]",
		"Thu 192.168.10.50:80>172.16.0.1:40006": "[BENIGN pk=1 exp=-1]",
		"Thu 172.16.0.1:40006>192.168.10.50:53": "[BENIGN pk=1 exp=0]",
		"Fri 172.16.0.1:40010>192.168.10.50:80": "[BENIGN pk=4 exp=-1]",
		"Fri 192.168.10.50:80>172.16.0.1:40010": "[BENIGN pk=1 exp=-1]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dataset rows (-want +got):\n%s", diff)
	}
}

// buildRecipe builds a shipped manifest into CSV with CIC_IDS2017_DIR=dir.
func buildRecipe(t *testing.T, name, dir string) *pipeline.Table {
	t.Helper()
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(t.TempDir(), name)
	text := replaceOnce(t, string(src), "format = \"parquet\"", "format = \"csv\"")
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
	return tab
}

// records splits a pcap into its header and records.
func records(p []byte) (hdr []byte, recs [][]byte) {
	hdr = p[:24]
	for off := 24; off < len(p); {
		n := int(binary.LittleEndian.Uint32(p[off+8:]))
		recs = append(recs, p[off:off+16+n])
		off += 16 + n
	}
	return hdr, recs
}

func join(hdr []byte, recs [][]byte) []byte {
	out := append([]byte(nil), hdr...)
	for _, r := range recs {
		out = append(out, r...)
	}
	return out
}

// dupLast appends a copy of the 4th record (same bytes, 1 µs later) — the
// frame dedup_window must drop.
func dupLast(p []byte) []byte {
	hdr, recs := records(p)
	d := append([]byte(nil), recs[3]...)
	binary.LittleEndian.PutUint32(d[4:], binary.LittleEndian.Uint32(d[4:])+1)
	recs = append(recs[:4], append([][]byte{d}, recs[4:]...)...)
	return join(hdr, recs)
}

// swapFirstTwo writes the SYN-ACK before the SYN: reorder puts them back.
func swapFirstTwo(p []byte) []byte {
	hdr, recs := records(p)
	recs[0], recs[1] = recs[1], recs[0]
	return join(hdr, recs)
}

// withICMPAndUDP appends an ICMP echo and a UDP datagram after the last
// record: the first copied from the SYN with protocol 1, the second with
// protocol 17 and ports 40006 → 53.
func withICMPAndUDP(p []byte) []byte {
	hdr, recs := records(p)
	last := recs[len(recs)-1]
	icmp := append([]byte(nil), last...)
	icmp[16+14+9] = 1
	udp := append([]byte(nil), recs[0]...)
	binary.LittleEndian.PutUint32(udp[0:], binary.LittleEndian.Uint32(last[0:])+1)
	udp[16+14+9] = 17
	binary.BigEndian.PutUint16(udp[16+14+20+2:], 53)
	binary.BigEndian.PutUint16(udp[16+14+20+4:], 20+8)
	return join(hdr, append(recs, icmp, udp))
}
