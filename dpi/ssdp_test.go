package dpi

import "testing"

func TestSSDP(t *testing.T) {
	runCases(t, []flowCase{
		{
			// 1kxun.pcap, 192.168.5.57:55809 -> 239.255.255.250:1900 (harness dump;
			// tcpdump -r 1kxun.pcap -x 'udp port 55809').
			name: "M-SEARCH",
			fs:   flowSpec{proto: 17, src: "192.168.5.57", dst: "239.255.255.250", srcPort: 55809, dstPort: 1900},
			pkts: []pkt{{hex: "4d2d534541524348202a20485454502f312e310d0a486f73743a3233392e3235352e3235352e3235303a313930300d0a53543a75726e3a736368656d61732d75706e702d6f72673a6465766963653a496e7465726e6574476174657761794465766963653a310d0a4d616e3a22737364703a646973636f766572220d0a4d583a330d0a0d0a"}},
			want: Result{Application: "SSDP", Category: "System", Confidence: 6, ServerName: "239.255.255.250:1900"},
		},
		{
			name: "NOTIFY with spaced host",
			fs:   flowSpec{proto: 17, src: "192.168.5.57", dst: "239.255.255.250", srcPort: 1900, dstPort: 1900},
			pkts: []pkt{{hex: hexOf("NOTIFY * HTTP/1.1\r\nHOST: [FF02::C]:1900\r\nUser-Agent: x\r\n\r\n")}},
			want: Result{Application: "SSDP", Category: "System", Confidence: 6, ServerName: "[ff02::c]:1900"},
		},
		{
			name: "other text",
			fs:   flowSpec{proto: 17, src: "192.168.5.57", dst: "10.1.1.1", srcPort: 40000, dstPort: 40001},
			pkts: []pkt{{hex: hexOf("GET / HTTP/1.1\r\nHost: a\r\n\r\n")}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}

func TestTextHeader(t *testing.T) {
	for _, c := range []struct {
		in, prefix string
		want       string
		ok         bool
	}{
		{"A B\r\nHost: x.y\r\n\r\n", "Host:", "x.y", true},
		{"A B\r\nhost:x.y", "Host:", "x.y", true},
		{"Host: first-line\r\n", "Host:", "first-line", true},
		{"A B\r\nHost: a\r\nHost: b\r\n", "Host:", "b", true},
		{"A B\r\nHost:\r\n", "Host:", "", false},
		{"Host: no-crlf", "Host:", "", false},
	} {
		v, ok := textHeader([]byte(c.in), c.prefix, 6)
		if string(v) != c.want || ok != c.ok {
			t.Errorf("textHeader(%q) = %q %v, want %q %v", c.in, v, ok, c.want, c.ok)
		}
	}
}
