package dpi

import "bytes"

// FTP data connections, seen from their TCP handshake on: a port 20 end, a
// directory listing line ("drwxr-xr-x" style), or the first bytes of a
// common file format.
type ftpDataDissector struct{}

func (ftpDataDissector) Name() string { return "FTP_DATA" }

var protoFTPData = protoByName("FTP_DATA")

// ftpFileMagics are file-format prefixes nDPI looks for (packets of at
// least 256 bytes).
var ftpFileMagics = [...]string{
	"RIFF", "OggS", "PK\x03\x04", "\x00\x00\x01\xba", "Rar!", "\x1a\x45\xdf\xa3", "\xff\xd8", "GIF8", "<?ph",
	"#!/b", "%PDF", "\x89PNG", "<htm", "\x0a<!D", "7z\xbc\xaf", "\x1f\x8b\x08", "<!DO", "fLaC", "ID3\x03",
	"\xff\xfb\x90\xc0", "\xed\xab\xee\xdb", "WzPa", "FLV\x01", "TAPE", "\xd0\xcf\x11\xe0", "<%@ ", "<!--", "!<ar",
	"<iq ", "SPFI", "ABIF", "BZh9", "<cf", "<CF", ".tem", ".ite", ".lef",
}

func isFileHeader(b []byte) bool {
	if len(b) < 256 {
		return false
	}
	if b[0] == 'M' && b[1] == 'Z' && b[3] == 0 { // Windows executable
		return true
	}
	if bytes.HasPrefix(b, []byte("<?xm")) && !cContains(b, "jabber") {
		return true
	}
	for _, m := range ftpFileMagics {
		if bytes.HasPrefix(b, []byte(m)) {
			return true
		}
	}
	return false
}

// isDirectoryListing matches a "ls -l" mode column: '-' or 'd', then
// three rwx triplets.
func isDirectoryListing(b []byte) bool {
	if len(b) <= 10 || b[0] != '-' && b[0] != 'd' {
		return false
	}
	for i := 0; i < 9; i += 3 {
		if !(b[1+i] == '-' || b[1+i] == 'r') || !(b[2+i] == '-' || b[2+i] == 'w') || !(b[3+i] == '-' || b[3+i] == 'x') {
			return false
		}
	}
	return true
}

func (ftpDataDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if seenTCPHandshake(st) && (isFileHeader(b) || isDirectoryListing(b) || hasPort(p, 20)) {
		st.SetProtocol(protoFTPData, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: ftpDataDissector{}, Transport: TCP, Proto: protoFTPData, Order: orderOf("ftp_data")})
}
