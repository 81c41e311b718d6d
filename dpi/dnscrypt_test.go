package dpi

import "testing"

func TestDNScrypt(t *testing.T) {
	runCases(t, []flowCase{
		{
			// dnscrypt-v1-and-resolver-pings.pcap, 10.0.0.1:38388 -> 149.56.228.45:443
			// (harness dump, cut): the certificate query for 2.dnscrypt-cert.dnscrypt.ca-2.
			name: "certificate ping",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "149.56.228.45", srcPort: 38388, dstPort: 443},
			pkts: []pkt{{hex: "7f470100000100000000000101320d646e7363727970742d6365727408646e7363727970740463612d320000100001"}},
			want: Result{Application: "DNScrypt", Category: "Network", Confidence: 6},
		},
		{
			name: "version 1 client magic",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "149.56.228.45", srcPort: 38388, dstPort: 5443},
			pkts: []pkt{{hex: hexOf("r6fnvWj8") + "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"}},
			want: Result{Application: "DNScrypt", Category: "Network", Confidence: 6},
		},
		{
			name: "plain DNS-like packet",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "149.56.228.45", srcPort: 38388, dstPort: 5443},
			pkts: []pkt{{hex: "7f470100000100000000000103777777076578616d706c6503636f6d0000010001"}, {dir: 1, hex: "7f47818000010000"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
