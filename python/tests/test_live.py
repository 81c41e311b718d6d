"""Live capture from Python, as root: NFStream's performance_report and
system_visibility_mode.

NFStream 6.6.0 prints, every performance_report seconds of a live capture,
json.dumps of five counters in a fixed order on stdout, and nothing for
capture files (the parameter is checked, then ignored)."""

from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest

from nfdataset import NFStreamer

from conftest import CORPORA

# NFStream 6.6.0's streamer builds its report from these keys, in this order.
NFSTREAM_REPORT_KEYS = [
    "flows_expired", "packets_processed", "packets_ignored",
    "packets_dropped_filtered_by_kernel", "meters_packets_processing_balance",
]


def _reports(out: str) -> list:
    lines = [l for l in out.splitlines() if l.startswith("{")]
    return [json.loads(l, object_pairs_hook=list) for l in lines]


def _send_udp_flows(port: int, flows: int, packets: int, connected: bool) -> None:
    """From a background thread, after the capture has had time to start:
    `flows` UDP sockets each send `packets` datagrams to 127.0.0.1:port,
    and stay open 3 s more so that every flow ends by idle timeout. A
    connected socket exists for several process-table polls before its
    packets (system visibility needs that)."""

    def send():
        time.sleep(1.5)
        socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(flows)]
        if connected:
            for c in socks:
                c.connect(("127.0.0.1", port))
            time.sleep(0.5)
        for c in socks:
            for _ in range(packets):
                if connected:
                    c.send(b"nfdataset live test")
                else:
                    c.sendto(b"nfdataset live test", ("127.0.0.1", port))
        time.sleep(3)
        for c in socks:
            c.close()

    threading.Thread(target=send, daemon=True).start()


@pytest.mark.skipif(os.geteuid() != 0, reason="live capture needs root (CAP_NET_RAW)")
def test_performance_report_live(capsys):
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind(("127.0.0.1", 0))
    port = srv.getsockname()[1]
    flows, packets = 3, 5

    _send_udp_flows(port, flows, packets, connected=False)
    streamer = NFStreamer(source="lo", bpf_filter=f"udp and dst port {port}", idle_timeout=1,
                          max_nflows=flows, performance_report=1)
    got = list(streamer)
    srv.close()
    assert len(got) == flows
    assert all(f.bidirectional_packets == packets for f in got)
    reports = _reports(capsys.readouterr().out)
    assert reports, "no performance report printed"
    last_processed = -1
    for r in reports:
        assert [k for k, _ in r] == NFSTREAM_REPORT_KEYS
        d = dict(r)
        assert all(isinstance(d[k], int) for k in NFSTREAM_REPORT_KEYS[:4])
        assert sum(d["meters_packets_processing_balance"]) == d["packets_processed"]
        assert d["packets_processed"] >= last_processed
        last_processed = d["packets_processed"]
        assert d["packets_processed"] <= flows * packets
        assert d["flows_expired"] <= flows


def test_performance_report_file_prints_nothing(capsys):
    pcap = CORPORA["nfstream"] / "dhcp.pcap"
    if not pcap.is_file():
        pytest.skip("corpus not found")
    flows = list(NFStreamer(source=str(pcap), performance_report=1))
    assert flows
    assert _reports(capsys.readouterr().out) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="live capture needs root (CAP_NET_RAW)")
def test_system_visibility_live():
    """system_visibility_mode=1 on loopback: flows of UDP sockets this
    process opened carry its pid and name (psutil's, as NFStream reports
    it); while the flow is live, plugins see NFStream's placeholders."""
    psutil = pytest.importorskip("psutil")
    from nfdataset import NFPlugin

    class Placeholders(NFPlugin):
        def on_init(self, packet, flow):
            flow.udps.live_pid = flow.system_process_pid
            flow.udps.live_name = flow.system_process_name

    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind(("127.0.0.1", 0))
    port = srv.getsockname()[1]
    flows, packets = 2, 4

    # Connected: NFStream matches a flow to a socket by its five fields,
    # so the socket must have a remote address.
    _send_udp_flows(port, flows, packets, connected=True)
    streamer = NFStreamer(source="lo", bpf_filter=f"udp and dst port {port}", idle_timeout=1,
                          max_nflows=flows, n_dissections=0, system_visibility_mode=1,
                          system_visibility_poll_ms=50, udps=Placeholders())
    got = list(streamer)
    srv.close()
    assert len(got) == flows
    me = psutil.Process()
    for f in got:
        assert f.bidirectional_packets == packets
        assert (f.system_process_pid, f.system_process_name) == (me.pid, me.name())
        assert (f.udps.live_pid, f.udps.live_name) == (-1, "")
        keys = f.keys()
        assert keys.index("system_process_name") == keys.index("system_process_pid") + 1
