"""NFlow: one flow as NFStream's iteration yields it."""

from __future__ import annotations

from enum import Enum
from typing import Any, Iterator, List, Sequence

import pyarrow as pa

UDPS_PREFIX = "udps."


class NFEvent(Enum):
    """NFStream's event codes. A flow's ``id`` is ``NFEvent.FLOW`` while its
    plugins run (NFStream numbers flows only when it yields them), so a
    plugin that stores ``flow.id`` mid-flow gets the same value under both."""

    FLOW = -1
    ERROR = -2
    SOCKET_CREATE = -3
    SOCKET_REMOVE = -4
    ALL_AFFINITY_SET = -5


class UDPS:
    """Attribute bag of a flow's user-defined (plugin) values."""

    def __repr__(self) -> str:
        return "UDPS(" + ", ".join(f"{k}={v!r}" for k, v in vars(self).items()) + ")"


class NFlow:
    """A flow: NFStream's attribute names (``flow.src_ip``, ``flow.splt_ps``
    as a list, ``flow.udps.<name>``); ``keys()`` and ``values()`` follow the
    column order of ``to_pandas``."""

    def __init__(self, names: Sequence[str], values: Sequence[Any]) -> None:
        self._names = names
        udps = UDPS()
        d = self.__dict__
        for n, v in zip(names, values):
            if n.startswith(UDPS_PREFIX):
                setattr(udps, n[len(UDPS_PREFIX):], v)
            else:
                d[n] = v
        self.udps = udps

    def keys(self) -> List[str]:
        """Column names, ``udps.<name>`` for plugin values."""
        return list(self._names)

    def values(self) -> List[Any]:
        """Values in ``keys()`` order."""
        out = []
        for n in self._names:
            if n.startswith(UDPS_PREFIX):
                out.append(getattr(self.udps, n[len(UDPS_PREFIX):], None))
            else:
                out.append(self.__dict__[n])
        return out

    def __str__(self) -> str:
        # NFStream's form: str() of each value, one attribute per line.
        return "NFlow(" + ",\n      ".join(f"{k}={v}" for k, v in zip(self.keys(), self.values())) + ")"

    def __repr__(self) -> str:
        return "NFlow(" + ", ".join(f"{k}={v!r}" for k, v in zip(self.keys(), self.values())) + ")"


def flows_of(batch: pa.RecordBatch, empty_text: Sequence[bool]) -> Iterator[NFlow]:
    """The flows of a batch. ``empty_text[i]`` marks columns whose nulls are
    NFStream's empty strings (the DPI text fields)."""
    names = batch.schema.names
    cols = []
    for i, col in enumerate(batch.columns):
        values = col.to_pylist()
        if empty_text[i]:
            values = ["" if v is None else v for v in values]
        cols.append(values)
    # NFlow(names, row) per row, with the name tests done once per batch:
    # iteration builds one object per flow, so this loop is its cost.
    base = [i for i, n in enumerate(names) if not n.startswith(UDPS_PREFIX)]
    base_names = [names[i] for i in base]
    udps = [(i, n[len(UDPS_PREFIX):]) for i, n in enumerate(names) if n.startswith(UDPS_PREFIX)]
    base_rows = zip(*[cols[i] for i in base])
    udps_rows = zip(*[cols[i] for i, _ in udps]) if udps else None
    udps_names = [n for _, n in udps]
    new = NFlow.__new__
    for row in base_rows:
        flow = new(NFlow)
        d = flow.__dict__
        d["_names"] = names
        d.update(zip(base_names, row))
        u = UDPS()
        if udps_rows is not None:
            u.__dict__.update(zip(udps_names, next(udps_rows)))
        d["udps"] = u
        yield flow
