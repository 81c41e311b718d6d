package dpi

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Requests and responses below are the header text of corpus flows
// (../shared/corpus/ndpi/: mpeg-dash.pcap, ipp.pcap, soap.pcap,
// bt-http.pcapng, ossfuzz_seed_fake_traces_3.pcapng), expected values
// NFStream's for those flows; the negative cases change one fact.
const (
	dashRequest = "GET /livesim/sts_1652783809/sid_40c11e12/chunkdur_1/ato_7/testpic4_8s/A48/init.mp4 HTTP/1.1\r\n" +
		"Host: livesim.dashif.org\r\nUser-Agent: VLC/3.0.16 LibVLC/3.0.16\r\nRange: bytes=0-\r\n\r\n"
	dashResponse = "HTTP/1.1 200 OK\r\nDASH-Live-Simulator: DASH-IF live DASH simulator 2.0.1\r\nContent-Type: video/mp4\r\n\r\n"
	ippRequest   = "POST /ipp/ HTTP/1.1\r\nContent-Length: 300\r\nContent-Type: application/ipp\r\nHost: 10.10.10.251\r\n" +
		"User-Agent: CUPS/1.3.4\r\nExpect: 100-continue\r\n\r\n"
	soapRequest = "POST /fwlink/?LinkID=252669&clcid=0x409 HTTP/1.1\r\nConnection: Keep-Alive\r\n" +
		"Content-Type: text/xml; charset=\"UTF-16LE\"\r\nUser-Agent: MICROSOFT_DEVICE_METADATA_RETRIEVAL_CLIENT\r\n" +
		"SOAPAction: \"http://schemas.microsoft.com/windowsmetadata/services/2007/09/18/dms/DeviceMetadataService/GetDeviceMetadata\"\r\n" +
		"Content-Length: 3612\r\nHost: go.microsoft.com\r\n\r\n"
	btRequest = "GET /announce?info_hash=%aa7i%c4S%0d%de%06%24%18s%da%d4%3a%b5%cc%ec%2c%e6%22&peer_id=-TR2940-chho92c56pul" +
		"&port=51413&uploaded=0&downloaded=0&left=282050560&numwant=80&key=3b5502cc&compact=1&supportcrypto=1&requirecrypto=1&event=started HTTP/1.1\r\n" +
		"Host: tracker.trackerfix.com\r\nUser-Agent: Transmission/2.94\r\nAccept: */*\r\nAccept-Encoding: gzip;q=1.0, deflate, identity\r\n\r\n"
	mapleRequest = "GET /maplestory/ HTTP/1.1\r\nHost: example.com\r\nUser-Agent: AspINet\r\nAccept: */*\r\n\r\n"
)

func TestHTTPSubprotocols(t *testing.T) {
	req := func(s string) func(c *conv) []*Packet {
		return func(c *conv) []*Packet {
			return append(c.handshake(), c.packet(0, FlagACK|FlagPSH, []byte(s)))
		}
	}
	tests := []struct {
		name  string
		sport uint16
		pkts  func(c *conv) []*Packet
		want  Result
	}{{
		name: "MpegDash: request line ending .mp4 HTTP/1.1",
		pkts: req(dashRequest),
		want: Result{Application: "HTTP.MpegDash", Category: "Media", Confidence: 6, ServerName: "livesim.dashif.org",
			UserAgent: "VLC/3.0.16 LibVLC/3.0.16"},
	}, {
		name: "MpegDash: a response with a DASH header",
		pkts: func(c *conv) []*Packet {
			return append(c.handshake(), c.packet(1, FlagACK|FlagPSH, []byte(dashResponse)))
		},
		want: Result{Application: "HTTP.MpegDash", Category: "Media", Confidence: 6, ContentType: "video/mp4"},
	}, {
		name: "no MpegDash: .mp4 not at the end of the request line",
		pkts: req("GET /a.mp4?x=1 HTTP/1.1\r\nHost: livesim.dashif.org\r\n\r\n"),
		want: Result{Application: "HTTP", Category: "Web", Confidence: 6, ServerName: "livesim.dashif.org"},
	}, {
		name:  "IPP: POST to /ipp/",
		sport: 631,
		pkts:  req(ippRequest),
		want: Result{Application: "HTTP.IPP", Category: "System", Confidence: 6, ServerName: "10.10.10.251",
			UserAgent: "CUPS/1.3.4"},
	}, {
		name:  "no IPP: GET to /ipp/",
		sport: 631,
		pkts:  req("GET /ipp/ HTTP/1.1\r\nHost: 10.10.10.251\r\n\r\n"),
		want:  Result{Application: "HTTP", Category: "Web", Confidence: 6, ServerName: "10.10.10.251"},
	}, {
		name:  "SOAP: SOAPAction header on a host-rule HTTP flow",
		sport: 4176,
		pkts:  req(soapRequest),
		want: Result{Application: "HTTP.SOAP", Category: "Cloud", Confidence: 6, ServerName: "go.microsoft.com",
			UserAgent: "MICROSOFT_DEVICE_METADATA_RETRIEVAL_CLIENT"},
	}, {
		name: "SOAP: an XML declaration, still unknown after four payload packets",
		pkts: func(c *conv) []*Packet {
			return append(c.handshake(), c.packet(0, FlagACK|FlagPSH, []byte(`<?xml version="1.0" encoding="UTF-8"?><ZMessage target="x"/>`)),
				c.packet(0, FlagACK|FlagPSH, []byte{0x10, 0x20, 0x8e, 0x01, 0x02}), c.packet(1, FlagACK|FlagPSH, []byte{0x11, 0x21, 0x8f, 0x03}),
				c.packet(1, FlagACK|FlagPSH, []byte{0x12, 0x22, 0x90, 0x04}))
		},
		want: Result{Application: "SOAP", Category: "RPC", Confidence: 6},
	}, {
		name: "BitTorrent tracker request stays under HTTP",
		pkts: req(btRequest),
		want: Result{Application: "HTTP.BitTorrent", Category: "Download", Confidence: 6, ServerName: "tracker.trackerfix.com",
			UserAgent: "Transmission/2.94"},
	}, {
		name: "MapleStory web request: the app alone, so no user agent",
		pkts: req(mapleRequest),
		want: Result{Application: "MapleStory", Category: "Game", Confidence: 6, ServerName: "example.com"},
	}, {
		name: "no MapleStory with another user agent",
		pkts: req("GET /maplestory/ HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8\r\n\r\n"),
		want: Result{Application: "HTTP", Category: "Web", Confidence: 6, ServerName: "example.com", UserAgent: "curl/8"},
	}, {
		name:  "MapleStory login packet",
		sport: 8484,
		pkts: func(c *conv) []*Packet {
			return append(c.handshake(), c.packet(1, FlagACK|FlagPSH, mustHex(t, "0e003a000100320000000000000000ff")))
		},
		want: Result{Application: "MapleStory", Category: "Game", Confidence: 6},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sport := tt.sport
			if sport == 0 {
				sport = 80
			}
			f := feed(tt.pkts(newConv(6, 46882, sport)))
			if diff := cmp.Diff(tt.want, f.Result()); diff != "" {
				t.Errorf("Result (-want +got):\n%s", diff)
			}
		})
	}
}

// NFStream decodes the C strings it copies as UTF-8, dropping invalid
// bytes, and stops at a NUL (fuzz-2006-09-29-28586.pcap has both kinds).
func TestHTTPMetadataBytes(t *testing.T) {
	tests := []struct{ ua, ct, wantUA, wantCT string }{
		{"Sony\xc5ricssonT68/R201A", "app\xeccatiOn/vnd.wap.mms-meBsage", "SonyricssonT68/R201A", "appcatiOn/vnd.wap.mms-meBsage"},
		{"caf\xc3\xa9/1", "text/html", "caf\u00e9/1", "text/html"},
		{"a\x00b", "x\x00y", "a", "x"},
	}
	for _, tt := range tests {
		c := newConv(6, 2604, 80)
		f := feed(append(c.handshake(),
			c.packet(0, FlagACK|FlagPSH, []byte("GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: "+tt.ua+"\r\n\r\n")),
			// The server's bare ACK ends the request stage (see TestHTTP).
			c.packet(1, FlagACK, nil),
			c.packet(1, FlagACK|FlagPSH, []byte("HTTP/1.1 200 OK\r\nContent-Type: "+tt.ct+"\r\n\r\n"))))
		r := f.Result()
		if r.UserAgent != tt.wantUA || r.ContentType != tt.wantCT {
			t.Errorf("UA %q, CT %q: got %q, %q; want %q, %q", tt.ua, tt.ct, r.UserAgent, r.ContentType, tt.wantUA, tt.wantCT)
		}
	}
}

// FuzzHTTPSub runs HTTP's sub-protocol dissectors on arbitrary first
// request and reply bytes, on the HTTP port and on an unguessed one.
func FuzzHTTPSub(f *testing.F) {
	for _, s := range []string{dashRequest, dashResponse, ippRequest, soapRequest, btRequest, mapleRequest} {
		f.Add([]byte(s))
	}
	f.Add([]byte("GET /maple/patch HTTP/1.1\r\nHost: patch.x\r\nUser-Agent: Patcher\r\n\r\n\xff\x00HTTP/1.1 200 OK\r\n\r\n"))
	f.Add([]byte(`<?xml version="1.0"?>` + "\xff\x00a\xff\x00b\xff\x00c"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps := splitFuzz(b)
		fuzzFlow(6, 40000, 80, ps...)
		fuzzFlow(6, 40000, 631, ps...)
		forEachLine(b, func([]byte) bool { return true })
	})
}
