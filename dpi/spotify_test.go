package dpi

import "testing"

func TestSpotify(t *testing.T) {
	runCases(t, []flowCase{
		{
			// android.pcap, 192.168.2.1:57621 -> 192.168.2.255:57621 (harness dump).
			name: "LAN discovery",
			fs:   flowSpec{proto: 17, src: "192.168.2.1", dst: "192.168.2.255", srcPort: 57621, dstPort: 57621},
			pkts: []pkt{{hex: "53706f7455647030dc1574282e52624c000100044895c203a241de2089b978d820564bd50c91c0e8a3e60a78"}},
			want: Result{Application: "Spotify", Category: "Music", Confidence: 6},
		},
	})
}
