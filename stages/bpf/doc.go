// Package bpf compiles libpcap's filter language, as users pass it to
// --bpf-filter (NFStream's bpf_filter), and evaluates it on captured frames
// in pure Go, so offline runs need neither cgo nor libpcap.
//
// Supported: host, net (CIDR, "mask", short IPv4 nets), port, portrange with
// the src, dst, "src or dst" and "src and dst" qualifiers; tcp, udp, sctp,
// icmp, icmp6, ip, ip6, arp; proto N, ip proto N, ip6 proto N (names tcp,
// udp, icmp, icmp6, sctp, with or without libpcap's backslash escape);
// vlan [N]; ether host/src/dst with MAC addresses, ether proto, broadcast
// and multicast (ether, ip, ip6); relations over packet bytes with
// arithmetic (proto[expr], proto[expr:size], + - * / % & | ^ << >>, unary
// minus, = == != < <= > >=) and libpcap's named offsets and flags
// (tcpflags, tcp-syn …, icmptype, icmp-echo …, icmp6type …); len, greater
// and less, on the frame's wire length; and/&&, or/||, not/!, parentheses,
// and libpcap's inheritance of the previous qualifiers by a bare value
// ("host a or b", "tcp port 80 or 443"). Anything else (gateway, decnet,
// protochain, …) is rejected by Compile with a *CompileError naming the
// unsupported part and its byte offset. On live interfaces Kernel gives
// the whole grammar as a classic BPF program, except filters using vlan
// (the kernel strips the tags before socket filters run) and relations
// nested deeper than BPF's 16 scratch slots; those run in user space.
//
// Semantics follow libpcap 1.10 as compiled for an offline capture and
// checked against tcpdump: where each link type keeps its EtherType (or
// equivalent) and network layer; "and" and "or" share one precedence and
// group from the left; "vlan" moves the offsets of every primitive written
// after it into the 802.1Q/802.1ad tag (tagged frames match nothing else
// without it); port tests TCP, UDP and SCTP, on IPv4 only in the first
// fragment; "ip6 proto N" (and tcp, udp, icmp6 over IPv6) also looks behind
// one fragment header, while port over IPv6 reads only the fixed header;
// and a frame too short for a field the filter reads is rejected by the
// whole filter, even under "not", as a BPF program that loads past the end
// of the packet returns 0. Compile refuses the arithmetic libpcap refuses,
// with its words: a division or modulus by zero and a shift by more than 31
// bits, judged as libpcap judges them, by the first number of the divisor
// or shift amount as written ("x / ether[0]" and "x << (40 ^ ip[1])" are
// refused, "x << (1 + ip[40])" is not) and by its value once folded to a
// constant (a constant shifted by a constant folds, to 0 from 32 bits on),
// the latter, like libpcap's optimizer, only in a relation some link
// type's program still reaches ("arp and udp[1] >> (2 + 40) > 0" compiles
// to a filter that matches nothing).
// Like libpcap's optimizer, Compile folds "x * 0", "x & 0" and "0 * y",
// "0 / y", "0 % y", "0 & y", "0 << y", "0 >> y" to 0, whose loads then no
// longer reject a short frame, while the protocol tests of the left
// operand stay.
// After and/or, a plain number followed by "/" starts arithmetic, not an
// inherited network ("port 80 or 10 / 2 > 1"; "or 10.1/16" is a net).
//
// That last rule makes libpcap's optimizer visible: it deletes tests that
// cannot change the verdict, and their loads with them. Compile therefore
// lowers the expression once per way of naming the network protocol (a
// type field, a BSD address family, the IP version nibble, IPv4 or IPv6
// only) and rewrites each program as libpcap's optimizer does (jump
// threading, skipping tests whose branches meet, or/and pull-ups), so
// that truncated frames get libpcap's verdicts too.
//
// Known differences from libpcap: the address family of LINKTYPE_NULL
// frames is accepted in either byte order (libpcap uses the capture file's);
// a filter using "vlan" matches nothing on non-Ethernet link types (libpcap
// refuses to compile it there); LINKTYPE 14 is raw IP (on Linux libpcap
// reads it as BSD/OS PPP); numbers above 255 after "proto" are an error
// (libpcap accepts them and matches nothing); "proto tcp" is accepted
// without libpcap's backslash; and on frames cut inside a header, a few
// long expressions can still get another verdict than libpcap's, where its
// optimizer rewrites more than ours (about 1 in 2,000 random expressions
// in the tests, none of the filters users typically write); for the same
// reason a refusal libpcap's optimizer makes only in code it still reaches
// ("x / (y * 0)") can, in rare long expressions, be made where libpcap
// finds the code unreachable, or the other way round.
//
// May import: the standard library only.
package bpf
