"""NFStreamer: NFStream's streamer, metered by the nfdataset Go engine."""

from __future__ import annotations

import csv
import json
import os
import platform
import secrets
import socket
import subprocess
import threading
from collections.abc import Iterable
from enum import IntEnum
from os.path import isfile
from typing import Any, Iterator, List, Optional, Sequence

import pyarrow as pa

from . import _convert
from ._binary import binary
from ._frames import FrameReader, FramesError
from .flow import NFlow, UDPS_PREFIX, flows_of
from .plugin import NFPlugin
from .plugins import GoPlugin

_MAX_U64 = 18446744073709551615


class NFMode(IntEnum):
    SINGLE_FILE = 0
    INTERFACE = 1
    MULTIPLE_FILES = 2


def _is_interface(name: str) -> Optional[str]:
    try:
        names = {n for _, n in socket.if_nameindex()}
    except OSError:
        names = set()
    return name if name in names else None


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _cores() -> Optional[int]:
    """Physical cores (distinct physical id/core id pairs), None when unknown."""
    try:
        pairs, phys = set(), None
        with open("/proc/cpuinfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                k = k.strip()
                if k == "physical id":
                    phys = v.strip()
                elif k == "core id":
                    pairs.add((phys, v.strip()))
        return len(pairs) or None
    except OSError:
        return None


class NFStreamer:
    """Network flow streamer with NFStream 6.6.0's parameters and behaviour.

    Example::

        >>> from nfdataset import NFStreamer
        >>> df = NFStreamer(source="path/to/file.pcap").to_pandas()

    Every parameter is validated as NFStream validates it (same ValueError
    messages); the flows are metered by the nfdataset Go engine in a child
    process and streamed to Python as Arrow record batches.
    """

    streamer_id = 0
    glock = threading.Lock()

    def __init__(
        self,
        source: Any = None,
        decode_tunnels: bool = True,
        bpf_filter: Optional[str] = None,
        promiscuous_mode: bool = True,
        snapshot_length: int = 1536,
        socket_buffer_size: int = 0,
        idle_timeout: int = 120,
        active_timeout: int = 1800,
        accounting_mode: int = 0,
        udps: Any = None,
        n_dissections: int = 20,
        statistical_analysis: bool = False,
        splt_analysis: int = 0,
        n_meters: int = 0,
        max_nflows: int = 0,
        performance_report: int = 0,
        system_visibility_mode: int = 0,
        system_visibility_poll_ms: int = 100,
    ) -> None:
        with NFStreamer.glock:
            NFStreamer.streamer_id += 1
            self._idx = NFStreamer.streamer_id
        self._mode = NFMode.SINGLE_FILE
        self.source = source
        self.decode_tunnels = decode_tunnels
        self.bpf_filter = bpf_filter
        self.promiscuous_mode = promiscuous_mode
        self.snapshot_length = snapshot_length
        self.idle_timeout = idle_timeout
        self.active_timeout = active_timeout
        self.accounting_mode = accounting_mode
        self.udps = udps
        self.n_dissections = n_dissections
        self.statistical_analysis = statistical_analysis
        self.splt_analysis = splt_analysis
        self.n_meters = n_meters
        self.max_nflows = max_nflows
        self.performance_report = performance_report
        self.system_visibility_mode = system_visibility_mode
        self.system_visibility_poll_ms = system_visibility_poll_ms
        self.socket_buffer_size = socket_buffer_size

    # --- parameters (validated in NFStream's order, with its messages) ---

    @property
    def source(self) -> Any:
        return self._source

    @source.setter
    def source(self, value: Any) -> None:
        if type(value) == list:
            if len(value) == 0:
                raise ValueError("Please provide a non-empty list of sources.")
            for i in range(len(value)):
                try:
                    value[i] = str(os.fspath(value[i]))
                    if not isfile(value[i]):
                        raise TypeError
                except TypeError:
                    raise ValueError("Invalid pcap file path at index: " + str(i) + ".")
            self._mode = NFMode.MULTIPLE_FILES
        else:
            try:
                value = str(os.fspath(value))
            except TypeError:
                raise ValueError(
                    "Please specify a pcap file path or a valid network interface name as source."
                )
            if isfile(value):
                self._mode = NFMode.SINGLE_FILE
            else:
                interface = _is_interface(value)
                if interface is None:
                    raise ValueError(
                        "Please specify a pcap file path or a valid network interface name as source."
                    )
                self._mode = NFMode.INTERFACE
                value = interface
        self._source = value

    def _bool(name: str, label: str):  # type: ignore[misc]
        def get(self):
            return getattr(self, "_" + name)

        def set_(self, value):
            if not isinstance(value, bool):
                raise ValueError(f"Please specify a valid {label} parameter (possible values: True, False).")
            setattr(self, "_" + name, value)

        return property(get, set_)

    decode_tunnels = _bool("decode_tunnels", "decode_tunnels")
    promiscuous_mode = _bool("promiscuous_mode", "promiscuous_mode")
    statistical_analysis = _bool("statistical_analysis", "statistical_analysis")

    @property
    def bpf_filter(self) -> Optional[str]:
        return self._bpf_filter

    @bpf_filter.setter
    def bpf_filter(self, value: Optional[str]) -> None:
        if not isinstance(value, str) and value is not None:
            raise ValueError("Please specify a valid bpf_filter format.")
        self._bpf_filter = value

    @property
    def snapshot_length(self) -> int:
        return self._snapshot_length

    @snapshot_length.setter
    def snapshot_length(self, value: int) -> None:
        if not isinstance(value, int) or value <= 0:
            raise ValueError("Please specify a valid snapshot_length parameter (positive integer).")
        self._snapshot_length = value

    @property
    def socket_buffer_size(self) -> int:
        return self._socket_buffer_size

    @socket_buffer_size.setter
    def socket_buffer_size(self, value: int) -> None:
        if not isinstance(value, int) or (value < 0 or value > 2**31 - 1):
            raise ValueError(
                "Please specify a valid socket_buffer_size parameter (positive integer <= 2^31-1)."
            )
        self._socket_buffer_size = value

    @property
    def idle_timeout(self) -> int:
        return self._idle_timeout

    @idle_timeout.setter
    def idle_timeout(self, value: int) -> None:
        if not isinstance(value, int) or value < 0 or value * 1000 > _MAX_U64:
            raise ValueError("Please specify a valid idle_timeout parameter (positive integer in seconds).")
        self._idle_timeout = value

    @property
    def active_timeout(self) -> int:
        return self._active_timeout

    @active_timeout.setter
    def active_timeout(self, value: int) -> None:
        if not isinstance(value, int) or value < 0 or value * 1000 > _MAX_U64:
            raise ValueError("Please specify a valid active_timeout parameter (positive integer in seconds).")
        self._active_timeout = value

    @property
    def accounting_mode(self) -> int:
        return self._accounting_mode

    @accounting_mode.setter
    def accounting_mode(self, value: int) -> None:
        if not isinstance(value, int) or value not in [0, 1, 2, 3]:
            raise ValueError("Please specify a valid accounting_mode parameter (possible values: 0, 1, 2, 3).")
        self._accounting_mode = value

    @property
    def udps(self) -> tuple:
        return self._udps

    @udps.setter
    def udps(self, value: Any) -> None:
        if isinstance(value, Iterable):
            for plugin in value:
                if not isinstance(plugin, NFPlugin):
                    raise ValueError("User defined plugins must inherit from NFPlugin type.")
            self._udps = value
        elif isinstance(value, NFPlugin):
            self._udps = (value,)
        elif value is None:
            self._udps = ()
        else:
            raise ValueError("User defined plugins must inherit from NFPlugin type.")

    @property
    def n_dissections(self) -> int:
        return self._n_dissections

    @n_dissections.setter
    def n_dissections(self, value: int) -> None:
        if not isinstance(value, int) or value < 0 or value > 255:
            raise ValueError("Please specify a valid n_dissections parameter (possible values in : [0,...,255]).")
        self._n_dissections = value

    @property
    def splt_analysis(self) -> int:
        return self._splt_analysis

    @splt_analysis.setter
    def splt_analysis(self, value: int) -> None:
        if not isinstance(value, int) or value < 0 or value > 65535:
            raise ValueError("Please specify a valid splt_analysis parameter (possible values in : [0,...,65535])")
        if value > 255:
            print(
                "[WARNING]: The specified splt_analysis parameter is higher than 255. "
                "High values can impact the performance of the tool."
            )
        self._splt_analysis = value

    @property
    def n_meters(self) -> int:
        return self._n_meters

    @n_meters.setter
    def n_meters(self, value: int) -> None:
        if not (isinstance(value, int) and value >= 0):
            raise ValueError("Please specify a valid n_meters parameter (>=1 or 0 for auto scaling).")
        cpus = _cpus()
        cores = _cores() or cpus
        if value == 0:
            if platform.system() == "Linux" and self._mode == NFMode.INTERFACE:
                n = cpus - 1
            elif cpus >= cores:
                n = cores - 1 if cpus in (cores, 2 * cores) else int(cpus // 2) - 1
            else:
                n = cpus - 1
        elif value + 1 <= cpus:
            n = value
        else:
            print("WARNING: n_meters set to :{} in order to avoid contention.".format(cpus - 1))
            n = cpus - 1
        self._n_meters = max(n, 1) if n != 0 else 1

    @property
    def max_nflows(self) -> int:
        return self._max_nflows

    @max_nflows.setter
    def max_nflows(self, value: int) -> None:
        if not (isinstance(value, int) and value >= 0):
            raise ValueError("Please specify a valid max_nflows parameter (>=0).")
        self._max_nflows = value - 1

    @property
    def performance_report(self) -> int:
        return self._performance_report

    @performance_report.setter
    def performance_report(self, value: int) -> None:
        if not (isinstance(value, int) and value >= 0):
            raise ValueError(
                "Please specify a valid performance_report parameter (>=1 for reporting interval (seconds)"
                " or 0 to disable). [Available only for Live capture]"
            )
        self._performance_report = value

    @property
    def system_visibility_mode(self) -> int:
        return self._system_visibility_mode

    @system_visibility_mode.setter
    def system_visibility_mode(self, value: int) -> None:
        if not (isinstance(value, int) and value in [0, 1]):
            raise ValueError(
                "Please specify a valid system_visibility_mode parameter\n"
                "0: disable\n"
                "1: process information\n"
                "[Available only for live capture on the system generating the traffic]"
            )
        if self._mode == NFMode.SINGLE_FILE and value > 0:
            print("WARNING: system_visibility_mode switched to 0 in offline capture (available only for live capture)")
            value = 0
        self._system_visibility_mode = value

    @property
    def system_visibility_poll_ms(self) -> int:
        return self._system_visibility_poll_ms

    @system_visibility_poll_ms.setter
    def system_visibility_poll_ms(self, value: int) -> None:
        if not (isinstance(value, int) and value >= 0):
            raise ValueError(
                "Please specify a valid system_visibility_poll_ms parameter (positive integer in milliseconds)"
            )
        self._system_visibility_poll_ms = value

    # --- running the Go meter ---

    def _python_plugins(self) -> List[NFPlugin]:
        return [p for p in self._udps if not isinstance(p, GoPlugin)]

    def _report_wanted(self) -> bool:
        # NFStream reports only on live captures; with files the parameter
        # is validated and then ignored.
        return self._mode == NFMode.INTERFACE and self.performance_report > 0

    def _open_report(self) -> Optional["_Report"]:
        return _Report() if self._report_wanted() else None

    def _command(self, frame_rows: int, n_meters: Optional[int] = None,
                 report_fd: Optional[int] = None) -> List[str]:
        sources = self._source if isinstance(self._source, list) else [self._source]
        args = [
            binary(), "flows", "--format", "frames", "--frame-rows", str(frame_rows),
            f"--decode-tunnels={'true' if self.decode_tunnels else 'false'}",
            f"--promiscuous-mode={'true' if self.promiscuous_mode else 'false'}",
            "--snapshot-length", str(int(self.snapshot_length)),
            "--socket-buffer-size", str(int(self.socket_buffer_size)),
            "--idle-timeout", str(int(self.idle_timeout)),
            "--active-timeout", str(int(self.active_timeout)),
            "--accounting-mode", str(int(self.accounting_mode)),
            "--n-dissections", str(int(self.n_dissections)),
            f"--statistical-analysis={'true' if self.statistical_analysis else 'false'}",
            "--splt-analysis", str(int(self.splt_analysis)),
            "--n-meters", str(int(self.n_meters if n_meters is None else n_meters)),
            "--max-nflows", str(int(self._max_nflows + 1)),
            "--system-visibility-mode", str(int(self.system_visibility_mode)),
            "--system-visibility-poll-ms", str(int(self.system_visibility_poll_ms)),
        ]
        if self.bpf_filter is not None:
            args += ["--bpf-filter", self.bpf_filter]
        if report_fd is not None:
            args += ["--performance-report", str(int(self.performance_report)),
                     "--report-json", f"/dev/fd/{report_fd}"]
        for p in self._udps:
            if isinstance(p, GoPlugin):
                args += ["--plugin", p.flag()]
        return args + ["--"] + [str(s) for s in sources]

    def batches(self, frame_rows: int = 0) -> Iterator[pa.RecordBatch]:
        """The flows as Arrow record batches (Go's column types: lists stay
        lists, empty DPI strings are null), streamed as the meter emits them."""
        if self._python_plugins():
            yield from self._plugin_batches(frame_rows or 4096)
            return
        if frame_rows <= 0:
            frame_rows = 1 if self._mode == NFMode.INTERFACE else 4096
        report = self._open_report()
        cmd = self._command(frame_rows, report_fd=report.fd if report else None)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                pass_fds=(report.fd,) if report else ())
        if report:
            report.start()
        stderr_chunks: List[bytes] = []
        drain = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
        drain.start()
        done = False
        try:
            try:
                reader = FrameReader(proc.stdout)
                self._last_nullable = reader.nullable
                self._last_schema = reader.schema
                for batch in reader:
                    if report:
                        report.flows += batch.num_rows
                    yield batch
                done = True
            except FramesError as e:
                proc.wait()
                drain.join()
                msg = b"".join(stderr_chunks).decode(errors="replace").strip()
                raise ValueError(_go_message(msg) or str(e)) from None
        finally:
            if not done and proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            proc.wait()
            drain.join()
            if report:
                report.stop()
            if done:
                msg = b"".join(stderr_chunks).decode(errors="replace")
                for line in msg.splitlines():
                    if "warning" in line:
                        print(line)

    def _empty_text(self, schema: pa.Schema, nullable: Sequence[bool]) -> List[bool]:
        return [
            i < len(nullable) and nullable[i] and pa.types.is_string(f.type) and not f.name.startswith(UDPS_PREFIX)
            for i, f in enumerate(schema)
        ]

    def _plugin_batches(self, rows: int) -> Iterator[pa.RecordBatch]:
        """Batches of flows with Python plugins: the engine's columns keep
        their types, udps columns hold ``str(value)`` (None stays null), the
        text NFStream's CSV holds; columns follow the first flow's keys."""
        from . import _pyplugins

        names: Optional[List[str]] = None
        pending: List[NFlow] = []

        def emit() -> pa.RecordBatch:
            cols = []
            for n in names:
                if n.startswith(UDPS_PREFIX):
                    attr = n[len(UDPS_PREFIX):]
                    vals = [getattr(f.udps, attr, None) for f in pending]
                    cols.append(pa.array([None if v is None else str(v) for v in vals], pa.string()))
                else:
                    t = types.get(n)
                    vals = [f.__dict__.get(n) for f in pending]
                    if n in empty_names:
                        vals = [None if v == "" else v for v in vals]
                    cols.append(pa.array(vals, t))
            pending.clear()
            return pa.RecordBatch.from_arrays(cols, names=names)

        for flow in _pyplugins.run(self, rows):
            if names is None:
                names = flow.keys()
                types = {f.name: f.type for f in self._last_schema} if hasattr(self, "_last_schema") else {}
                empty_names = set()
            pending.append(flow)
            if len(pending) == rows:
                yield emit()
        if pending:
            yield emit()

    def __iter__(self) -> Iterator[NFlow]:
        if self._python_plugins():
            from . import _pyplugins

            yield from _pyplugins.run(self, 1 if self._mode == NFMode.INTERFACE else 256)
            return
        frame_rows = 1 if self._mode == NFMode.INTERFACE else 256
        for batch in self.batches(frame_rows):
            yield from flows_of(batch, self._empty_text(batch.schema, self._last_nullable))

    def to_arrow(self, columns_to_anonymize: Sequence[str] = (), key: Optional[bytes] = None) -> Optional[pa.Table]:
        """All flows as one Arrow table with Go's column types, None without flows."""
        batches = list(self.batches())
        if not batches:
            return None
        table = pa.Table.from_batches(batches)
        if columns_to_anonymize:
            table = self._anonymize(table, columns_to_anonymize, key)
        return table

    def _anonymize(self, table: pa.Table, columns: Sequence[str], key: Optional[bytes]) -> pa.Table:
        empty = [f.name for f, e in zip(table.schema, self._empty_text(table.schema, self._last_nullable)) if e]
        return _convert.anonymize(table, columns, key if key is not None else secrets.token_bytes(64), empty)

    def to_pandas(self, columns_to_anonymize: Sequence[str] = (), key: Optional[bytes] = None):
        """NFStream's DataFrame (same columns, values and dtypes), None without
        flows. Built from Arrow record batches, never through a CSV file.
        ``key`` fixes the 64-byte BLAKE2b key of the anonymised columns
        (NFStream draws a random one per call)."""
        table = self.to_arrow(columns_to_anonymize, key)
        if table is None:
            return None
        table = _convert.csv_like(table)
        return table.to_pandas(split_blocks=True, self_destruct=True)

    def to_polars(self, columns_to_anonymize: Sequence[str] = (), key: Optional[bytes] = None):
        """The flows as a polars DataFrame (Go's column types: lists stay
        lists), None without flows. Needs the optional polars package."""
        import polars as pl

        table = self.to_arrow(columns_to_anonymize, key)
        return None if table is None else pl.from_arrow(table)

    def to_csv(
        self,
        path: Optional[str] = None,
        columns_to_anonymize: Sequence[str] = (),
        flows_per_file: int = 0,
        rotate_files: int = 0,
        key: Optional[bytes] = None,
    ) -> int:
        """NFStream's CSV export: returns the number of flows written.

        Same file naming (``<source>.csv``; with ``flows_per_file`` every
        "csv" in the path becomes ``<chunk>.csv``, modulo ``rotate_files``),
        same rows (Python's csv module over the flow values), same keyed
        BLAKE2b anonymisation; ``key`` makes it reproducible.
        """
        for n, name in ((flows_per_file, "flows_per_file"), (rotate_files, "rotate_files")):
            if not isinstance(n, int) or n < 0:
                raise ValueError(f"Please specify a valid {name} parameter (>= 0).")
        if path is None:
            src = self._source[0] if isinstance(self._source, list) else self._source
            path = str(src) + ".csv"
        key = key if key is not None else secrets.token_bytes(64)
        total, chunk_flows, chunk_idx = 0, 0, -1
        f = None
        writer = None
        try:
            for batch in self.batches():
                table = pa.Table.from_batches([batch])
                if columns_to_anonymize:
                    table = self._anonymize(table, columns_to_anonymize, key)
                empty = self._empty_text(batch.schema, self._last_nullable)
                cols = []
                for i, col in enumerate(table.columns):
                    values = col.to_pylist()
                    if empty[i] and table.schema.field(i).name not in columns_to_anonymize:
                        values = ["" if v is None else v for v in values]
                    cols.append(values)
                for row in zip(*cols):
                    if total == 0 or (flows_per_file > 0 and chunk_flows >= flows_per_file):
                        if f is not None:
                            f.close()
                        chunk_flows = 0
                        chunk_idx += 1
                        name = path
                        if flows_per_file > 0:
                            c = chunk_idx % rotate_files if rotate_files else chunk_idx
                            name = path.replace("csv", f"{c}.csv")
                        f = open(name, "w", newline="", encoding="utf-8")
                        writer = csv.writer(f)
                        writer.writerow(table.column_names)
                    writer.writerow(row)
                    total += 1
                    chunk_flows += 1
        finally:
            if f is not None:
                f.close()
        return total


class _Report:
    """NFStream's performance_report: the Go meter writes its counters as
    JSON lines on a pipe every performance_report seconds; a thread prints
    each as NFStream prints it (json.dumps of the same five keys on stdout),
    with flows_expired counting the flows handed to Python, as NFStream's
    streamer counts the flows it took from its meters."""

    _KEYS = ("packets_processed", "packets_ignored", "packets_dropped_filtered_by_kernel",
             "meters_packets_processing_balance")

    def __init__(self) -> None:
        self._r, self.fd = os.pipe()
        self.flows = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        os.close(self.fd)  # the child holds the write end now
        self._thread.start()

    def _run(self) -> None:
        with os.fdopen(self._r, "r", encoding="utf-8") as f:
            for line in f:
                try:
                    rep = json.loads(line)
                except ValueError:
                    continue
                out = {"flows_expired": self.flows}
                out.update((k, rep.get(k, 0)) for k in self._KEYS)
                print(json.dumps(out), flush=True)

    def stop(self) -> None:
        # The child has exited, so the pipe is at its end: no report can
        # print after the iteration returns, as with NFStream's timer.
        self._thread.join()


def _go_message(stderr: str) -> str:
    """The Go command's error, without its program prefix."""
    lines = [ln for ln in stderr.splitlines() if ln.strip() and "warning" not in ln]
    if not lines:
        return ""
    msg = lines[-1]
    for prefix in ("nfdataset flows: ", "nfdataset: "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    return msg
