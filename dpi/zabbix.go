package dpi

import "bytes"

// Zabbix agent protocol over TCP: "ZBXD\x01".
type zabbixDissector struct{}

func (zabbixDissector) Name() string { return "Zabbix" }

var protoZabbix = protoByName("Zabbix")

func (zabbixDissector) Dissect(p *Packet, st *State) Verdict {
	if bytes.HasPrefix(p.Payload, []byte("ZBXD\x01")) {
		st.SetProtocol(protoZabbix, ProtoUnknown, ConfidenceDPI)
		return Done
	}
	return NotMine
}

func init() {
	register(Spec{Dissector: zabbixDissector{}, Transport: TCP, Proto: protoZabbix, Order: orderOf("zabbix")})
}
