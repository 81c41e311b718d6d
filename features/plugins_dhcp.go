package features

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nfdataset/nfdataset/meter"
)

// DHCP (NFStream's nfstream/plugins/dhcp.py): client information of DHCP
// exchanges, and one flow per transaction.
func init() {
	RegisterPlugin(PluginSpec[dhcpState]{
		Name:    "dhcp",
		Version: 1,
		Doc:     "NFStream's DHCP plugin: hostname, requested address, parameter list, vendor/user class, message type and client OUI; ends flows on ACK/NAK/INFORM/DECLINE and from 0.0.0.0.",
		New: func(Options, Env) (Plugin[dhcpState], error) {
			return dhcpPlugin{}, nil
		},
	})
}

// DHCP message types (option 53) and their names in NFStream's MsgType enum.
var dhcpMsgTypeNames = [...]string{1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NACK", 7: "RELEASE", 8: "INFORM"}

const (
	dhcpRequest = 3
	dhcpDecline = 4
	dhcpAck     = 5
	dhcpNack    = 6
	dhcpInform  = 8
)

// dhcpState holds the udps attributes; the *Set flags tell None from a value.
type dhcpState struct {
	hostname, requestedIP, paramList, vendorClass, userClass, clientAddr, oui string
	maxSize                                                                   int64
	hostnameSet, requestedIPSet, paramListSet, vendorClassSet, userClassSet   bool
	clientAddrSet, ouiSet, maxSizeSet                                         bool
	options                                                                   []int64
	msgType                                                                   string // "" is None
	scratch                                                                   []int64
}

func (s *dhcpState) Reset() {
	options, scratch := s.options[:0], s.scratch[:0]
	*s = dhcpState{options: options, scratch: scratch}
}

type dhcpPlugin struct{ PluginHooks[dhcpState] }

func (dhcpPlugin) Columns() []Column {
	return []Column{
		{Name: "dhcp_12", Kind: String, Doc: "option 12, host name (UTF-8, invalid bytes replaced)"},
		{Name: "dhcp_50", Kind: String, Doc: "option 50, requested IP address (from the last REQUEST)"},
		{Name: "dhcp_55", Kind: String, Doc: `option 55, parameter request list as decimal codes "1,3,6" (from the last REQUEST)`},
		{Name: "dhcp_57", Kind: Int, Doc: "option 57, maximum DHCP message size"},
		{Name: "dhcp_60", Kind: String, Doc: "option 60, vendor class identifier"},
		{Name: "dhcp_77", Kind: String, Doc: "option 77, user class"},
		{Name: "dhcp_options", Kind: IntList, Doc: "option codes of the last REQUEST, in order ([] when none)"},
		{Name: "dhcp_addr", Kind: String, Doc: "ciaddr of a REQUEST when not 0.0.0.0"},
		{Name: "dhcp_msg_type", Kind: String, Doc: `first message type seen, as NFStream prints it ("MsgType.DISCOVER"; "0" without option 53)`},
		{Name: "dhcp_oui", Kind: String, Doc: "first three bytes of a REQUEST's chaddr, xx:xx:xx"},
	}
}

func (d dhcpPlugin) OnInit(p *meter.Packet, f *meter.Flow, s *dhcpState) { d.OnUpdate(p, f, s) }

// OnUpdate parses every packet of flows whose dst_port is 67.
func (dhcpPlugin) OnUpdate(p *meter.Packet, f *meter.Flow, s *dhcpState) {
	if f.DstPort != 67 {
		return
	}
	proto, l4, fragment, err := dpktIPv4(p.IPPacket)
	if err != nil || proto != 17 || fragment {
		return
	}
	payload, err := dpktUDPPayload(l4)
	if err != nil {
		return
	}
	msg, err := parseDHCP(payload, s.scratch[:0])
	s.scratch = msg.options
	if err != nil {
		return
	}
	// Options that NFStream stores as soon as it meets them.
	if msg.hostnameSet {
		s.hostname, s.hostnameSet = msg.hostname, true
	}
	if msg.vendorClassSet {
		s.vendorClass, s.vendorClassSet = msg.vendorClass, true
	}
	if msg.userClassSet {
		s.userClass, s.userClassSet = msg.userClass, true
	}
	if msg.maxSizeSet {
		s.maxSize, s.maxSizeSet = msg.maxSize, true
	}
	if msg.msgType == dhcpRequest {
		s.oui, s.ouiSet = fmt.Sprintf("%02x:%02x:%02x", msg.chaddr[0], msg.chaddr[1], msg.chaddr[2]), true
		s.options = append(s.options[:0], msg.options...)
		s.paramList, s.paramListSet = msg.paramList, msg.paramListSet
		s.requestedIP, s.requestedIPSet = msg.requestedIP, msg.requestedIPSet
		if msg.ciaddr != 0 {
			s.clientAddr = netip.AddrFrom4([4]byte{byte(msg.ciaddr >> 24), byte(msg.ciaddr >> 16), byte(msg.ciaddr >> 8), byte(msg.ciaddr)}).String()
			s.clientAddrSet = true
		}
	}
	switch msg.msgType {
	case dhcpAck, dhcpNack, dhcpInform, dhcpDecline:
		ForceExpire(f)
	default:
		if f.IPVersion == 4 && f.SrcIP() == netip.IPv4Unspecified() {
			ForceExpire(f)
		}
	}
	if s.msgType == "" {
		s.msgType = dhcpMsgTypeText(msg.msgType)
	}
}

func (dhcpPlugin) OnExpire(_ *meter.Flow, s *dhcpState, out []Value) {
	str := func(i int, v string, set bool) {
		if set {
			out[i] = StringValue(v)
		}
	}
	str(0, s.hostname, s.hostnameSet)
	str(1, s.requestedIP, s.requestedIPSet)
	str(2, s.paramList, s.paramListSet)
	if s.maxSizeSet {
		out[3] = IntValue(s.maxSize)
	}
	str(4, s.vendorClass, s.vendorClassSet)
	str(5, s.userClass, s.userClassSet)
	out[6] = ListValue(s.options)
	if s.options == nil {
		out[6] = ListValue([]int64{})
	}
	str(7, s.clientAddr, s.clientAddrSet)
	str(8, s.msgType, s.msgType != "")
	str(9, s.oui, s.ouiSet)
}

// dhcpMsgTypeText prints a message type as NFStream's MsgType enum does;
// 0 (no option 53) prints as 0. Values outside the enum make NFStream's
// plugin raise; we print MsgType(n).
func dhcpMsgTypeText(t int) string {
	switch {
	case t == 0:
		return "0"
	case t > 0 && t < len(dhcpMsgTypeNames):
		return "MsgType." + dhcpMsgTypeNames[t]
	}
	return "MsgType(" + strconv.Itoa(t) + ")"
}

// dhcpMessage is what the plugin reads from one DHCP message.
type dhcpMessage struct {
	chaddr                                                   [16]byte
	ciaddr                                                   uint32
	msgType                                                  int
	hostname, vendorClass, userClass, paramList, requestedIP string
	maxSize                                                  int64
	hostnameSet, vendorClassSet, userClassSet                bool
	paramListSet, requestedIPSet, maxSizeSet                 bool
	options                                                  []int64
}

// dhcpFixedLen is the BOOTP header plus the magic cookie, which dpkt reads
// but does not check.
const dhcpFixedLen = 240

// parseDHCP reads a DHCP message as dpkt.dhcp.DHCP does and walks its
// options in order as NFStream's plugin does; options (the code list) is
// appended to the given buffer.
func parseDHCP(b []byte, options []int64) (dhcpMessage, error) {
	m := dhcpMessage{options: options}
	if len(b) < dhcpFixedLen {
		return m, fmt.Errorf("DHCP header: %w", errDpktShort)
	}
	m.ciaddr = binary.BigEndian.Uint32(b[12:16])
	copy(m.chaddr[:], b[28:44])
	for opts := b[dhcpFixedLen:]; len(opts) > 0; {
		code := opts[0]
		if code == 0xff {
			break
		}
		if code == 0 {
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 {
			// dpkt raises IndexError here, which NFStream does not catch.
			return m, fmt.Errorf("DHCP option %d: %w", code, errDpktShort)
		}
		n := int(opts[1])
		val := opts[2:min(2+n, len(opts))]
		opts = opts[min(2+n, len(opts)):]
		switch code {
		case 12:
			if h := pythonUTF8Replace(val); h != "" {
				m.hostname, m.hostnameSet = h, true
			}
		case 53:
			m.msgType = int(bigEndianInt(val).Int64())
			if !bigEndianInt(val).IsInt64() || m.msgType > 255 {
				m.msgType = 255
			}
		case 60:
			m.vendorClass, m.vendorClassSet = pythonUTF8Replace(val), true
		case 77:
			m.userClass, m.userClassSet = pythonUTF8Replace(val), true
		case 57:
			if v := bigEndianInt(val); v.IsInt64() {
				m.maxSize, m.maxSizeSet = v.Int64(), true
			}
		case 55:
			parts := make([]string, len(val))
			for i, c := range val {
				parts[i] = strconv.Itoa(int(c))
			}
			m.paramList, m.paramListSet = strings.Join(parts, ","), true
		case 50:
			m.requestedIP, m.requestedIPSet = pythonIPAddressText(val), true
		}
		m.options = append(m.options, int64(code))
	}
	return m, nil
}

func bigEndianInt(b []byte) *big.Int { return new(big.Int).SetBytes(b) }

// pythonIPAddressText prints str(ipaddress.ip_address(int.from_bytes(b,
// "big"))): an IPv4 address below 2^32, else an IPv6 address.
func pythonIPAddressText(b []byte) string {
	v := bigEndianInt(b)
	if v.BitLen() <= 32 {
		var a [4]byte
		v.FillBytes(a[:])
		return netip.AddrFrom4(a).String()
	}
	if v.BitLen() <= 128 {
		var a [16]byte
		v.FillBytes(a[:])
		return netip.AddrFrom16(a).String()
	}
	return v.String()
}
