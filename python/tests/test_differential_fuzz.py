"""Differential fuzzing: generated captures metered by NFStream 6.6.0 and by
nfdataset must give the same flows on every non-DPI column.

Each seed drives a generator (pure Python, struct only) that writes one
classic pcap: a random mix of TCP, UDP and ICMP/ICMPv6 conversations over
IPv4 and IPv6, plain or under 802.1Q (one or two tags), MPLS (one or two
labels), GTP-U or TZSP, with IPv4 fragments, frames cut short of their
wire length, timestamps that go back, and gaps placed just before, on and
just after the idle and active timeouts the seed chose for the run. Both
meters run with the seed's parameters (timeouts, accounting mode,
decode_tunnels, statistics, SPLT) and their DataFrames must be equal,
columns, order and dtypes included, DPI columns aside.

The fixed seeds below run in CI (a few seconds each). A longer local run:

    NFDATASET_FUZZ_SEEDS=1000-1199 NFDATASET_FUZZ_PACKETS=1500 \\
        make -C python test   # or pytest python/tests/test_differential_fuzz.py

A failing seed keeps its capture: NFDATASET_FUZZ_KEEP=DIR writes every
generated pcap there, to replay with `nfdataset flows` and NFStream.
"""

from __future__ import annotations

import os
import random
import struct
from pathlib import Path

import pandas as pd
import pytest

import nfdataset
from conftest import DPI_COLUMNS

CI_SEEDS = list(range(1, 21))
CI_PACKETS = 300

# Flows compared across the run, printed at the end (pytest -s or the
# terminal summary below).
COMPARED = {"seeds": 0, "packets": 0, "flows": 0}


def _seeds():
    spec = os.environ.get("NFDATASET_FUZZ_SEEDS")
    if not spec:
        return CI_SEEDS
    out = []
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


# --- packet building -------------------------------------------------------

ETH_IPV4, ETH_IPV6, ETH_VLAN, ETH_MPLS = 0x0800, 0x86DD, 0x8100, 0x8847


def _csum(b: bytes) -> int:
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _ipv4(src: bytes, dst: bytes, proto: int, payload: bytes, ident: int, frag: int = 0, ttl: int = 64) -> bytes:
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, frag, ttl, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", _csum(hdr)) + hdr[12:]
    return hdr + payload


def _ipv6(src: bytes, dst: bytes, proto: int, payload: bytes, hop: int = 64) -> bytes:
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), proto, hop, src, dst) + payload


def _tcp(sport: int, dport: int, seq: int, ack: int, flags: int, payload: bytes, opts: bytes = b"") -> bytes:
    off = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4, flags, 65535, 0, 0) + opts + payload


def _udp(sport: int, dport: int, payload: bytes) -> bytes:
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def _icmp(typ: int, code: int, ident: int, seq: int, payload: bytes) -> bytes:
    return struct.pack("!BBHHH", typ, code, 0, ident & 0xFFFF, seq & 0xFFFF) + payload


def _eth(etype: int, payload: bytes, src: bytes, dst: bytes) -> bytes:
    return dst + src + struct.pack("!H", etype) + payload


class Conversation:
    """One 5-tuple and how its packets are wrapped."""

    def __init__(self, rng: random.Random, link: int):
        self.v6 = rng.random() < 0.35
        self.proto = rng.choice([6, 6, 6, 17, 17, 1])
        if self.proto == 1 and self.v6:
            self.proto = 58
        pool4 = [bytes([10, 0, 0, i]) for i in range(1, 6)] + [bytes([192, 168, 1, i]) for i in range(1, 4)]
        pool6 = [bytes.fromhex("20010db8" + "00" * 11) + bytes([i]) for i in range(1, 6)]
        pool = pool6 if self.v6 else pool4
        self.a, self.b = rng.sample(pool, 2)
        # Few ports, so that conversations sometimes share a 5-tuple and a
        # flow is cut by a timeout and then reused.
        self.sport = rng.choice([1024, 40000, 40001, rng.randint(1, 65535)])
        self.dport = rng.choice([80, 443, 53, 5353, 8080, rng.randint(1, 65535)])
        self.mac_a = bytes([0x02, 0, 0, 0, 0, rng.randint(0, 255)])
        self.mac_b = bytes([0x02, 0, 0, 0, 1, rng.randint(0, 255)])
        self.seq = [rng.randint(0, 2**32 - 1), rng.randint(0, 2**32 - 1)]
        self.ident = rng.randint(0, 65535)
        wraps = ["none"] * 6 + ["vlan", "vlan2", "mpls", "mpls2", "gtp", "tzsp"]
        if link != 1:
            wraps = ["none"] * 4 + ["gtp"]
        self.wrap = rng.choice(wraps)
        if self.wrap.startswith("mpls") and self.v6:
            # The meter (like NFStream) takes what follows MPLS to be IPv4
            # and then reads the version nibble, so IPv6 works too; keep
            # both, but mostly IPv4 as seen in real MPLS captures.
            self.wrap = self.wrap if rng.random() < 0.3 else "vlan"
        self.vlans = [rng.randint(0, 4095) for _ in range(2)]
        self.labels = [rng.randint(16, 2**20 - 1) for _ in range(2)]
        self.teid = rng.randint(0, 2**32 - 1)

    def transport(self, rng: random.Random, fwd: bool, payload: bytes) -> bytes:
        sport, dport = (self.sport, self.dport) if fwd else (self.dport, self.sport)
        if self.proto == 6:
            flags = rng.choice([0x02, 0x12, 0x10, 0x18, 0x18, 0x18, 0x11, 0x04, 0x14, 0x10, 0x29, 0xC2])
            d = 0 if fwd else 1
            opts = b"" if rng.random() < 0.8 else b"\x02\x04\x05\xb4\x01\x01\x04\x02"
            seg = _tcp(sport, dport, self.seq[d], self.seq[1 - d], flags, payload, opts)
            self.seq[d] += len(payload) + (1 if flags & 0x03 else 0)
            return seg
        if self.proto == 17:
            return _udp(sport, dport, payload)
        typ = (8 if fwd else 0) if self.proto == 1 else (128 if fwd else 129)
        if rng.random() < 0.1:
            typ = rng.randint(0, 255)
        return _icmp(typ, 0, self.sport, self.ident, payload)

    def ip(self, rng: random.Random, fwd: bool, payload: bytes) -> list:
        """The IP packets of one send: one, or IPv4 fragments."""
        src, dst = (self.a, self.b) if fwd else (self.b, self.a)
        seg = self.transport(rng, fwd, payload)
        self.ident += 1
        if self.v6:
            return [_ipv6(src, dst, self.proto, seg, hop=rng.choice([64, 255, 1]))]
        if len(seg) > 24 and rng.random() < 0.08:
            cut = 8 * rng.randint(1, (len(seg) - 1) // 8)
            first = _ipv4(src, dst, self.proto, seg[:cut], self.ident, 0x2000)
            rest = _ipv4(src, dst, self.proto, seg[cut:], self.ident, cut // 8)
            return [first, rest] if rng.random() < 0.8 else [rest, first]
        return [_ipv4(src, dst, self.proto, seg, self.ident, 0x4000 if rng.random() < 0.5 else 0)]

    def frame(self, link: int, fwd: bool, ip: bytes) -> bytes:
        ms, md = (self.mac_a, self.mac_b) if fwd else (self.mac_b, self.mac_a)
        if self.wrap == "gtp":
            outer_a, outer_b = bytes([172, 16, 0, 1]), bytes([172, 16, 0, 2])
            gtp = struct.pack("!BBHI", 0x30, 0xFF, len(ip), self.teid) + ip
            o_src, o_dst = (outer_a, outer_b) if fwd else (outer_b, outer_a)
            ip = _ipv4(o_src, o_dst, 17, _udp(2152, 2152, gtp), self.ident)
            etype = ETH_IPV4
        elif self.wrap == "tzsp":
            inner = _eth(ETH_IPV6 if self.v6 else ETH_IPV4, ip, ms, md)
            tzsp = b"\x01\x00\x00\x01\x01" + inner
            ip = _ipv4(bytes([172, 16, 9, 1]), bytes([172, 16, 9, 2]), 17, _udp(40000, 37008, tzsp), self.ident)
            etype = ETH_IPV4
        else:
            etype = ETH_IPV6 if self.v6 else ETH_IPV4
        if link == 101:
            return ip
        if link == 0:  # BSD loopback, host byte order (little-endian here)
            return struct.pack("<I", 30 if etype == ETH_IPV6 else 2) + ip
        body = ip
        if self.wrap in ("mpls", "mpls2"):
            n = 1 if self.wrap == "mpls" else 2
            labels = b""
            for i in range(n):
                bos = 1 if i == n - 1 else 0
                labels += struct.pack("!I", (self.labels[i] << 12) | (bos << 8) | 64)
            return _eth(ETH_MPLS, labels + body, ms, md)
        if self.wrap in ("vlan", "vlan2"):
            n = 1 if self.wrap == "vlan" else 2
            for i in reversed(range(n)):
                inner_type = etype if i == n - 1 else ETH_VLAN
                body = struct.pack("!HH", self.vlans[i], inner_type) + body
            return _eth(ETH_VLAN, body, ms, md)
        return _eth(etype, body, ms, md)


def generate(seed: int, n_packets: int):
    """The pcap bytes of one seed and the meter parameters it chose."""
    rng = random.Random(seed)
    link = rng.choice([1, 1, 1, 1, 101, 0])
    idle = rng.choice([1, 2, 5, 10])
    active = rng.choice([idle + 1, 3 * idle, 30, 120])
    params = {
        "idle_timeout": idle,
        "active_timeout": active,
        "accounting_mode": rng.randint(0, 3),
        "decode_tunnels": rng.random() < 0.8,
        "statistical_analysis": rng.random() < 0.7,
        "splt_analysis": rng.choice([0, 0, 3, 10]),
        "n_dissections": rng.choice([0, 20]),
    }
    nano = rng.random() < 0.2
    # Short snap lengths still hold every header the generator writes (at
    # most 129 bytes: TZSP, Ethernet, IPv6, TCP with options); see the cut
    # below for why.
    snaplen = rng.choice([65535, 65535, 65535, 160, 256])
    convs = [Conversation(rng, link) for _ in range(rng.randint(3, 25))]
    t = 1_600_000_000 * 10**6 + rng.randint(0, 10**6)  # microseconds
    records = []
    count = 0
    while count < n_packets:
        r = rng.random()
        if r < 0.70:
            t += rng.randint(0, 50_000)
        elif r < 0.80:
            # Around the idle timeout: just under, on, just over (±1 µs,
            # ±1 ms: NFStream's clock is in milliseconds).
            t += idle * 10**6 + rng.choice([-1000, -1, 0, 1, 999, 1000, 1001, -999])
        elif r < 0.86:
            t += active * 10**6 + rng.choice([-1000, 0, 1000, 1])
        elif r < 0.92:
            t += rng.randint(0, 3 * idle * 10**6)
        elif r < 0.97:
            t -= rng.randint(0, 2 * 10**6)  # time goes back
        else:
            t += rng.randint(0, 5 * active * 10**6)
        conv = rng.choice(convs)
        fwd = rng.random() < 0.6
        plen = rng.choice([0, 0, rng.randint(1, 40), rng.randint(40, 400), rng.randint(400, 1400)])
        payload = bytes(rng.getrandbits(8) for _ in range(plen))
        ips = conv.ip(rng, fwd, payload)
        for ip in ips:
            frame = conv.frame(link, fwd, ip)
            wire = len(frame)
            cap = min(wire, snaplen)
            if len(ips) == 1 and rng.random() < 0.05:
                # Cut short (caplen < len), but never inside the headers:
                # NFStream reads TCP flags and offsets at the positions the
                # IP lengths give, past the captured bytes, and so sees what
                # an earlier, longer packet left in libpcap's buffer, where
                # nfdataset reads zeros (docs/fuzzing.md).
                cap = rng.randint(min(cap, wire - len(payload)), cap)
            sub = t % 10**6 * (1000 if nano else 1)
            if nano and rng.random() < 0.3:
                sub += rng.randint(0, 999)
            records.append(struct.pack("<IIII", t // 10**6, sub, cap, wire) + frame[:cap])
            count += 1
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    header = struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, link)
    return header + b"".join(records), params


# --- the comparison --------------------------------------------------------


def _meter(factory, path, params):
    try:
        return factory(source=str(path), **params).to_pandas()
    except ValueError as e:
        return e


@pytest.mark.parametrize("seed", _seeds())
def test_generated_capture_equals_nfstream(nfstream, tmp_path, seed):
    n = int(os.environ.get("NFDATASET_FUZZ_PACKETS", CI_PACKETS))
    data, params = generate(seed, n)
    keep = os.environ.get("NFDATASET_FUZZ_KEEP")
    path = Path(keep) / f"seed-{seed}.pcap" if keep else tmp_path / f"seed-{seed}.pcap"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    want = _meter(lambda **a: nfstream.NFStreamer(n_meters=1, **a), path, params)
    got = _meter(nfdataset.NFStreamer, path, params)
    if isinstance(want, Exception) or want is None:
        assert type(got) is type(want), f"seed {seed} {params}: NFStream gave {want!r}, nfdataset {got!r}"
        return
    assert isinstance(got, pd.DataFrame), f"seed {seed} {params}: nfdataset gave {got!r}"
    assert list(got.columns) == list(want.columns), f"seed {seed} {params}"
    cols = [c for c in want.columns if c not in DPI_COLUMNS]
    try:
        if params["accounting_mode"] == 1:
            # KNOWN DIFFERENCE (docs/fuzzing.md): NFStream 6.6.0 counts the
            # 40-byte IPv6 header in ip_size, the 6.5.4 goldens nfdataset
            # follows do not. Sizes of IPv6 flows are compared apart, in
            # test_ipv6_ip_size_includes_header.
            v6 = want["ip_version"] == 6
            sizes = [c for c in cols if _is_size_column(c)]
            pd.testing.assert_frame_equal(got.loc[~v6, cols], want.loc[~v6, cols], check_exact=False)
            rest = [c for c in cols if c not in sizes]
            pd.testing.assert_frame_equal(got.loc[v6, rest], want.loc[v6, rest], check_exact=False)
        else:
            pd.testing.assert_frame_equal(got[cols], want[cols], check_exact=False)
    except AssertionError as e:
        raise AssertionError(f"seed {seed} {params} ({path}): {e}") from None
    COMPARED["seeds"] += 1
    COMPARED["packets"] += n
    COMPARED["flows"] += len(want)


def _is_size_column(c: str) -> bool:
    return c.endswith("_bytes") or c.endswith("_ps") or c == "splt_ps"


@pytest.mark.xfail(strict=True, reason="NFStream 6.6.0 counts the IPv6 header in ip_size; nfdataset follows the 6.5.4 goldens (docs/fuzzing.md)")
def test_ipv6_ip_size_includes_header(nfstream, tmp_path):
    # One IPv6 TCP SYN, no payload: ip_size is 60 in NFStream 6.6.0 (40 + 20),
    # 20 in the 6.5.4 goldens. Strict: this fails loudly once they agree.
    a = bytes.fromhex("20010db8" + "00" * 11 + "01")
    b = bytes.fromhex("20010db8" + "00" * 11 + "02")
    frame = _eth(ETH_IPV6, _ipv6(a, b, 6, _tcp(1000, 80, 1, 0, 0x02, b"")), b"\x02" * 6, b"\x04" * 6)
    path = tmp_path / "syn6.pcap"
    path.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
                     + struct.pack("<IIII", 1_600_000_000, 0, len(frame), len(frame)) + frame)
    want = nfstream.NFStreamer(source=str(path), n_meters=1, accounting_mode=1, n_dissections=0).to_pandas()
    got = nfdataset.NFStreamer(source=str(path), accounting_mode=1, n_dissections=0).to_pandas()
    assert want["bidirectional_bytes"].tolist() == [60]
    assert got["bidirectional_bytes"].tolist() == want["bidirectional_bytes"].tolist()


def test_generator_is_deterministic():
    # The seeds are the test: a generator that drew from another source of
    # randomness would make a failure impossible to replay.
    a, pa = generate(7, 50)
    b, pb = generate(7, 50)
    assert a == b and pa == pb
    c, _ = generate(8, 50)
    assert a != c


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    if COMPARED["seeds"]:
        line = (f"differential fuzz: {COMPARED['seeds']} generated captures, "
                f"{COMPARED['packets']} packets, {COMPARED['flows']} flows compared with NFStream 6.6.0, all equal")
        # Printed past pytest's capture, so that a plain run shows it too.
        capman = request.config.pluginmanager.get_plugin("capturemanager")
        if capman is not None:
            with capman.global_and_fixture_disabled():
                print("\n" + line)
        else:
            print(line)
