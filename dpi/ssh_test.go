package dpi

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sshKexInit is a KEXINIT built for the test (python: struct-packed name
// lists) offering kex "curve25519-sha256,diffie-hellman-group14-sha256",
// ciphers "aes128-ctr,aes256-gcm@openssh.com" c2s / "aes256-ctr" s2c,
// MACs "hmac-sha2-256" / "hmac-sha1", compression "none,zlib@openssh.com"
// / "none". HASSH: MD5("<kex>;<c2s ciphers>;<c2s macs>;<c2s compression>")
// = 7B3F76E5…, and the server side over the s2c lists = EC533E8B…
// (upper case, as NFStream 6.6.0 printed them for this KEXINIT in a
// hand-built capture).
const sshKexInit = "000000e40414000102030405060708090a0b0c0d0e0f0000002f637572766532353531392d7368613235362c6469666669652d68656c6c6d616e2d67726f757031342d736861323536000000187373682d656432353531392c7273612d736861322d353132000000216165733132382d6374722c6165733235362d67636d406f70656e7373682e636f6d0000000a6165733235362d6374720000000d686d61632d736861322d32353600000009686d61632d73686131000000156e6f6e652c7a6c6962406f70656e7373682e636f6d000000046e6f6e650000000000000000000000000000000000"

func TestSSH(t *testing.T) {
	fs := flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 22}
	runCases(t, []flowCase{
		{
			name: "banners and both KEXINIT",
			fs:   fs,
			pkts: []pkt{
				{dir: 1, hex: hexOf("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3\r\n")},
				{hex: hexOf("SSH-2.0-OpenSSH_9.0\r\n")},
				{hex: sshKexInit},
				{dir: 1, hex: sshKexInit},
			},
			want: Result{Application: "SSH", Category: "RemoteAccess", Confidence: 6,
				ClientFingerprint: "7B3F76E580E44AEA1E396D8AF55A8228", ServerFingerprint: "EC533E8B63734BE039F4747583343CB8"},
		},
		{
			// A truncated KEXINIT still gets a fingerprint: MD5 of nothing.
			name: "truncated KEXINIT",
			fs:   fs,
			pkts: []pkt{
				{hex: hexOf("SSH-2.0-OpenSSH_9.0\r\n")},
				{hex: sshKexInit[:120]},
			},
			want: Result{Application: "SSH", Category: "RemoteAccess", Confidence: 6,
				ClientFingerprint: "D41D8CD98F00B204E9800998ECF8427E"},
		},
		{
			name: "not a banner",
			fs:   fs,
			pkts: []pkt{{hex: hexOf("HELLO-2.0\r\n")}},
			want: Result{Application: "SSH", Category: "RemoteAccess", Confidence: 1, IsGuessed: 1},
		},
	})
}

func TestHASSHString(t *testing.T) {
	b := mustHex(t, sshKexInit)
	want := "curve25519-sha256,diffie-hellman-group14-sha256;aes128-ctr,aes256-gcm@openssh.com;hmac-sha2-256;none,zlib@openssh.com"
	if d := cmp.Diff(want, string(hasshString(b, true))); d != "" {
		t.Errorf("client string (-want +got):\n%s", d)
	}
	want = "curve25519-sha256,diffie-hellman-group14-sha256;aes256-ctr;hmac-sha1;none"
	if d := cmp.Diff(want, string(hasshString(b, false))); d != "" {
		t.Errorf("server string (-want +got):\n%s", d)
	}
	for n := 0; n < len(b); n++ {
		hasshString(b[:n], true) // no panic on any truncation
		hasshString(b[:n], false)
	}
}
