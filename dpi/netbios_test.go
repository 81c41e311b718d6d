package dpi

import "testing"

func TestNetBIOS(t *testing.T) {
	runCases(t, []flowCase{
		{
			// netbios.pcap, 10.0.4.131:137 -> 10.0.5.255:137 (harness dump;
			// tcpdump -r netbios.pcap -x 'host 10.0.4.131 and port 137'): broadcast
			// name query for "XSTREAM_HY" padded with spaces.
			name: "name query",
			fs:   flowSpec{proto: 17, src: "10.0.4.131", dst: "10.0.5.255", srcPort: 137, dstPort: 137},
			pkts: []pkt{{hex: "a7490110000100000000000020464946444645464345464542454e46504549464a4341434143414341434141410000200001"}},
			want: Result{Application: "NetBIOS", Category: "System", Confidence: 6, ServerName: "xstream_hy"},
		},
		{
			// 1kxun.pcap, 192.168.5.67:138 -> 192.168.255.255:138: a browser
			// announcement (SMB inside the datagram), cut after the names.
			name: "datagram with SMB",
			fs:   flowSpec{proto: 17, src: "192.168.5.67", dst: "192.168.255.255", srcPort: 138, dstPort: 138},
			pkts: []pkt{{hex: "110a2e43c0a80543008a00e600002046444542454f454b454a434e454d454a45474546454345504550454c434e41410020464845504643454c45484643455046464641434143414341434143414341424f00ff534d42250000000000000000000000000000000000000000000000000000001100004c000000000000000000000000000000000000004c00560003000100010002005d005c4d41494c534c4f545c42524f575345000f50e093040053414e4a492d4c494645424f4f4b2d4c0409039a84000f0155aa73616e6a692d4c494645424f4f4b2d4c4835333120736572766572202853616d62612c205562756e74752900"}},
			want: Result{Application: "NetBIOS.SMBv1", Category: "System", Confidence: 6, ServerName: "sanji-lifebook-"},
		},
		{
			name: "datagram from another address",
			fs:   flowSpec{proto: 17, src: "192.168.5.68", dst: "192.168.255.255", srcPort: 138, dstPort: 138},
			pkts: []pkt{{hex: "110a2e43c0a80543008a00e600002046444542454f454b454a434e454d454a45474546454345504550454c434e41410020464845504643454c45484643455046464641434143414341434143414341424f00ff534d42250000000000000000000000000000000000000000000000000000001100004c000000000000000000000000000000000000004c00560003000100010002005d005c4d41494c534c4f545c42524f575345000f50e093040053414e4a492d4c494645424f4f4b2d4c0409039a84000f0155aa73616e6a692d4c494645424f4f4b2d4c4835333120736572766572202853616d62612c205562756e74752900"}},
			want: Result{Application: "NetBIOS", Category: "System", Confidence: 1, IsGuessed: 1},
		},
		{
			// The names of a session request start at offset 4: nDPI looks for
			// one at offset 12 or 14 and finds none.
			name: "session request",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 139},
			pkts: []pkt{{hex: "81000044" + "2045454542454d4546454f454e434143414341434143414341434143414341434100" + "2045454542454d4546454f454e434143414341434143414341434143414341434100"}},
			want: Result{Application: "NetBIOS", Category: "System", Confidence: 6},
		},
	})
}

func TestDecodeNetBIOSName(t *testing.T) {
	var buf [64]byte
	for _, c := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"\x20FDEBEOEKEJCNEMEJEGEFECEPEPELCNAA", "SANJI-LIFEBOOK-", true},
		{"\x20ABACFPFPENFDECFCEPFHFDEFFPFPACAB", "__MSBROWSE__", true},
		{"\x20CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "*", true},
		{"\x20CACACACACACACACACACACACACACACACA", " ", true},
		{"\x20", "", false},
		{"\x04EFEF", "EE", true},
		{"\x04EFZZ", "E", true},
		{"\x04AAAA", "", false},
	} {
		got, ok := decodeNetBIOSName([]byte(c.in), buf[:])
		if string(got) != c.want || ok != c.ok {
			t.Errorf("decodeNetBIOSName(%q) = %q %v, want %q %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
