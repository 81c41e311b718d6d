package dpi

import (
	"bytes"
	"strings"
)

// HTTP/1.x over TCP. A request line ("GET /x HTTP/1.1") or a response line
// identifies HTTP; the Host header gives requested_server_name and, through
// the host rules, HTTP.<App>; User-Agent and the response Content-Type are
// kept. As in nDPI, a request through a proxy ("GET http://…") is HTTP_Proxy
// and CONNECT is HTTP_Connect. After detection the dissector waits (at most
// 8 packets) until both a host name and a response status were seen.

var (
	protoNtop        = protoByName("ntop")
	protoHTTPRPC     = protoByName("RPC")
	protoOCSP        = protoByName("OCSP")
	protoOokla       = protoByName("Ookla")
	protoXiaomi      = protoByName("Xiaomi")
	protoHTTP        = protoByName("HTTP")
	protoHTTPProxy   = protoByName("HTTP_Proxy")
	protoHTTPConnect = protoByName("HTTP_Connect")
)

type httpDissector struct{}

func (httpDissector) Name() string { return "HTTP" }

var httpID = register(Spec{Dissector: httpDissector{}, Transport: TCP, Proto: protoHTTP, Order: orderOf("http")})

type httpFlow struct {
	stage      uint8 // 0 expecting a request; 1/2 request seen in direction stage-1
	detected   bool
	urlSet     bool
	method     bool // a known request method was recorded with the URL
	respCode   int
	ctSet      bool
	url        string // nDPI's http.url: host and path of the first request
	payloadPkt int
	post       bool // the first recorded request method is POST
	// pktURL is the current packet's request URL while HTTP dissects it
	// (nDPI's per-packet http_url_name), for the sub-protocols; nil after.
	pktURL []byte
}

// httpLines is one packet's header lines as nDPI's line parser sees them.
type httpLines struct {
	method             []byte // set by the caller for a request line
	line0              []byte
	parsed             int
	numHeaders         int
	host, ua, content  []byte
	server             []byte
	haveHost, haveUA   bool
	haveCT, haveServer bool
	respCode           int
}

var httpMethods = [...]string{"GET ", "POST ", "OPTIONS ", "HEAD ", "PUT ", "PATCH ", "DELETE ", "CONNECT ", "PROPFIND ", "REPORT ", "RPC_IN_DATA ", "RPC_OUT_DATA "}

func hasPrefixFold(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c, d := b[i], p[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if d >= 'A' && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// httpURLOffset returns where the URL starts after a known method, or 0.
func httpURLOffset(pl []byte) int {
	if len(pl) == 0 || strings.IndexByte("CDGHOPR", pl[0]) < 0 {
		return 0
	}
	for _, m := range httpMethods {
		if hasPrefixFold(pl, m) {
			i := len(m)
			for i < len(pl) && i < len(m)+2048 && pl[i] == ' ' {
				i++
			}
			return i
		}
	}
	return 0
}

func atoi3(b []byte) int {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func parseHTTPLines(pl []byte, l *httpLines) {
	*l = httpLines{}
	if len(pl) < 3 {
		return
	}
	start := 0
	one := func(line []byte) {
		if l.parsed == 0 {
			l.line0 = line
			if len(line) >= 13 && hasPrefixFold(line, "HTTP/1.") && line[9] > '0' && line[9] < '6' {
				l.numHeaders++
				if len(pl) >= 12 {
					c := atoi3(pl[9:12])
					if c < 100 || c > 509 {
						c = 0
					}
					l.respCode = c
				}
			}
			if len(line) > 0 && bytes.IndexByte(line, ':') < 0 {
				return
			}
		}
		switch {
		case len(line) > 8 && hasPrefixFold(line, "Server:"):
			if line[7] == ' ' {
				l.server = line[8:]
			} else {
				l.server = line[7:]
			}
			l.haveServer = true
			l.numHeaders++
		case len(line) > 6 && hasPrefixFold(line, "Host:"):
			if line[5] == ' ' {
				l.host = line[6:]
			} else {
				l.host = line[5:]
			}
			l.haveHost = true
			l.numHeaders++
		case len(line) > 12 && hasPrefixFold(line, "User-agent: "):
			l.ua = line[12:]
			l.haveUA = true
			l.numHeaders++
		case len(line) > 14 && hasPrefixFold(line, "Content-Type: "):
			c := line[14:]
			for len(c) > 0 && c[0] == ' ' {
				c = c[1:]
			}
			l.content = c
			l.haveCT = len(c) > 0
			l.numHeaders++
		case !l.haveCT && len(line) > 13 && hasPrefixFold(line, "Content-type:"):
			l.content = line[13:]
			l.haveCT = true
			l.numHeaders++
		case isCountedHeader(line):
			l.numHeaders++
		}
	}
	for a := nextCRLF(pl, 0); a >= 0 && l.parsed < 64; a = nextCRLF(pl, start) {
		one(pl[start:a])
		if l.parsed >= 63 {
			l.finish()
			return
		}
		l.parsed++
		start = a + 2
	}
	if l.parsed >= 1 {
		one(pl[start:])
		l.parsed++
	}
	l.finish()
}

func (l *httpLines) finish() {
	if l.haveCT {
		if i := bytes.IndexByte(l.content, ';'); i >= 0 {
			l.content = l.content[:i]
		}
		if i := bytes.IndexByte(l.content, '\r'); i >= 0 {
			l.content = l.content[:i]
		}
	}
}

var countedHeaders = [...]string{"X-Forwarded-For:", "Authorization: ", "Accept: ", "Referer: ", "Content-Encoding: ",
	"Transfer-Encoding: ", "content-length: ", "Content-Disposition: ", "Cookie: ", "Origin: ", "X-Session-Type: ",
	"Date: ", "Vary: ", "ETag: ", "Pragma: ", "Expires: ", "Set-Cookie: ", "Keep-Alive: ", "Connection: ",
	"Last-Modified: ", "Accept-Ranges: ", "Accept-Language: ", "Accept-Encoding: ", "Upgrade-Insecure-Requests: "}

// countedByFirst lists countedHeaders by their first letter in lower case,
// so a line is compared only with the few headers it can start.
var countedByFirst = func() (t [256][]string) {
	for _, h := range countedHeaders {
		c := lowerByte(h[0])
		t[c] = append(t[c], h)
	}
	return t
}()

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		c += 'a' - 'A'
	}
	return c
}

func isCountedHeader(line []byte) bool {
	if len(line) == 0 {
		return false
	}
	for _, h := range countedByFirst[lowerByte(line[0])] {
		if len(line) > len(h) && hasPrefixFold(line, h) {
			return true
		}
	}
	return false
}

func (httpDissector) Dissect(p *Packet, st *State) Verdict {
	h, _ := st.Data(httpID).(*httpFlow)
	if h == nil {
		h = &httpFlow{}
		st.SetData(httpID, h)
	}
	detectedBefore := st.app != ProtoUnknown || st.master != ProtoUnknown
	if len(p.Payload) > 0 {
		h.payloadPkt++
	}
	if h.payloadPkt > 20 {
		if detectedBefore {
			return Done
		}
		return NotMine
	}
	v := httpCheck(p, st, h)
	if !detectedBefore && (st.app != ProtoUnknown || st.master != ProtoUnknown) {
		httpRunSubprotocols(p, st)
	}
	h.pktURL = nil
	if st.app != ProtoUnknown || st.master != ProtoUnknown {
		if st.Reported().ServerName != "" && h.respCode != 0 {
			return Done
		}
		st.SetExtraLimit(8)
		return NeedMore
	}
	return v
}

func httpMaster(st *State) ProtoID {
	if st.master != ProtoUnknown {
		return st.master
	}
	if st.app == protoHTTPConnect || st.app == protoHTTPProxy {
		return st.app
	}
	return protoHTTP
}

func httpAddConnection(st *State, h *httpFlow, proto ProtoID) {
	m := httpMaster(st)
	if st.master == ProtoUnknown {
		st.SetProtocol(proto, m, ConfidenceDPI)
	}
	h.detected = true
	if (st.master == protoHTTPConnect || st.master == protoHTTPProxy) && st.app == protoHTTP {
		st.app, st.master = st.master, ProtoUnknown
	}
}

func httpCheck(p *Packet, st *State, h *httpFlow) Verdict {
	pl := p.Payload
	d := p.Direction & 1
	var l httpLines
	if len(pl) > 0 && h.stage == 0 {
		h.detected = false
		off := httpURLOffset(pl)
		if off == 0 {
			if len(pl) >= 7 && hasPrefixFold(pl, "HTTP/1.") {
				if len(pl) >= 12 {
					c := atoi3(pl[9:12])
					if c < 100 || c > 509 {
						c = 0
					}
					h.respCode = c
				}
				parseHTTPLines(pl, &l)
				httpContent(st, h, &l, nil)
				httpAddConnection(st, h, protoHTTP)
				return NeedMore
			}
			if len(pl) == 3 && string(pl) == "HI\n" {
				h.stage = 1
				return NeedMore
			}
			parseHTTPLines(pl, &l)
			if l.numHeaders > 0 {
				httpContent(st, h, &l, nil)
				return NeedMore
			}
			return NotMine
		}
		rest := pl[off:]
		if hasPrefixFold(rest, "rtsp://"[:min(7, len(rest))]) {
			return NotMine
		}
		httpAddConnection(st, h, protoHTTP)
		parseHTTPLines(pl, &l)
		l.method = pl[:off-1]
		if l.respCode != 0 {
			h.respCode = l.respCode
		}
		if l.parsed <= 1 {
			h.stage = d + 1
			return NeedMore
		}
		line0 := l.line0
		if len(line0) >= 9+off && hasPrefixFold(line0[len(line0)-9:], " HTTP/1.") {
			url := pl[off : len(line0)-9]
			h.pktURL = url
			if len(url) > 7 && hasPrefixFold(url, "http://") {
				st.SetProtocol(protoHTTPProxy, ProtoUnknown, ConfidenceDPI)
				httpContent(st, h, &l, url)
				h.detected = true
				h.stage = d + 1
				return NeedMore
			}
			if off == 8 && hasPrefixFold(pl, "CONNECT ") {
				st.SetProtocol(protoHTTPConnect, ProtoUnknown, ConfidenceDPI)
				httpContent(st, h, &l, url)
				h.detected = true
				h.stage = d + 1
				return NeedMore
			}
			if l.haveHost {
				proto := st.master
				if proto == ProtoUnknown {
					proto = st.app
				}
				if proto == ProtoUnknown {
					proto = protoHTTP
				}
				httpAddConnection(st, h, proto)
				h.stage = d + 1
				httpContent(st, h, &l, url)
				return NeedMore
			}
		}
		httpContent(st, h, &l, nil)
		return NeedMore
	}
	if h.stage == 1 || h.stage == 2 {
		if int(h.stage)-int(d) == 1 {
			if h.detected {
				return NeedMore
			}
			parseHTTPLines(pl, &l)
			if l.parsed <= 1 {
				if st.PayloadPackets[0]+st.PayloadPackets[1] < 5 {
					return NeedMore
				}
				return NotMine
			}
			if len(l.line0) >= 9 && hasPrefixFold(l.line0[len(l.line0)-9:], " HTTP/1.") {
				httpAddConnection(st, h, protoHTTP)
				httpContent(st, h, &l, nil)
				h.detected = true
			}
			return NeedMore
		}
		parseHTTPLines(pl, &l)
		if l.respCode != 0 {
			h.respCode = l.respCode
		}
		httpContent(st, h, &l, nil)
		h.stage = 0
	}
	return NeedMore
}

// httpContent applies one packet's headers (nDPI's content-type and
// sub-protocol step).
func httpContent(st *State, h *httpFlow, l *httpLines, url []byte) {
	if h.detected && h.respCode != 0 {
		return
	}
	if !h.urlSet && len(url) > 0 && l.haveHost {
		h.urlSet = true
		h.method = true
		h.post = len(l.method) >= 3 && l.method[0] == 'P' && l.method[1] == 'O'
		// nDPI's URL: host then path (a proxy's absolute URL alone).
		if !hasPrefixFold(url, "http://") {
			h.url = string(l.host)
		}
		if string(l.host) != string(url) {
			h.url += string(url)
		}
		if st.app != protoHTTPConnect && (hasPrefixFold(l.method, "RPC_IN_DATA") || hasPrefixFold(l.method, "RPC_OUT_DATA")) {
			st.SetProtocol(protoHTTPRPC, st.app, ConfidenceDPI)
		}
	}
	if l.haveServer && len(l.server) > 7 && string(l.server[:7]) == "ntopng " {
		st.SetProtocol(protoNtop, protoHTTP, ConfidenceDPI)
	}
	if l.haveUA && len(l.ua) > 0 {
		ua := l.ua
		setUserAgent(st, ua)
	}
	if l.haveHost {
		st.SetServerName(l.host)
		if h.stage == 0 || (h.urlSet && h.detected) {
			if i := strings.IndexByte(st.Reported().ServerName, ':'); i >= 0 {
				st.meta.ServerName = st.meta.ServerName[:i] // i ≥ 0: a name was reported
			}
			m := httpMaster(st)
			if !st.MatchHost(m, st.Reported().ServerName) && h.url != "" &&
				(strings.Contains(h.url, ":8080/downloading?n=0.") || strings.Contains(h.url, ":8080/upload?n=0.")) {
				st.SetProtocol(protoOokla, m, ConfidenceDPI)
			}
			if strings.Contains(h.url, "micloud.xiaomi.net") {
				st.SetProtocol(protoXiaomi, m, ConfidenceDPI)
			}
		}
		if st.master != ProtoUnknown && st.master != protoHTTP && st.master != protoHTTPConnect && st.master != protoHTTPProxy {
			httpAddConnection(st, h, st.app)
			return
		}
	}
	if st.portGuess == ProtoUnknown {
		st.portGuess = protoHTTP
	}
	if l.haveCT && len(l.content) > 0 {
		if h.respCode != 0 && !h.ctSet {
			ct := l.content
			if len(ct) > 63 {
				ct = ct[:63]
			}
			st.Meta().ContentType = string(ct)
			h.ctSet = true
			if c := httpContentCategory(l.content); c != "" {
				st.category = c
			}
		}
		if h.detected && len(l.content) > 17 && string(l.content[:17]) == "application/ocsp-" {
			st.SetProtocol(protoOCSP, protoHTTP, ConfidenceDPI)
		}
	}
	if h.method {
		httpAddConnection(st, h, st.app)
	}
}

// ncaseEq is C's strncasecmp(a, b, len(a)) == 0 for a without NUL bytes:
// a must equal the first len(a) bytes of b, and not be longer than b.
func ncaseEq(a []byte, b string) bool {
	if len(a) > len(b) {
		return false
	}
	for i, c := range a {
		d := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if d >= 'A' && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// httpContentCategory is nDPI's category from a response Content-Type:
// streaming for application/mpeg, downloads for archives and executables,
// media for audio and video; "" leaves the category alone.
func httpContentCategory(ct []byte) string {
	cat := ""
	const appLen = len("application") + 1 // nDPI skips "application" and one more byte
	if len(ct) > appLen {
		app := ct[appLen:]
		if ncaseEq(app, "mpeg") {
			return "Streaming"
		}
		if len(app) > 3 {
			var dl, bin []string
			switch app[0] {
			case 'b':
				dl = []string{"bz", "bz2"}
			case 'o':
				dl = []string{"octet-stream"}
			case 'x':
				dl = []string{"x-tar", "x-zip", "x-bzip"}
			}
			for _, m := range dl {
				if ncaseEq(app, m) {
					cat = "Download"
					break
				}
			}
			switch app[0] {
			case 'e':
				bin = []string{"exe"}
			case 'j':
				bin = []string{"java-vm"}
			case 'v':
				bin = []string{"vnd.ms-cab-compressed", "vnd.microsoft.portable-executable"}
			case 'x':
				bin = []string{"x-msdownload", "x-dosexec"}
			}
			for _, m := range bin {
				if ncaseEq(app, m) {
					return "Download"
				}
			}
		}
	}
	if len(ct) > 0 {
		n := min(len(ct), 5)
		switch ct[0] {
		case 'a':
			if ncaseEq(ct[:n], "audio") {
				cat = "Media"
			}
		case 'v':
			if ncaseEq(ct[:n], "video") {
				cat = "Media"
			}
		}
	}
	return cat
}
