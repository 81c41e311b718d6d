"""Plugins: the same Python NFPlugin class under NFStream 6.6.0 and under
nfdataset gives identical udps columns (forced expiry included), and the
Go plugins reached by name equal NFStream's bundled Python plugins."""

from __future__ import annotations

from enum import Enum

import pandas as pd
import pytest

import nfdataset
from conftest import CORPORA, DPI_COLUMNS, DPI_REPORT

# NFStream 6.6.0 differs from the 6.5.4 reference the engine follows: its
# IPv6 ip_size includes the 40-byte IPv6 header (6.5.4: the payload-length
# field). It shows in packet.ip_size and, with accounting_mode=1, in the
# byte and size columns of IPv6 flows. The engine is not changed for it
# (issue #10); the tests below pin the difference instead.
IPV6_HEADER = 40

PCAPS = CORPORA["nfstream"]
PLUGIN_CAPTURES = ["google_ssl.pcap", "facebook.pcap", "steam.pcap", "dhcp.pcap", "1kxun.pcap",
                   "quic.pcap", "gtp-u.pcap", "capwap.pcap", "http_ipv6.pcap", "6in6tunnel.pcap", "mdns.pcap"]


def plugin_class(base):
    """A plugin touching every hook, packet attributes, live flow counters,
    per-flow lists and None values, and forced expiry."""

    class Probe(base):
        def on_init(self, packet, flow):
            flow.udps.big = 1 if packet.raw_size > self.limit else 0
            flow.udps.sizes = [packet.raw_size, packet.transport_size, packet.payload_size]
            flow.udps.ip_size = packet.ip_size
            flow.udps.flags = [packet.syn, packet.cwr, packet.ece, packet.urg, packet.ack, packet.psh, packet.rst, packet.fin]
            flow.udps.path = f"{packet.src_ip}/{packet.src_mac}>{packet.dst_ip}/{packet.dst_oui}:{packet.dst_port}"
            flow.udps.ip_bytes = len(packet.ip_packet)
            flow.udps.live_id = flow.id  # NFStream: -1 until the flow is yielded
            flow.udps.meta = [packet.time - flow.bidirectional_first_seen_ms, packet.delta_time, packet.direction,
                              packet.protocol, packet.vlan_id, packet.ip_version, packet.tunnel_id]

        def on_update(self, packet, flow):
            if packet.raw_size > self.limit:
                flow.udps.big += 1
            flow.udps.ip_bytes += len(packet.ip_packet)
            flow.udps.live = [flow.bidirectional_packets, flow.src2dst_bytes, flow.dst2src_packets,
                              flow.bidirectional_duration_ms, packet.delta_time, packet.direction]
            if flow.bidirectional_packets == self.cut:
                flow.expiration_id = -1

        def on_expire(self, flow):
            flow.udps.verdict = "many" if flow.udps.big > 2 else None

    return Probe


@pytest.mark.parametrize("name", PLUGIN_CAPTURES)
def test_python_plugin_equals_nfstream(nfstream, name):
    path = str(PCAPS / name)
    want = nfstream.NFStreamer(source=path, n_meters=1, udps=plugin_class(nfstream.NFPlugin)(limit=100, cut=4)).to_pandas()
    got = nfdataset.NFStreamer(source=path, udps=plugin_class(nfdataset.NFPlugin)(limit=100, cut=4)).to_pandas()
    assert list(got.columns) == list(want.columns)
    assert (want["expiration_id"] == -1).any() or len(want) < 2 or name == "dhcp.pcap"
    cols = [c for c in want.columns if c not in DPI_COLUMNS and c != "udps.ip_size"]
    pd.testing.assert_frame_equal(got[cols], want[cols])
    v6 = want["ip_version"] == 6
    pd.testing.assert_series_equal(got["udps.ip_size"][~v6], want["udps.ip_size"][~v6])
    pd.testing.assert_series_equal(got["udps.ip_size"][v6] + IPV6_HEADER, want["udps.ip_size"][v6])


def test_python_plugin_iteration_and_options(nfstream):
    path = str(PCAPS / "facebook.pcap")
    want = list(nfstream.NFStreamer(source=path, n_meters=1, udps=plugin_class(nfstream.NFPlugin)(limit=60, cut=3)))
    got = list(nfdataset.NFStreamer(source=path, udps=plugin_class(nfdataset.NFPlugin)(limit=60, cut=3)))
    assert [f.keys() for f in got] == [f.keys() for f in want]
    for w, g in zip(want, got):
        assert plain(vars(g.udps)) == plain(vars(w.udps))
        assert g.expiration_id == w.expiration_id
    p = nfdataset.NFPlugin(a=1, b="x")
    assert (p.a, p.b) == (1, "x")
    assert p.cleanup() is None


def plain(udps):
    """udps values with enum members (NFStream's NFEvent.FLOW, ours) as
    their text: the two packages each define the enum."""
    return {k: str(v) if isinstance(v, Enum) else v for k, v in udps.items()}


def test_plugin_error_surfaces():
    class Broken(nfdataset.NFPlugin):
        def on_update(self, packet, flow):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        nfdataset.NFStreamer(source=str(PCAPS / "google_ssl.pcap"), udps=Broken()).to_pandas()


GO_PLUGINS = [
    ("facebook.pcap", "JA4", {}, {}),
    ("dhcp.pcap", "DHCP", {"n_dissections": 0}, {}),
    ("mdns.pcap", "MDNS", {"n_dissections": 0}, {}),
    ("google_ssl.pcap", "FlowSlicer", {}, {"limit": 4}),
    ("google_ssl.pcap", "SPLT", {"splt_analysis": 5}, {"sequence_length": 5, "accounting_mode": 0}),
]


@pytest.mark.parametrize("name,plugin,kw,opts", GO_PLUGINS, ids=[g[1] for g in GO_PLUGINS])
def test_go_plugins_equal_nfstream_plugins(nfstream, name, plugin, kw, opts):
    import nfstream.plugins as nfp

    path = str(PCAPS / name)
    want = nfstream.NFStreamer(source=path, n_meters=1, udps=getattr(nfp, plugin)(**opts), **kw).to_pandas()
    got = nfdataset.NFStreamer(source=path, udps=getattr(nfdataset.plugins, plugin)(**opts), **kw).to_pandas()
    assert list(got.columns) == list(want.columns)
    cols = [c for c in want.columns if c not in DPI_COLUMNS]
    pd.testing.assert_frame_equal(got[cols], want[cols])


def counter_class(base):
    """No code mentions expiration_id: nfdataset runs it without waiting
    for Python after each packet (sync=false)."""

    class Counter(base):
        def on_init(self, packet, flow):
            flow.udps.n_big = int(packet.raw_size > self.limit)
            flow.udps.dirs = [packet.direction]
            flow.udps.last_total = flow.bidirectional_bytes

        def on_update(self, packet, flow):
            flow.udps.n_big += int(packet.raw_size > self.limit)
            if len(flow.udps.dirs) < 6:
                flow.udps.dirs.append(packet.direction)
            flow.udps.last_total = flow.bidirectional_bytes

    return Counter


@pytest.mark.parametrize("name", PLUGIN_CAPTURES)
def test_python_plugin_without_forced_expiry_equals_nfstream(nfstream, name):
    from nfdataset._pyplugins import may_force_expiry

    assert not may_force_expiry([counter_class(nfdataset.NFPlugin)(limit=100)])
    assert may_force_expiry([plugin_class(nfdataset.NFPlugin)(limit=100, cut=4)])
    path = str(PCAPS / name)
    want = nfstream.NFStreamer(source=path, n_meters=1, udps=counter_class(nfstream.NFPlugin)(limit=100)).to_pandas()
    got = nfdataset.NFStreamer(source=path, udps=counter_class(nfdataset.NFPlugin)(limit=100)).to_pandas()
    assert list(got.columns) == list(want.columns)
    cols = [c for c in want.columns if c not in DPI_COLUMNS]
    pd.testing.assert_frame_equal(got[cols], want[cols])


# What NFStream's on_init/on_update see of a flow, beyond udps: every
# attribute the wide probe below records mid-flow.
CORE_ATTRS = [
    "id", "expiration_id", "src_ip", "src_mac", "src_oui", "src_port", "dst_ip", "dst_mac", "dst_oui",
    "dst_port", "protocol", "ip_version", "vlan_id", "tunnel_id",
] + [f"{d}_{a}" for d in ("bidirectional", "src2dst", "dst2src")
     for a in ("first_seen_ms", "last_seen_ms", "duration_ms", "packets", "bytes")]
STAT_ATTRS = [f"{d}_{s}_{a}" for d in ("bidirectional", "src2dst", "dst2src")
              for a in ("ps", "piat_ms") for s in ("min", "mean", "stddev", "max")] + [
    f"{d}_{f}_packets" for d in ("bidirectional", "src2dst", "dst2src")
    for f in ("syn", "cwr", "ece", "urg", "ack", "psh", "rst", "fin")]
SPLT_ATTRS = ["splt_direction", "splt_ps", "splt_piat_ms"]
ABSENT = "<absent>"


def wide_class(base):
    """Records, in udps, what every hook sees of the flow: per attribute the
    value at the last on_update (one typed column each), and the whole view
    at each of the first packets (one text column per packet), absent
    attributes included. DPI attributes go to their own columns."""

    class Wide(base):
        def snap(self, flow, names):
            return [getattr(flow, n, ABSENT) for n in names]

        def record(self, flow, n):
            if n <= self.first:
                setattr(flow.udps, f"seen_{n}", repr(self.snap(flow, CORE_ATTRS + STAT_ATTRS + SPLT_ATTRS)))
                setattr(flow.udps, f"dpi_seen_{n}", repr(self.snap(flow, DPI_COLUMNS)))
            for name in CORE_ATTRS + STAT_ATTRS + SPLT_ATTRS:
                v = getattr(flow, name, ABSENT)
                setattr(flow.udps, "at_" + name, repr(v) if isinstance(v, (list, Enum)) else v)
            for name in DPI_COLUMNS:
                setattr(flow.udps, "dpi_at_" + name, getattr(flow, name, ABSENT))

        def on_init(self, packet, flow):
            flow.udps.n = 1
            for i in range(1, self.first + 1):  # every flow has the same columns
                setattr(flow.udps, f"seen_{i}", None)
                setattr(flow.udps, f"dpi_seen_{i}", None)
            self.record(flow, 1)

        def on_update(self, packet, flow):
            flow.udps.n += 1
            self.record(flow, flow.udps.n)

    return Wide


WIDE_SETTINGS = {
    "default": {},
    "stats+splt5": {"statistical_analysis": True, "splt_analysis": 5},
    "stats+splt3+no_tunnels+ipmode": {"statistical_analysis": True, "splt_analysis": 3, "decode_tunnels": False,
                                      "accounting_mode": 1},
    "no_dpi": {"n_dissections": 0, "statistical_analysis": True},
}
WIDE_CAPTURES = ["google_ssl.pcap", "facebook.pcap", "steam.pcap", "dhcp.pcap", "quic.pcap", "gtp-u.pcap",
                 "capwap.pcap", "6in6tunnel.pcap", "http-lines-split.pcap", "bittorrent.pcap", "dns_long_domainname.pcap"]


@pytest.mark.parametrize("setting", list(WIDE_SETTINGS))
@pytest.mark.parametrize("name", WIDE_CAPTURES)
def test_hooks_see_every_flow_attribute(nfstream, name, setting):
    kw = WIDE_SETTINGS[setting]
    path = str(PCAPS / name)
    want = nfstream.NFStreamer(source=path, n_meters=1, udps=wide_class(nfstream.NFPlugin)(first=6), **kw).to_pandas()
    got = nfdataset.NFStreamer(source=path, udps=wide_class(nfdataset.NFPlugin)(first=6), **kw).to_pandas()
    assert list(got.columns) == list(want.columns)
    udps = [c for c in want.columns if c.startswith("udps.")]
    dpi = [c for c in udps if c.startswith("udps.dpi_")]
    live = [c for c in udps if c not in dpi]
    assert len(live) > len(CORE_ATTRS)
    if name in ("capwap.pcap", "gtp-u.pcap", "6in6tunnel.pcap") and kw.get("accounting_mode"):
        # NFStream 6.6.0 counts the 40-byte IPv6 header in ip_size (see
        # IPV6_HEADER): IP-mode byte and size values of IPv6 flows differ.
        v4 = want["ip_version"] == 4
        want, got = want[v4].reset_index(drop=True), got[v4].reset_index(drop=True)
    pd.testing.assert_frame_equal(got[live], want[live])
    # Mid-flow DPI values are compared and reported like the DPI columns of
    # the parity tests (the engine's DPI is not nDPI); asserted only to be
    # there exactly when NFStream has them.
    for c in dpi:
        w, g = want[c].astype(str), got[c].astype(str)
        assert w.str.contains(ABSENT).tolist() == g.str.contains(ABSENT).tolist(), c
    r = DPI_REPORT[f"plugin hooks, last on_update, {setting}"]
    r["captures"] += 1
    r["flows"] += len(want)
    for c in DPI_COLUMNS:
        w, g = want["udps.dpi_at_" + c], got["udps.dpi_at_" + c]
        same = (w.astype(object).where(w.notna(), None) == g.astype(object).where(g.notna(), None)) | (w.isna() & g.isna())
        r["equal_cells"][c] += int(same.sum())
        if not same.all():
            r["differing"][c].append(name)
