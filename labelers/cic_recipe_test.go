package labelers_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/labelers"
)

// adt is the capture site's zone in July 2017 (UTC−3): the schedules'
// clock. Packets are written at UTC instants; the recipes must place them.
var adt = time.FixedZone("ADT", -3*3600)

func at(day int, hms string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05.000", fmt.Sprintf("2017-07-%02d %s", day, hms), adt)
	if err != nil {
		panic(err)
	}
	return t
}

// flowCase is one synthetic conversation and the label the recipe must give.
type flowCase struct {
	name string
	pkts []pkt
	want string
}

const (
	attacker = "172.16.0.1"
	web      = "192.168.10.50"
	ubuntu12 = "192.168.10.51"
	vista    = "192.168.10.8"
	kali     = "205.174.165.73"
)

// checkRecipe runs every case's packets as one capture through the
// manifest's labelers and compares each flow's label, matched by the first
// packet's source port (unique per case).
func checkRecipe(t *testing.T, manifest string, sets []string, cases []flowCase) []labelers.Labeler {
	t.Helper()
	tables, idle, active := manifestLabels(t, manifest)
	ls, err := labelers.Build(tables, filepath.Dir(manifest))
	if err != nil {
		t.Fatal(err)
	}
	var all []pkt
	want := map[string]string{}
	for _, c := range cases {
		all = append(all, c.pkts...)
		p := c.pkts[0]
		want[fmt.Sprintf("%s:%d>%s:%d/%d", p.src, p.sport, p.dst, p.dport, p.proto)] = c.name + ": " + c.want
	}
	rows := runPkts(t, all, sets, idle, active, ls)
	got := map[string]string{}
	for _, r := range rows {
		k := fmt.Sprintf("%s:%d>%s:%d/%d", r.str("src_ip"), r.int("src_port"), r.str("dst_ip"), r.int("dst_port"), r.int("protocol"))
		name := "?"
		for _, c := range cases {
			p := c.pkts[0]
			if fmt.Sprintf("%s:%d>%s:%d/%d", p.src, p.sport, p.dst, p.dport, p.proto) == k {
				name = c.name
			}
		}
		got[k] = name + ": " + r.str("label")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	return ls
}

// TestCICRecipe checks manifests/cic.toml (Engelen et al. 2021) on flows
// placed at the schedule's addresses and times, at the window edges, in
// the wrong direction, without payload, and benign traffic around them.
func TestCICRecipe(t *testing.T) {
	sport := uint16(20000)
	conn := func(start time.Time, src, dst string, dport uint16, fwd, bwd int) []pkt {
		sport++
		return tcpConn(start, src, sport, dst, dport, fwd, bwd)
	}
	udp := func(start time.Time, src, dst string, dport uint16) []pkt {
		sport++
		return []pkt{udpPkt(start, src, sport, dst, dport, 40), udpPkt(start.Add(time.Millisecond), dst, dport, src, sport, 40)}
	}
	// server-started: the first packet comes from the C&C's port 8080
	rev := func(start time.Time, server string, sport8080 uint16, client string, cport uint16) []pkt {
		return tcpConn(start, server, sport8080, client, cport, 100, 100)
	}
	cases := []flowCase{
		{"monday ftp", conn(at(3, "10:00:00.000"), attacker, web, 21, 50, 50), "BENIGN"},
		{"ftp before window", conn(at(4, "09:16:59.999"), attacker, web, 21, 50, 50), "BENIGN"},
		{"ftp window opens", conn(at(4, "09:17:00.000"), attacker, web, 21, 50, 50), "FTP-Patator"},
		{"ftp", conn(at(4, "09:40:00.000"), attacker, web, 21, 50, 50), "FTP-Patator"},
		{"ftp no payload", conn(at(4, "09:41:00.000"), attacker, web, 21, 0, 50), "FTP-Patator - Attempted"},
		{"ftp udp no payload suffix", udp(at(4, "09:42:00.000"), attacker, web, 21), "FTP-Patator"},
		{"ftp last second", conn(at(4, "10:30:00.999"), attacker, web, 21, 50, 50), "FTP-Patator"},
		{"ftp after window", conn(at(4, "10:30:01.000"), attacker, web, 21, 50, 50), "BENIGN"},
		{"ftp wrong direction", conn(at(4, "09:45:00.000"), web, attacker, 21, 50, 50), "BENIGN"},
		{"tuesday benign", conn(at(4, "09:50:00.000"), "192.168.10.5", "8.8.8.8", 443, 50, 500), "BENIGN"},
		{"ssh", conn(at(4, "14:00:00.000"), attacker, web, 22, 50, 50), "SSH-Patator"},
		{"slowloris", conn(at(5, "09:50:00.000"), attacker, web, 80, 50, 0), "DoS slowloris"},
		{"slowhttptest", conn(at(5, "10:20:00.000"), attacker, web, 80, 50, 0), "DoS Slowhttptest"},
		{"hulk", conn(at(5, "10:50:00.000"), attacker, web, 80, 50, 0), "DoS Hulk"},
		{"hulk attempted", conn(at(5, "10:51:00.000"), attacker, web, 80, 0, 0), "DoS Hulk - Attempted"},
		{"goldeneye", conn(at(5, "11:15:00.000"), attacker, web, 80, 50, 0), "DoS GoldenEye"},
		{"between dos windows", conn(at(5, "11:09:30.000"), attacker, web, 80, 50, 0), "BENIGN"},
		{"heartbleed", conn(at(5, "15:20:00.000"), attacker, ubuntu12, 444, 50, 5000), "Heartbleed"},
		{"heartbleed wrong port", conn(at(5, "15:21:00.000"), attacker, ubuntu12, 443, 50, 5000), "BENIGN"},
		{"web brute force", conn(at(6, "09:30:00.000"), attacker, web, 80, 300, 900), "Web Attack - Brute Force"},
		{"xss", conn(at(6, "10:20:00.000"), attacker, web, 80, 300, 900), "Web Attack - XSS"},
		{"sql injection", conn(at(6, "10:40:00.000"), attacker, web, 80, 300, 900), "Web Attack - Sql Injection"},
		{"infiltration", conn(at(6, "14:30:00.000"), vista, kali, 444, 300, 900), "Infiltration"},
		{"infiltration reverse", conn(at(6, "14:31:00.000"), kali, vista, 444, 300, 900), "BENIGN"},
		{"bot", conn(at(7, "10:10:00.000"), "192.168.10.15", kali, 8080, 200, 200), "Bot"},
		{"bot from c&c side", rev(at(7, "10:11:00.000"), kali, 8080, "192.168.10.9", 49999), "Bot"},
		{"bot attempted", conn(at(7, "10:12:00.000"), "192.168.10.14", kali, 8080, 0, 0), "Bot - Attempted"},
		{"bot udp", udp(at(7, "10:13:00.000"), "192.168.10.5", kali, 8080), "BENIGN"},
		{"bot other port", conn(at(7, "10:14:00.000"), "192.168.10.5", kali, 80, 200, 200), "BENIGN"},
		{"bot aws pair", conn(at(7, "10:15:00.000"), "192.168.10.17", "52.7.235.158", 8080, 200, 200), "Bot"},
		{"bot aws wrong pair", conn(at(7, "10:16:00.000"), "192.168.10.12", "52.7.235.158", 8080, 200, 200), "BENIGN"},
		{"portscan", conn(at(7, "14:00:00.000"), attacker, web, 8443, 0, 0), "PortScan"},
		{"portscan boundary", conn(at(7, "15:40:00.000"), attacker, web, 80, 10, 0), "PortScan"},
		{"ddos", conn(at(7, "15:40:01.000"), attacker, web, 80, 10, 0), "DDoS"},
		{"ddos attempted", conn(at(7, "16:00:00.000"), attacker, web, 80, 0, 0), "DDoS - Attempted"},
		{"friday benign", conn(at(7, "16:01:00.000"), "192.168.10.25", "151.101.1.69", 443, 500, 5000), "BENIGN"},
	}
	ls := checkRecipe(t, filepath.Join("..", "manifests", "cic.toml"), []string{"base", "stats", "payload"}, cases)
	rep := ls[0].Report()
	if rep["flows"] != int64(len(cases)) {
		t.Errorf("report flows %v, want %d", rep["flows"], len(cases))
	}
}

// TestCICNFStreamRecipe checks manifests/cic-nfstream.toml (Pekar and
// Jozsa 2024): TCP only, minute windows, zero-payload flows benign except
// scans, Thursday's scan heuristic, and the mirrored pass.
func TestCICNFStreamRecipe(t *testing.T) {
	sport := uint16(30000)
	conn := func(start time.Time, src, dst string, dport uint16, fwd, bwd int) []pkt {
		sport++
		return tcpConn(start, src, sport, dst, dport, fwd, bwd)
	}
	probe := func(start time.Time, src, dst string, dport uint16, reply bool) []pkt {
		sport++
		out := []pkt{{t: start, src: src, dst: dst, sport: sport, dport: dport, proto: 6, flags: syn}}
		if reply {
			out = append(out, pkt{t: start.Add(time.Millisecond), src: dst, dst: src, sport: dport, dport: sport, proto: 6, flags: rst | ack})
		}
		return out
	}
	// a flow whose first packet is the server's (NFStream cut the flow)
	fromServer := func(start time.Time, server string, sp uint16, client string, fwd, bwd int) []pkt {
		sport++
		return tcpConn(start, server, sp, client, sport, fwd, bwd)
	}
	udp := func(start time.Time, src, dst string, dport uint16) []pkt {
		sport++
		return []pkt{udpPkt(start, src, sport, dst, dport, 40)}
	}
	hbPort := uint16(45022)
	cases := []flowCase{
		{"ftp any time on tuesday", conn(at(4, "16:59:00.000"), attacker, web, 21, 50, 50), "FTP-Patator"},
		{"ftp zero payload", conn(at(4, "16:59:30.000"), attacker, web, 21, 0, 50), "BENIGN"},
		{"ftp on monday", conn(at(3, "10:00:00.000"), attacker, web, 21, 50, 50), "BENIGN"},
		{"ftp udp", udp(at(4, "10:00:00.000"), attacker, web, 21), "BENIGN"},
		{"ssh", conn(at(4, "14:00:00.000"), attacker, web, 22, 50, 50), "SSH-Patator"},
		{"ssh mirrored", fromServer(at(4, "14:01:00.000"), web, 22, attacker, 60, 50), "SSH-Patator"},
		{"ssh mirrored no server payload", fromServer(at(4, "14:02:00.000"), web, 22, attacker, 0, 50), "BENIGN"},
		{"ssh mirrored no client payload", fromServer(at(4, "14:03:00.000"), web, 22, attacker, 60, 0), "BENIGN"},
		{"slowloris", conn(at(5, "09:43:00.000"), attacker, web, 80, 50, 0), "DoS slowloris"},
		{"slowloris too late", conn(at(5, "10:12:00.001"), attacker, web, 80, 50, 0), "BENIGN"},
		{"slowhttptest", conn(at(5, "10:13:00.000"), attacker, web, 80, 50, 0), "DoS Slowhttptest"},
		{"hulk", conn(at(5, "11:08:00.000"), attacker, web, 80, 50, 0), "DoS Hulk"},
		{"goldeneye", conn(at(5, "11:20:00.000"), attacker, web, 80, 50, 0), "DoS GoldenEye"},
		{"heartbleed", []pkt{{t: at(5, "15:20:00.000"), src: attacker, dst: ubuntu12, sport: hbPort, dport: 444, proto: 6, flags: psh | ack, payload: 100}}, "Heartbleed"},
		{"web brute force", conn(at(6, "09:10:00.000"), attacker, web, 80, 300, 900), "Web Attack - Brute Force"},
		{"xss at 10:38", conn(at(6, "10:38:00.000"), attacker, web, 80, 300, 900), "Web Attack - XSS"},
		{"sql injection", conn(at(6, "10:38:00.001"), attacker, web, 80, 300, 900), "Web Attack - Sql Injection"},
		{"between web windows", conn(at(6, "10:07:00.000"), attacker, web, 80, 300, 900), "BENIGN"},
		{"infiltration", conn(at(6, "14:30:00.000"), vista, kali, 444, 300, 900), "Infiltration"},
		{"thursday scan by vista", probe(at(6, "15:10:00.000"), vista, "192.168.10.9", 445, true), "PortScan"},
		{"thursday scan unanswered", probe(at(6, "15:10:01.000"), vista, "192.168.10.12", 22, false), "PortScan"},
		{"thursday vista full conn", conn(at(6, "15:10:02.000"), vista, "192.168.10.9", 139, 10, 10), "BENIGN"},
		{"ddos", conn(at(7, "15:51:00.000"), attacker, web, 80, 10, 0), "DDoS"},
		{"ddos zero payload", conn(at(7, "15:52:00.000"), attacker, web, 80, 0, 0), "BENIGN"},
		{"portscan", probe(at(7, "14:00:00.000"), attacker, web, 8443, true), "PortScan"},
		{"portscan mirrored", fromServer(at(7, "14:01:00.000"), web, 8443, attacker, 0, 0), "PortScan"},
		{"bot", conn(at(7, "10:10:00.000"), "192.168.10.15", kali, 8080, 200, 200), "Bot"},
		{"bot other c&c", conn(at(7, "12:59:00.000"), "192.168.10.17", "52.6.13.28", 8080, 200, 200), "Bot"},
		{"bot from other host", conn(at(7, "10:11:00.000"), "192.168.10.25", kali, 8080, 200, 200), "BENIGN"},
	}
	checkRecipe(t, filepath.Join("..", "manifests", "cic-nfstream.toml"), []string{"base", "stats", "payload"}, cases)
}
