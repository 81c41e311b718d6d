package dpi

import "testing"

func TestUBNTAC2(t *testing.T) {
	runCases(t, []flowCase{
		{
			// ubntac2.pcap, 192.168.1.1:34085 -> 255.255.255.255:10001 (harness dump, cut
			// after 136 bytes).
			name: "discovery reply",
			fs:   flowSpec{proto: 17, src: "192.168.1.1", dst: "255.255.255.255", srcPort: 34085, dstPort: 10001},
			pkts: []pkt{{hex: "020600ab02000a802aa88d692bc0a8021502000a802aa88d692cc0a80101010006802aa88d692b0a00040000de600b000475626e740c000455475733030038556e6946695365637572697479476174657761792e45522d653132302e76342e332e33332e343933363038362e3136313230332e3230333116000e342e332e33332e34393336303836"}},
			want: Result{Application: "UBNTAC2", Category: "Network", Confidence: 6},
		},
	})
}
