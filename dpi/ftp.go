package dpi

import "bytes"

// FTP control connections: a client command (USER, PASS, AUTH, LIST, …
// in upper or lower case) answered from the other side by a reply code.
// As in nDPI, the flow becomes FTP_CONTROL only once a password was sent
// or a reply failed, so a plain greeting and USER are not enough; after
// AUTH TLS is accepted it is FTPS. Port 25 is left to SMTP, whose commands
// look alike.
type ftpDissector struct{}

func (ftpDissector) Name() string { return "FTP_CONTROL" }

var (
	protoFTPControl = protoByName("FTP_CONTROL")
	protoFTPS       = protoByName("FTPS")
)

var ftpCommands = [...]string{
	"ABOR", "ACCT", "ADAT", "ALLO", "APPE", "CCC", "CDUP", "CONF", "CWD", "DELE", "ENC", "EPRT", "EPSV",
	"FEAT", "HELP", "LANG", "LIST", "LPRT", "LPSV", "MDTM", "MIC", "MKD", "MLSD", "MLST", "MODE", "NLST",
	"NOOP", "OPTS", "PASV", "PBSZ", "PORT", "PROT", "PWD", "QUIT", "REIN", "REST", "RETR", "RMD", "RNFR",
	"RNTO", "SITE", "SIZE", "SMNT", "STAT", "STOR", "STOU", "STRU", "SYST", "TYPE", "XCUP", "XMKD", "XPWD",
	"XRCP", "XRMD", "XRSQ", "XSEM", "XSEN", "HOST",
	"abor", "acct", "adat", "allo", "appe", "ccc", "cdup", "conf", "cwd", "dele", "enc", "eprt", "epsv",
	"feat", "help", "lang", "list", "lprt", "lpsv", "mdtm", "mic", "mkd", "mlsd", "mlst", "mode", "nlst",
	"noop", "opts", "pass", "pasv", "pbsz", "port", "prot", "pwd", "quit", "rein", "rest", "retr", "rmd",
	"rnfr", "rnto", "site", "size", "smnt", "stat", "stor", "stou", "stru", "syst", "type", "user", "xcup",
	"xmkd", "xpwd", "xrcp", "xrmd", "xrsq", "xsem", "xsen", "host",
}

// ftpFlow: stage is 0 or 1+the nDPI direction of the pending command.
type ftpFlow struct {
	stage                                 uint8
	password, authFound, authTLS, authEnd bool
}

var ftpID DissectorID

func (s *ftpFlow) request(b []byte) bool {
	switch {
	case bytes.HasPrefix(b, []byte("USER")):
		return true
	case bytes.HasPrefix(b, []byte("PASS")):
		// nDPI keeps the password from offset 5 up to a control byte.
		s.password = len(b) > 5 && b[5] >= ' '
		return true
	case bytes.HasPrefix(b, []byte("AUTH")), bytes.HasPrefix(b, []byte("auth")):
		s.authFound = true
		return true
	}
	// Every command is three or four bytes: two set probes instead of a
	// prefix test per command.
	if len(b) >= 4 && ftpCommandSet[string(b[:4])] {
		return true
	}
	return len(b) >= 3 && ftpCommandSet[string(b[:3])]
}

var ftpCommandSet = func() map[string]bool {
	m := make(map[string]bool, len(ftpCommands))
	for _, c := range ftpCommands {
		if len(c) != 3 && len(c) != 4 {
			panic("dpi: FTP command " + c + " is not three or four bytes")
		}
		m[c] = true
	}
	return m
}()

func (s *ftpFlow) response(b []byte) bool {
	switch b[0] {
	case '1', '2', '3', '6':
		if s.authFound {
			s.authTLS = true
		}
		return true
	case '4', '5':
		s.authEnd = true
		return true
	}
	return false
}

func (ftpDissector) Dissect(p *Packet, st *State) Verdict {
	b := p.Payload
	if hasPort(p, 25) || payloadCounter(st) > 8 {
		return NotMine
	}
	dir := ndpiDirection(p)
	var scratch ftpFlow
	s, stored := loadState(st, ftpID, &scratch)
	defer keepState(st, ftpID, s, stored)
	if s.stage == 0 {
		if s.request(b) {
			s.stage = dir + 1
		}
		return NeedMore
	}
	if s.stage-dir == 1 {
		return NeedMore
	}
	if !s.response(b) {
		s.stage = 0
		return NeedMore
	}
	switch {
	case !s.password && !s.authEnd && !s.authTLS:
		s.stage = 0
		return NeedMore
	case s.authTLS:
		// nDPI drops any name other dissectors set and hands the rest of
		// the flow to its TLS dissector (certificate, JA3).
		if st.meta != nil {
			st.meta.ServerName = ""
		}
		st.SetProtocol(protoFTPS, ProtoUnknown, ConfidenceDPI)
		st.SwitchToTLS()
		return NeedMore
	default:
		st.SetProtocol(protoFTPControl, ProtoUnknown, ConfidenceDPI)
	}
	return Done
}

func init() {
	ftpID = register(Spec{Dissector: ftpDissector{}, Transport: TCP, Proto: protoFTPControl, Order: orderOf("ftp_control")})
}
