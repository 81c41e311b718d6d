package dpi

import "testing"

func TestBitTorrent(t *testing.T) {
	runCases(t, []flowCase{
		{
			// bittorrent.pcap, 192.168.1.3:52888 -> 82.58.216.115:38305 (harness dump;
			// tcpdump -r bittorrent.pcap -x 'port 52888'): the handshake, mid-capture.
			name: "peer wire handshake",
			fs:   flowSpec{proto: 6, src: "192.168.1.3", dst: "82.58.216.115", srcPort: 52888, dstPort: 38305},
			pkts: []pkt{{hex: "13426974546f7272656e742070726f746f636f6c0000000000100005dcfcdccfb9e670ccc3dd40c78c161f2bea2431262d554d313836302d418e181ac9ba17987152663e"}},
			want: Result{Application: "BitTorrent", Category: "Download", Confidence: 6},
		},
		{
			// bt_search.pcap, 192.168.0.102:6771 -> 239.192.152.143:6771: local peer discovery.
			name: "BT-SEARCH",
			fs:   flowSpec{proto: 17, src: "192.168.0.102", dst: "239.192.152.143", srcPort: 6771, dstPort: 6771},
			pkts: []pkt{{hex: "42542d534541524348202a20485454502f312e310d0a486f73743a203233392e3139322e3135322e3134333a363737310d0a506f72743a2036313139370d0a496e666f686173683a20454434463130383545383835463938463941363942373045453839454239383842384644393131350d0a0d0a0d0a"}},
			want: Result{Application: "BitTorrent", Category: "Download", Confidence: 6},
		},
		{
			name: "DHT ping",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 50000},
			pkts: []pkt{{hex: hexOf("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe")}},
			want: Result{Application: "BitTorrent", Category: "Download", Confidence: 6},
		},
		{
			// uTP v1 SYN (type 4, version 1), window 0x100000 > 65565 is rejected,
			// so use a plausible window.
			name: "uTP v1",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 50000},
			pkts: []pkt{{hex: "41001234000000010000000000001000abcd0000"}},
			want: Result{Application: "BitTorrent", Category: "Download", Confidence: 6},
		},
		{
			name: "low ports are not DHT",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 500},
			pkts: []pkt{{hex: hexOf("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe")}},
			want: Result{Application: "IPSec", Category: "VPN", Confidence: 1, IsGuessed: 1},
		},
	})
}

func TestBitTorrentTracker(t *testing.T) {
	// The announce itself goes to HTTP, which runs first; the check still
	// serves requests HTTP leaves alone.
	req := []byte("/announce?info_hash=%12%34%56%78%9a%bc%de%f0%12%34%56%78%9a%bc%de%f0%12%34%56%78&peer_id=x HTTP/1.1\r\n")
	if !btTrackerRequest(req) {
		t.Error("announce not recognised")
	}
	bad := []byte("/announce?info_hash=%1z%34%56%78%9a%bc%de%f0%12%34%56%78%9a%bc%de%f0%12%34%56%78&peer_id=x HTTP/1.1\r\n")
	if btTrackerRequest(bad) {
		t.Error("bad escape accepted")
	}
}
