package dpi

import "testing"

func TestSMB(t *testing.T) {
	runCases(t, []flowCase{
		{
			// smb_deletefile.pcap, 192.168.1.118:56848 -> 192.168.1.187:445 (harness dump, cut).
			name: "SMB2",
			fs:   flowSpec{proto: 6, src: "192.168.1.118", dst: "192.168.1.187", srcPort: 56848, dstPort: 445},
			pkts: []pkt{{hex: "00000178fe534d4240000100000000000500000100000000980000009c0f000000000000fffe0000110000001d000000002800000000000000000000000000000000000039"}},
			want: Result{Application: "NetBIOS.SMBv23", Category: "System", Confidence: 6},
		},
		{
			// smbv1.pcap, 172.16.156.130:50927 -> 10.128.0.243:445: negotiate request,
			// then a session setup (command 0x73).
			name: "SMB1 after negotiate",
			fs:   flowSpec{proto: 6, src: "172.16.156.130", dst: "10.128.0.243", srcPort: 50927, dstPort: 445},
			pkts: []pkt{
				{hex: "00000085ff534d4272000000001853c00000000000000000000000000000fffe00004000006200025043204e4554574f524b2050524f4752414d20312e3000024c414e4d414e312e30000257696e646f777320666f7220576f726b67726f75707320332e316100024c4d312e325830303200024c414e4d414e322e3100024e54204c4d20302e313200"},
				{hex: "0000002dff534d4273000000001853c00000000000000000000000000000fffe000040000000000000000000000000"},
			},
			want: Result{Application: "NetBIOS.SMBv1", Category: "System", Confidence: 6},
		},
	})
}
