package dpi

// nDPI runs its dissectors in one fixed order (the order its detection
// module registers them), and a flow that several dissectors could claim
// goes to the first that recognises it. The long-tail dissectors therefore
// register with Spec.Order = orderOf(<nDPI dissector name>), which keeps
// that order among themselves and places them after the engine's own early
// dissectors (QUIC, TLS, HTTP use orders below orderBase).
const orderBase = 100

// ndpiOrder lists nDPI 4.7's dissectors in registration order.
var ndpiOrder = []string{
	"http", "starcraft", "tls", "rtp", "rtsp", "rdp", "stun", "sip", "imo", "teredo",
	"edonkey", "gnutella", "nats", "socks", "irc", "jabber", "mail_pop", "mail_imap",
	"mail_smtp", "usenet", "dns", "vmware", "non_tcp_udp", "tvuplayer", "ppstream", "iax",
	"mgcp", "zattoo", "qq", "ssh", "vnc", "vxlan", "teamviewer", "dhcp", "steam",
	"halflife2", "xbox", "smb", "mining", "telnet", "ntp", "nfs", "ssdp",
	"world_of_warcraft", "postgres", "mysql", "bgp", "snmp", "kontiki", "icecast",
	"kerberos", "syslog", "netbios", "ipp", "ldap", "warcraft3", "xdmcp", "tftp",
	"mssql_tds", "pptp", "dhcpv6", "afp", "checkmk", "cpha", "maplestory", "dofus",
	"world_of_kung_fu", "crossfire", "guildwars", "armagetron", "dropbox", "spotify",
	"radius", "citrix", "lotus_notes", "gtp", "hsrp", "dcerpc", "netflow", "sflow", "h323",
	"openvpn", "noe", "ciscovpn", "teamspeak", "skinny", "rtcp", "rsync", "whois_das",
	"oracle", "corba", "rtmp", "ftp_control", "ftp_data", "megaco", "redis", "vhua", "zmq",
	"telegram", "quic", "diameter", "apple_push", "eaq", "kakaotalk_voice", "mpegts",
	"ubntac2", "coap", "mqtt", "someip", "rx", "git", "hangout", "drda", "bjnp", "smpp",
	"tinc", "fix", "nintendo", "modbus", "capwap", "zabbix", "viber", "skype", "bittorrent",
	"whatsapp", "ookla", "amqp", "csgo", "lisp", "ajp", "memcached", "nest_log_sink",
	"wireguard", "amazon_video", "s7comm", "104", "dnp3", "websocket", "soap", "dnscrypt",
	"mongodb", "among_us", "hpvirtgrp", "genshin_impact", "z3950", "avast_securedns",
	"cassandra", "ethernet_ip", "wsd", "toca_boca", "sd_rtn", "raknet", "xiaomi", "mpegdash",
	"rsh", "ipsec", "collectd", "i3d", "riotgames", "ultrasurf", "threema", "alicloud",
	"avast", "softether", "activision", "discord", "tivoconnect", "kismet", "fastcgi",
	"natpmp", "syncthing", "crynet", "line", "munin", "elasticsearch", "tuya_lp",
	"tplink_shp", "merakicloud", "tailscale",
}

// orderOf returns the Spec.Order for nDPI dissector name; it panics on a
// name missing from ndpiOrder (a programming error caught at init).
func orderOf(name string) int {
	for i, n := range ndpiOrder {
		if n == name {
			return orderBase + i
		}
	}
	panic("dpi: " + name + " missing from ndpiOrder")
}
