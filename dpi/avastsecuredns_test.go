package dpi

import "testing"

func TestAvastSecureDNS(t *testing.T) {
	runCases(t, []flowCase{
		{
			// avast_securedns.pcapng, 192.168.2.100:57970 -> 181.214.35.149:443 (harness
			// dump; tcpdump -r avast_securedns.pcapng -x 'udp port 57970').
			name: "query",
			fs:   flowSpec{proto: 17, src: "192.168.2.100", dst: "181.214.35.149", srcPort: 57970, dstPort: 443},
			pkts: []pkt{{hex: "48c401000001000000000000013209536543555265646e5305615661735403436f4d0000100001"}},
			want: Result{Application: "AVASTSecureDNS", Category: "Network", Confidence: 6},
		},
	})
}
