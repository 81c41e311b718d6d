package dpi

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSTUN(t *testing.T) {
	cases := []struct {
		name string
		fs   flowSpec
		pkts []pkt
		want Result
	}{
		{
			// harness dump of whatsapp_login_call.pcap, 192.168.2.4:51518 -> 31.13.100.14:3478
			// (tcpdump -r whatsapp_login_call.pcap -x 'udp port 51518'): allocate request
			// carrying WhatsApp's attribute 0x4000.
			name: "WhatsAppCall attribute",
			fs:   flowSpec{proto: 17, src: "192.168.2.4", dst: "31.13.100.14", srcPort: 51518, dstPort: 3478},
			pkts: []pkt{{hex: "0003006a2112a44200007510f843431fd05e2379400000660100a9f60dfaaa48953ad2d0af75625fa16c6c36178c427d406022bed8dba2b1882db68b15472daad2b08f2ba1f21403a5f6b2e87a50530b4af6e00c7d10314492a8791e24422a320e701b448031b8407241da42cd9a7927335047b93473e832e712387ddd53"}},
			want: Result{Application: "STUN.WhatsAppCall", Category: "VoIP", Confidence: 6},
		},
		{
			// skype-conference-call.pcap, 192.168.2.20:49282 -> 104.46.40.49:60642: binding
			// request with a Microsoft candidate identifier (0x8054).
			name: "Skype_TeamsCall candidate identifier",
			fs:   flowSpec{proto: 17, src: "192.168.2.20", dst: "104.46.40.49", srcPort: 49282, dstPort: 60642},
			pkts: []pkt{{hex: "000100542112a442c55a4fdfde0c325e304c60c700060009677070653a7a57796b000000002400046efffeff802a00080000000000bf43178054000131000000807000040000000300080014c3926666385c09a134e40a0c6c2ef3061a8b62ab802800041fb59b6b"}},
			want: Result{Application: "STUN.Skype_TeamsCall", Category: "VoIP", Confidence: 6},
		},
		{
			// stun_facebook.pcapng, 192.168.12.169:38123 -> 31.13.86.54:40003: the
			// server's error response names the realm "turner.facebook".
			name: "FacebookVoip realm",
			fs:   flowSpec{proto: 17, src: "192.168.12.169", dst: "31.13.86.54", srcPort: 38123, dstPort: 40003},
			pkts: []pkt{
				{hex: "000300082112a442414b37515079504b396575560019000411000000"},
				{dir: 1, hex: "011300542112a442414b37515079504b396575560009001000000401756e617574686f72697a656400150028626230333164363163636331626538326532343031343433356564353266323666626136323438330014000f7475726e65722e66616365626f6f6b00"},
			},
			want: Result{Application: "STUN.FacebookVoip", Category: "VoIP", Confidence: 6, ServerName: "turner.facebook"},
		},
		{
			// hangout.pcap, 74.125.134.127:19305 -> 10.89.61.13:56406: three plain
			// binding responses from a Google address.
			name: "GoogleHangoutDuo by address",
			fs:   flowSpec{proto: 17, src: "74.125.134.127", dst: "10.89.61.13", srcPort: 19305, dstPort: 56406},
			pkts: []pkt{
				{hex: "010100542112a44266687a6a7364694b476b7758000600215964564a5742366c33376d31633844343a426d4d535359776478414f57334859580000000020000800017d8d9f52f89000080014a007a2c2f6b152aad842a27c55302f296fde2dec80280004b6308af4"},
				{hex: "010100542112a442766c6f2b45396a58364c4930000600215964564a5742366c33376d31633844343a426d4d535359776478414f57334859580000000020000800017d8d9f52f890000800143d25f479244790bc9831b00d2ac2f62ffc13ba5d80280004f4f90fe1"},
				{hex: "010100542112a44245365a62793974784b305378000600215964564a5742366c33376d31633844343a426d4d535359776478414f57334859580000000020000800017d8d9f52f890000800146bda3be5378e16130c26cce73cf393a6f0e59fb9802800040ef6e24f"},
			},
			want: Result{Application: "STUN.GoogleHangoutDuo", Category: "VoIP", Confidence: 6},
		},
		{
			// The same plain responses from elsewhere: STUN once three were seen.
			name: "plain STUN after three messages",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.89.61.13", srcPort: 19305, dstPort: 56406},
			pkts: []pkt{
				{hex: "010100542112a44266687a6a7364694b476b7758000600215964564a5742366c33376d31633844343a426d4d535359776478414f57334859580000000020000800017d8d9f52f89000080014a007a2c2f6b152aad842a27c55302f296fde2dec80280004b6308af4"},
				{hex: "010100542112a442766c6f2b45396a58364c4930000600215964564a5742366c33376d31633844343a426d4d535359776478414f57334859580000000020000800017d8d9f52f890000800143d25f479244790bc9831b00d2ac2f62ffc13ba5d80280004f4f90fe1"},
				{hex: "010100542112a44245365a62793974784b305378000600215964564a5742366c33376d31633844343a426d4d535359776478414f57334859580000000020000800017d8d9f52f890000800146bda3be5378e16130c26cce73cf393a6f0e59fb9802800040ef6e24f"},
			},
			want: Result{Application: "STUN", Category: "Network", Confidence: 6},
		},
		{
			// An empty binding request alone: STUN only as the give-up guess.
			name: "empty binding request guessed",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 40001},
			pkts: []pkt{{hex: "000100002112a442000102030405060708090a0b"}},
			want: Result{Application: "STUN", Category: "Network", Confidence: 3, IsGuessed: 1},
		},
		{
			name: "length mismatch is not STUN",
			fs:   flowSpec{proto: 17, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 40001},
			pkts: []pkt{{hex: "000100302112a442000102030405060708090a0b"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runFlow(t, c.fs, c.pkts...)
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("result (-want +got):\n%s", d)
			}
		})
	}
}

func FuzzSTUN(f *testing.F) {
	f.Add([]byte(mustHex(f, "000100542112a442c55a4fdfde0c325e304c60c700060009677070653a7a57796b000000002400046efffeff802a00080000000000bf43178054000131000000807000040000000300080014c3926666385c09a134e40a0c6c2ef3061a8b62ab802800041fb59b6b")))
	f.Add([]byte(mustHex(f, "011300542112a442414b37515079504b396575560009001000000401756e617574686f72697a656400150028626230333164363163636331626538326532343031343433356564353266323666626136323438330014000f7475726e65722e66616365626f6f6b00")))
	f.Add([]byte(mustHex(f, "9b9002d2fcfb780ea6d56433dd749d497204d313ec67432075bdb8e2e7d954c069f6")))
	f.Add([]byte("RSP/1.0 STUN_xxxxxxxxxxxxxxxxxxx"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps := splitFuzz(b)
		fuzzFlow(17, 40000, 3478, ps...)
		fuzzFlow(17, 13021, 40022, ps...)
		fuzzFlow(6, 40000, 3478, ps...)
	})
}
