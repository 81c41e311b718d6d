"""Reader of the Go command's ``--format frames`` stream.

The Go side (``stages.FramesSink``) writes Arrow's columnar buffers for each
batch of flows; this module wraps them, without copying, into
``pyarrow.RecordBatch`` objects. See the layout in ``stages/sink_frames.go``.
"""

from __future__ import annotations

import json
import struct
from typing import BinaryIO, Iterator

import pyarrow as pa

MAGIC = b"NFDFRM1\n"
_END = 0xFFFFFFFFFFFFFFFF
_U64 = struct.Struct("<Q")

_TYPES = {
    "int": pa.int64(),
    "float": pa.float64(),
    "string": pa.string(),
    "int_list": pa.list_(pa.int64()),
}


class FramesError(ValueError):
    """The stream ended early or is not a frames stream."""


def _read_exact(f: BinaryIO, n: int) -> bytes:
    b = f.read(n)
    if b is None or len(b) != n:
        raise FramesError("flow stream ended early (the nfdataset process failed)")
    return b


def _read_u64(f: BinaryIO) -> int:
    return _U64.unpack(_read_exact(f, 8))[0]


def _read_buffer(f: BinaryIO) -> pa.Buffer:
    n = _read_u64(f)
    b = _read_exact(f, n + (-n % 8))
    return pa.py_buffer(memoryview(b)[:n])


class FrameReader:
    """Iterates over the record batches of one frames stream."""

    def __init__(self, f: BinaryIO) -> None:
        self._f = f
        head = f.read(len(MAGIC))
        if not head:
            raise FramesError("flow stream is empty (the nfdataset process failed)")
        if head != MAGIC:
            raise FramesError("not an nfdataset frames stream (binary and package versions differ?)")
        n = _read_u64(f)
        fields = json.loads(_read_exact(f, n + (-n % 8))[:n])
        self.kinds = [c["kind"] for c in fields]
        self.nullable = [bool(c["nullable"]) for c in fields]
        self.schema = pa.schema([pa.field(c["name"], _TYPES[c["kind"]]) for c in fields])

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        f = self._f
        while True:
            rows = _read_u64(f)
            if rows == _END:
                return
            arrays = []
            for kind, field in zip(self.kinds, self.schema):
                validity = _read_buffer(f)
                if kind in ("int", "float"):
                    arr = pa.Array.from_buffers(field.type, rows, [validity, _read_buffer(f)])
                elif kind == "string":
                    offsets = _read_buffer(f)
                    arr = pa.Array.from_buffers(field.type, rows, [validity, offsets, _read_buffer(f)])
                else:
                    offsets = _read_buffer(f)
                    values = _read_buffer(f)
                    child = pa.Array.from_buffers(pa.int64(), len(values) // 8, [None, values])
                    arr = pa.Array.from_buffers(field.type, rows, [validity, offsets], children=[child])
                arrays.append(arr)
            yield pa.RecordBatch.from_arrays(arrays, schema=self.schema)
