package dpi

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHTTP(t *testing.T) {
	req := unhex(t, httpRequestSQLi)
	resp := unhex(t, httpResponseSQLi)
	tests := []struct {
		name string
		pkts func(c *conv) []*Packet
		want Result
	}{{
		name: "request and response (WebattackSQLinj.pcap)",
		pkts: func(c *conv) []*Packet {
			return append(c.handshake(), c.packet(0, FlagACK|FlagPSH, req), c.packet(1, FlagACK, nil), c.packet(1, FlagACK|FlagPSH, resp))
		},
		want: Result{Application: "HTTP", Category: "Web", Confidence: 6, ServerName: "205.174.165.68",
			UserAgent:   "Mozilla/5.0 (X11; Linux x86_64; rv:45.0) Gecko/20100101 Firefox/45.0",
			ContentType: "text/html"},
	}, {
		name: "host with a category rule (quickplay.pcap)",
		pkts: func(c *conv) []*Packet {
			return append(c.handshake(), c.packet(0, FlagACK|FlagPSH, unhex(t, httpRequestQuickplay)))
		},
		want: Result{Application: "HTTP", Category: "Streaming", Confidence: 6, ServerName: "api-singtelhawk.quickplay.com",
			UserAgent: "Dalvik/1.6.0 (Linux; U; Android 4.4.4; MI 3W MIUI/V6.4.2.0.KXDMICB)"},
	}, {
		name: "host rule gives HTTP.<App>",
		pkts: func(c *conv) []*Packet {
			return append(c.handshake(), c.packet(0, FlagACK|FlagPSH, []byte("GET / HTTP/1.1\r\nHost: www.facebook.com:80\r\nUser-Agent: x/1\r\n\r\n")))
		},
		want: Result{Application: "HTTP.Facebook", Category: "SocialNetwork", Confidence: 6, ServerName: "www.facebook.com", UserAgent: "x/1"},
	}, {
		name: "proxy request",
		pkts: func(c *conv) []*Packet {
			return append(c.handshake(), c.packet(0, FlagACK|FlagPSH, []byte("GET http://example.org/ HTTP/1.1\r\nHost: example.org\r\n\r\n")))
		},
		want: Result{Application: "HTTP_Proxy", Category: "Web", Confidence: 6, ServerName: "example.org"},
	}, {
		// As in nDPI, the server's bare ACK ends the request stage, so the
		// response is read as a new message.
		name: "video response category",
		pkts: func(c *conv) []*Packet {
			return append(c.handshake(), c.packet(0, FlagACK|FlagPSH, []byte("GET /v HTTP/1.1\r\nHost: example.org\r\n\r\n")),
				c.packet(1, FlagACK, nil), c.packet(1, FlagACK|FlagPSH, []byte("HTTP/1.1 200 OK\r\nContent-Type: video/mp4; x=y\r\n\r\n")))
		},
		want: Result{Application: "HTTP", Category: "Media", Confidence: 6, ServerName: "example.org", ContentType: "video/mp4"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := feed(tt.pkts(newConv(6, 36196, 80)))
			if diff := cmp.Diff(tt.want, f.Result()); diff != "" {
				t.Errorf("Result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHTTPContentCategory(t *testing.T) {
	for ct, want := range map[string]string{
		"application/mpeg": "Streaming", "application/octet-stream": "Download", "application/x-msdownload": "Download",
		"audio/mp4": "Media", "video/webm": "Media", "text/html": "", "application/json": "", "": "",
	} {
		if got := httpContentCategory([]byte(ct)); got != want {
			t.Errorf("httpContentCategory(%q) = %q, want %q", ct, got, want)
		}
	}
}

// FuzzHTTP feeds arbitrary request and response bytes to the HTTP dissector.
func FuzzHTTP(f *testing.F) {
	f.Add(unhex(f, httpRequestSQLi), unhex(f, httpResponseSQLi))
	f.Add([]byte("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n"), []byte("HTTP/1.1 200 OK\r\n\r\n"))
	f.Add([]byte("GET / HTTP/1.1\r\n"), []byte("Host: x\r\nContent-type:a\r\n\r\n"))
	f.Fuzz(func(t *testing.T, req, resp []byte) {
		c := newConv(6, 40000, 80)
		var fl Flow
		for _, p := range append(c.handshake(), c.packet(0, FlagACK, req), c.packet(1, FlagACK, resp), c.packet(0, FlagACK, resp), c.packet(1, FlagACK, req)) {
			fl.Feed(p)
		}
		_ = fl.Result()
		var l httpLines
		parseHTTPLines(req, &l)
		httpContentCategory(resp)
	})
}
