"""Running Python NFPlugin objects beside the Go meter.

With Python plugins the Go command adds its ``python_bridge`` plugin
(cmd/nfdataset/pybridge.go): for every packet it writes the packet and the
flow's live values to a pipe and waits for one byte back. This side keeps
one live flow object per Go flow, calls ``on_init``/``on_update`` of every
plugin in order, and answers 1 when a plugin set ``flow.expiration_id = -1``
(the Go meter then ends the flow after that packet). When the flow's record
arrives on the frames stream, its final values are copied onto the same
object, ``on_expire`` runs and the flow is yielded with its ``udps`` values.

Waiting for the answer costs two context switches per packet; when no code
of the plugins' classes mentions ``expiration_id`` (so none can force an
expiry) the Go side does not wait (``sync=false``) and only buffers the
events. Either way a flow's expire event is flushed before its record, and
the record is handled once that event was processed.

One meter runs (the hooks must see the packets in capture order). The hooks
see what NFStream's see after the packet: ids, addresses, ports, the
bidirectional/src2dst/dst2src times, packets and bytes, and, when the run
computes them, the statistical, SPLT and DPI fields (DPI as detection knows
them at that packet). The Go side sends each of these blocks only when
NFStream would refresh it (statistics every packet, SPLT while the flow has
at most ``splt_analysis`` packets, DPI when a value changed); a block that
was not sent keeps its earlier values here.
"""

from __future__ import annotations

import os
import struct
import subprocess
import threading
from typing import Any, Dict, Iterator, List

from ._frames import FrameReader, FramesError
from .flow import UDPS, UDPS_PREFIX, NFEvent, NFlow

_HDR = struct.Struct("<6BHQQQ6H12QI")
_HANDLE = UDPS_PREFIX + "__pyflow"


class NFPacket:
    """A packet as NFStream hands it to plugins (§7.2 attribute names)."""

    __slots__ = (
        "time", "delta_time", "direction", "raw_size", "ip_size", "transport_size", "payload_size",
        "src_ip", "src_mac", "src_oui", "dst_ip", "dst_mac", "dst_oui", "src_port", "dst_port",
        "protocol", "vlan_id", "ip_version", "ip_packet", "syn", "cwr", "ece", "urg", "ack", "psh",
        "rst", "fin", "tunnel_id",
    )

    def __repr__(self) -> str:
        return "NFPacket(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__) + ")"


def _mac(b: bytes) -> str:
    return ":".join(f"{x:02x}" for x in b)


_KIND_INT, _KIND_FLOAT, _KIND_STRING, _KIND_LIST = 0, 1, 2, 3
_U16 = struct.Struct("<H")
_U64 = struct.Struct("<Q")


class _Block:
    """One feature set whose live values come with the packet events (the
    header the Go side sends first names its columns and kinds)."""

    def __init__(self, index: int, name: str, columns: List[tuple]) -> None:
        self.index = index
        self.name = name
        self.names = [n for _, n in columns]
        self.kinds = [k for k, _ in columns]
        # All-numeric blocks (statistics, sent with every packet) are kept
        # as bytes and decoded with one unpack when a hook first reads one
        # of their attributes: most plugins read few or none of them.
        self.fixed = None
        if all(k in (_KIND_INT, _KIND_FLOAT) for k in self.kinds):
            self.fixed = struct.Struct("<Q" + "".join("q" if k == _KIND_INT else "d" for k in self.kinds))

    def read(self, rd, blocks: list) -> None:
        """Reads the block of one event into the flow's block list."""
        if rd.read(1) != b"\x01":
            return  # not refreshed for this packet: the earlier values stay
        if self.fixed is not None:
            blocks[self.index] = rd.read(self.fixed.size)
            return
        (nulls,) = _U64.unpack(rd.read(8))
        vals: List[Any] = []
        for kind in self.kinds:
            if kind == _KIND_INT:
                vals.append(struct.unpack("<q", rd.read(8))[0])
            elif kind == _KIND_FLOAT:
                vals.append(struct.unpack("<d", rd.read(8))[0])
            elif kind == _KIND_STRING:
                (n,) = _U16.unpack(rd.read(2))
                vals.append(rd.read(n).decode("utf-8", errors="replace"))
            else:
                (n,) = _U16.unpack(rd.read(2))
                vals.append(list(struct.unpack(f"<{n}q", rd.read(8 * n))))
        blocks[self.index] = self._nulls(nulls, vals)

    def decode(self, raw: bytes) -> List[Any]:
        vals = self.fixed.unpack(raw)
        return self._nulls(vals[0], list(vals[1:]))

    @staticmethod
    def _nulls(mask: int, vals: List[Any]) -> List[Any]:
        if mask:
            for i in range(len(vals)):
                if mask >> i & 1:
                    vals[i] = None
        return vals


def _read_header(rd) -> List[_Block]:
    """The block list the Go side sends before its first packet event."""
    (n,) = rd.read(1)
    blocks = []
    for i in range(n):
        name = rd.read(rd.read(1)[0]).decode()
        cols = []
        for _ in range(rd.read(1)[0]):
            kind = rd.read(1)[0]
            cols.append((kind, rd.read(rd.read(1)[0]).decode()))
        blocks.append(_Block(i, name, cols))
    return blocks


def _live_class(blocks: List[_Block]) -> type:
    """The class of live flows: an NFlow whose block attributes read the
    flow's latest block values (``_blk``). At expiry the object becomes a
    plain NFlow holding the record's values."""

    def attribute(b: _Block, i: int) -> property:
        def values(self) -> List[Any]:
            v = self._blk[b.index]
            if type(v) is bytes:
                v = self._blk[b.index] = b.decode(v)
            return v

        def get(self) -> Any:
            return values(self)[i]

        def put(self, value: Any) -> None:
            # As in NFStream, a value a hook assigns lasts until the block's
            # next refresh.
            values(self)[i] = value

        return property(get, put)

    attrs: Dict[str, Any] = {"__doc__": "A flow while its plugins' hooks run."}
    for b in blocks:
        for i, name in enumerate(b.names):
            attrs[name] = attribute(b, i)
    return type("NFlow", (NFlow,), attrs)


def _mentions(code, name: str) -> bool:
    if name in code.co_names:
        return True
    return any(_mentions(c, name) for c in code.co_consts if hasattr(c, "co_names"))


def may_force_expiry(plugins) -> bool:
    """Whether any code of the plugins' classes (their own and inherited
    methods, nested functions) mentions expiration_id."""
    import types

    from .plugin import NFPlugin

    for p in plugins:
        for cls in type(p).__mro__:
            if cls in (NFPlugin, object):
                continue
            for v in vars(cls).values():
                f = v.__func__ if isinstance(v, (staticmethod, classmethod)) else v
                if isinstance(f, property):
                    fs = [f.fget, f.fset, f.fdel]
                else:
                    fs = [f]
                for fn in fs:
                    if isinstance(fn, types.FunctionType) and _mentions(fn.__code__, "expiration_id"):
                        return True
        for v in vars(p).values():
            if callable(v):
                return True  # a callable option could do anything
    return False


def run(streamer, frame_rows: int) -> Iterator[NFlow]:
    """Meters with the streamer's parameters and yields the flows, each
    after its plugins' on_expire."""
    plugins = streamer._python_plugins()
    ev_r, ev_w = os.pipe()
    rp_r, rp_w = os.pipe()
    report = streamer._open_report()
    cmd = streamer._command(frame_rows, n_meters=1, report_fd=report.fd if report else None)
    cmd.insert(cmd.index("--"), "--plugin")
    sync = "true" if may_force_expiry(plugins) else "false"
    cmd.insert(cmd.index("--"), f"python_bridge:events={ev_w},replies={rp_r},sync={sync}")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(ev_w, rp_r) + ((report.fd,) if report else ()))
    if report:
        report.start()
    os.close(ev_w)
    os.close(rp_r)
    live: Dict[int, NFlow] = {}
    expired: set = set()
    cond = threading.Condition()
    answer = sync == "true"
    failure: List[BaseException] = []
    stderr_chunks: List[bytes] = []
    drain = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
    drain.start()

    tunnels = bool(streamer.decode_tunnels)
    visibility = int(streamer.system_visibility_mode)

    def events() -> None:
        rd = os.fdopen(ev_r, "rb", buffering=1 << 16)
        wr = os.fdopen(rp_w, "wb", buffering=0)
        blocks: List[_Block] = []
        live_cls = _live_class(blocks)
        try:
            while True:
                kind = rd.read(1)
                if not kind:
                    return
                if kind == b"\x00":
                    blocks = _read_header(rd)
                    live_cls = _live_class(blocks)
                    continue
                if kind == b"\x03":
                    (handle,) = struct.unpack("<Q", rd.read(8))
                    with cond:
                        expired.add(handle)
                        cond.notify_all()
                    continue
                head = kind + rd.read(_HDR.size - 1)
                if len(head) < _HDR.size:
                    return
                (kind, direction, protocol, ipver, flags, tunnel, vlan, handle, time, delta,
                 raw, ip, tr, pay, sport, dport,
                 b_first, b_last, b_pk, b_by, s_first, s_last, s_pk, s_by,
                 d_first, d_last, d_pk, d_by, iplen) = _HDR.unpack(head)
                if kind == 1:
                    n = rd.read(1)[0]
                    src_ip = rd.read(n).decode()
                    n = rd.read(1)[0]
                    dst_ip = rd.read(n).decode()
                    macs = rd.read(12)
                    fsport, fdport = struct.unpack("<HH", rd.read(4))
                    flow = live_cls.__new__(live_cls)
                    src_mac, dst_mac = _mac(macs[:6]), _mac(macs[6:])
                    flow.__dict__.update(
                        id=NFEvent.FLOW, expiration_id=0, src_ip=src_ip, src_mac=src_mac, src_oui=src_mac[:8],
                        src_port=fsport, dst_ip=dst_ip, dst_mac=dst_mac, dst_oui=dst_mac[:8], dst_port=fdport,
                        protocol=protocol, ip_version=ipver, vlan_id=vlan,
                    )
                    if tunnels:
                        flow.tunnel_id = tunnel
                    if visibility:
                        # Processes are matched at expiry, as in NFStream.
                        flow.system_process_pid, flow.system_process_name = -1, ""
                        if visibility == 2:
                            flow.system_browser_tab = ""
                    flow.udps = UDPS()
                    flow._names = ()
                    flow._blk = [None] * len(blocks)
                    live[handle] = flow
                else:
                    flow = live[handle]
                d = flow.__dict__
                d["bidirectional_first_seen_ms"] = b_first
                d["bidirectional_last_seen_ms"] = b_last
                d["bidirectional_duration_ms"] = b_last - b_first
                d["bidirectional_packets"] = b_pk
                d["bidirectional_bytes"] = b_by
                d["src2dst_first_seen_ms"] = s_first
                d["src2dst_last_seen_ms"] = s_last
                d["src2dst_duration_ms"] = s_last - s_first
                d["src2dst_packets"] = s_pk
                d["src2dst_bytes"] = s_by
                d["dst2src_first_seen_ms"] = d_first
                d["dst2src_last_seen_ms"] = d_last
                d["dst2src_duration_ms"] = d_last - d_first
                d["dst2src_packets"] = d_pk
                d["dst2src_bytes"] = d_by
                blk = d["_blk"]
                for b in blocks:
                    b.read(rd, blk)
                pk = NFPacket()
                pk.time, pk.delta_time, pk.direction = time, delta, direction
                pk.raw_size, pk.ip_size, pk.transport_size, pk.payload_size = raw, ip, tr, pay
                if direction == 0:
                    pk.src_ip, pk.src_mac, pk.src_oui = flow.src_ip, flow.src_mac, flow.src_oui
                    pk.dst_ip, pk.dst_mac, pk.dst_oui = flow.dst_ip, flow.dst_mac, flow.dst_oui
                else:
                    pk.src_ip, pk.src_mac, pk.src_oui = flow.dst_ip, flow.dst_mac, flow.dst_oui
                    pk.dst_ip, pk.dst_mac, pk.dst_oui = flow.src_ip, flow.src_mac, flow.src_oui
                pk.src_port, pk.dst_port, pk.protocol, pk.vlan_id, pk.ip_version = sport, dport, protocol, vlan, ipver
                pk.ip_packet = rd.read(iplen)
                pk.fin, pk.syn, pk.rst, pk.psh = flags & 1, flags >> 1 & 1, flags >> 2 & 1, flags >> 3 & 1
                pk.ack, pk.urg, pk.ece, pk.cwr = flags >> 4 & 1, flags >> 5 & 1, flags >> 6 & 1, flags >> 7 & 1
                pk.tunnel_id = tunnel
                if kind == 1:
                    for p in plugins:
                        p.on_init(pk, flow)
                else:
                    for p in plugins:
                        p.on_update(pk, flow)
                if answer:
                    wr.write(b"\x01" if d["expiration_id"] == -1 else b"\x00")
        except BaseException as e:  # a plugin raised: stop the meter, report it
            failure.append(e)
            proc.kill()
        finally:
            rd.close()
            wr.close()
            with cond:
                expired.add(None)  # no more events: stop waiting
                cond.notify_all()

    worker = threading.Thread(target=events, daemon=True)
    worker.start()
    done = False
    try:
        try:
            reader = FrameReader(proc.stdout)
            names = reader.schema.names
            empty = streamer._empty_text(reader.schema, reader.nullable)
            streamer._last_schema = reader.schema
            streamer._last_nullable = [n for i, n in enumerate(reader.nullable) if names[i] != _HANDLE]
            h = names.index(_HANDLE)
            keep = [i for i, n in enumerate(names) if n != _HANDLE]
            out_names = [names[i] for i in keep]
            for batch in reader:
                cols = []
                for i, col in enumerate(batch.columns):
                    values = col.to_pylist()
                    if empty[i]:
                        values = ["" if v is None else v for v in values]
                    cols.append(values)
                for row in zip(*cols):
                    # Once its expire event was handled, the flow's live
                    # object has seen all its packets.
                    handle = row[h]
                    with cond:
                        while handle not in expired and None not in expired:
                            cond.wait()
                        expired.discard(handle)
                    if failure:
                        raise failure[0]
                    flow = live.pop(handle)
                    udps = flow.udps
                    flow.__dict__.clear()
                    flow.__class__ = NFlow
                    for i in keep:
                        if not names[i].startswith(UDPS_PREFIX):
                            flow.__dict__[names[i]] = row[i]
                        else:
                            setattr(udps, names[i][len(UDPS_PREFIX):], row[i])
                    flow.udps = udps
                    for p in plugins:
                        p.on_expire(flow)
                    base = [n for n in out_names if not n.startswith(UDPS_PREFIX)]
                    flow._names = base + [UDPS_PREFIX + k for k in vars(udps)]
                    if report:
                        report.flows += 1
                    yield flow
            done = True
        except FramesError as e:
            proc.wait()
            worker.join()
            if failure:
                raise failure[0]
            drain.join()
            from .streamer import _go_message

            raise ValueError(_go_message(b"".join(stderr_chunks).decode(errors="replace")) or str(e)) from None
    finally:
        if not done and proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.wait()
        worker.join()
        drain.join()
        if report:
            report.stop()
    if failure:
        raise failure[0]
