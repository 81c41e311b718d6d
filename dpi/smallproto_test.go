package dpi

import "testing"

func TestCHECKMK(t *testing.T) {
	runCases(t, []flowCase{
		{
			// check_mk_new.pcap, 192.168.100.50:6556 -> 192.168.100.22:58998 (harness dump).
			name: "agent banner",
			fs:   flowSpec{proto: 6, src: "192.168.100.50", dst: "192.168.100.22", srcPort: 6556, dstPort: 58998},
			pkts: []pkt{{hex: "3c3c3c636865636b5f6d6b3e3e3e0a"}},
			want: Result{Application: "CHECKMK", Category: "DataTransfer", Confidence: 6},
		},
	})
}

func TestAmongUs(t *testing.T) {
	runCases(t, []flowCase{
		{
			// among_us.pcap, 10.0.0.1:64260 -> 172.105.251.170:22023 (harness dump).
			name: "hello",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "172.105.251.170", srcPort: 64260, dstPort: 22023},
			pkts: []pkt{{hex: "0800010080d9020306414141414141"}},
			want: Result{Application: "AmongUs", Category: "Game", Confidence: 6},
		},
	})
}

func TestCPHA(t *testing.T) {
	runCases(t, []flowCase{
		{
			// cpha.pcap, 0.0.0.0:8116 -> 172.21.3.0:8116 (harness dump, cut).
			name: "cluster sync",
			fs:   flowSpec{proto: 17, src: "0.0.0.0", dst: "172.21.3.0", srcPort: 8116, dstPort: 8116},
			pkts: []pkt{{hex: "1a900c31278500010016793e0001fffee04a010000020001"}},
			want: Result{Application: "CPHA", Category: "Network", Confidence: 6},
		},
	})
}

func TestDiameter(t *testing.T) {
	runCases(t, []flowCase{
		{
			// diameter.pcap, 10.201.9.245:50957 -> 10.201.9.11:3868 (harness dump, cut): CER, code 257.
			name: "capabilities exchange",
			fs:   flowSpec{proto: 6, src: "10.201.9.245", dst: "10.201.9.11", srcPort: 50957, dstPort: 3868},
			pkts: []pkt{{hex: "01000158800001010000000402ea493026f0000300000107"}},
			want: Result{Application: "Diameter", Category: "Network", Confidence: 6},
		},
	})
}

func TestZabbix(t *testing.T) {
	runCases(t, []flowCase{
		{
			// zabbix.pcap, 192.168.67.98:57162 -> 192.168.67.25:10050 (harness dump).
			name: "agent request",
			fs:   flowSpec{proto: 6, src: "192.168.67.98", dst: "192.168.67.25", srcPort: 57162, dstPort: 10050},
			pkts: []pkt{{hex: "5a425844010a0000000000000070726f632e6e756d5b5d"}},
			want: Result{Application: "Zabbix", Category: "Network", Confidence: 6},
		},
	})
}

func TestGit(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "upload-pack request",
			fs:   flowSpec{proto: 6, src: "192.168.0.77", dst: "5.153.231.21", srcPort: 47991, dstPort: 9418},
			pkts: []pkt{{hex: "303033326769742d75706c6f61642d7061636b202f70726f6a6563742e67697400686f73743d6578616d706c652e6f726700"}},
			want: Result{Application: "Git", Category: "Collaborative", Confidence: 6},
		},
		{
			name: "not hex",
			fs:   flowSpec{proto: 6, src: "192.168.0.77", dst: "5.153.231.21", srcPort: 47991, dstPort: 9418},
			pkts: []pkt{{hex: hexOf("zzzzgit-upload-pack")}},
			want: Result{Application: "Git", Category: "Collaborative", Confidence: 1, IsGuessed: 1},
		},
	})
}

func TestScanHex(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"0045", 0x45, true}, {" 1f", 0x1f, true}, {"0x1g", 1, true}, {"zz", 0, false}, {"", 0, false}, {"+0a", 10, true},
	} {
		got, ok := scanHex([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("scanHex(%q) = %d %v, want %d %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
