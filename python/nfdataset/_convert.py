"""Arrow tables shaped like NFStream's ``to_pandas`` output.

NFStream 6.6.0 writes its flows to a temporary CSV and reads it back with
``pandas.read_csv``; its DataFrame's dtypes are therefore pandas' CSV
inference. This module applies the same inference to Arrow columns, with no
CSV: list columns become their Python list text (``"[0, 1, -1]"``), and a
text column becomes int64, float64 or bool when every value parses as one,
float64 NaN when it has no value at all, and a string column otherwise.
"""

from __future__ import annotations

from hashlib import blake2b
from typing import Iterable, Sequence

import pyarrow as pa
import pyarrow.compute as pc

# pandas.read_csv's default missing-value spellings.
_NA = pa.array(
    ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
     "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
)
_TRUE = pa.array(["True", "TRUE", "true"])
_FALSE = pa.array(["False", "FALSE", "false"])


def list_text(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """Python's ``str(list)`` of each list of ints, vectorised."""
    chunks = []
    for chunk in arr.chunks:
        items = pc.cast(chunk.values, pa.string())
        lists = pa.ListArray.from_arrays(chunk.offsets, items)
        joined = pc.binary_join(lists, ", ")
        chunks.append(pc.binary_join_element_wise("[", joined, "]", ""))
    return pa.chunked_array(chunks, type=pa.string())


def _infer_text(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    na = pc.is_in(arr, value_set=_NA)
    if pc.any(na).as_py():  # copy only the columns that hold such spellings
        arr = pc.if_else(na, pa.scalar(None, pa.string()), arr)
    del na
    valid = len(arr) - arr.null_count
    if valid == 0:
        return pa.chunked_array([pa.nulls(len(arr), pa.float64())])
    present = pc.drop_null(arr)
    # Most text columns (addresses, names) fail on their first value: try
    # that one alone before converting the whole column.
    first = pc.utf8_trim_whitespace(present.slice(0, 1))
    try:
        pc.cast(first, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _infer_bool(arr)
    stripped = pc.utf8_trim_whitespace(present)
    try:
        pc.cast(stripped, pa.int64())
        ints = pc.cast(pc.utf8_trim_whitespace(arr), pa.int64())
        return ints if arr.null_count == 0 else pc.cast(ints, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    try:
        floats = pc.cast(stripped, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _infer_bool(arr)
    # Arrow reads any spelling of NaN ("NAN", "+nan"); pandas only those of
    # its missing-value list, already nulled above, and keeps the column as
    # text when another one is left. Infinities ("inf", "-Infinity") parse
    # alike in both.
    if pc.any(pc.is_nan(floats)).as_py():
        return _infer_bool(arr)
    return pc.cast(pc.utf8_trim_whitespace(arr), pa.float64())


def _infer_bool(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    if arr.null_count == 0:
        is_true = pc.is_in(arr, value_set=_TRUE)
        is_false = pc.is_in(arr, value_set=_FALSE)
        if pc.all(pc.or_(is_true, is_false)).as_py():
            return is_true
    return arr


def csv_like(table: pa.Table) -> pa.Table:
    """The table with NFStream's ``to_pandas`` column types (see module doc)."""
    cols = []
    for name, col in zip(table.column_names, table.columns):
        if pa.types.is_list(col.type):
            col = list_text(col)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            col = _infer_text(col)
        cols.append(col)
    return pa.table(cols, names=table.column_names)


def py_text(v: object) -> str:
    """``str(value)`` as NFStream's anonymiser hashes it."""
    return str(v)


def anonymize(table: pa.Table, columns: Sequence[str], key: bytes, empty_text: Iterable[str]) -> pa.Table:
    """Replaces each listed column by the keyed BLAKE2b-512 hex of ``str(value)``.

    Nulls stay null, except in ``empty_text`` columns, where null stands for
    NFStream's empty string and is hashed as ``""``. Unknown names print
    NFStream's warning and are skipped.
    """
    empty_text = set(empty_text)
    for name in columns:
        if name not in table.column_names:
            print("WARNING: NFlow do not have {} attribute. Skipping anonymization.")
            continue
        i = table.column_names.index(name)
        values = table.column(i).to_pylist()
        out = []
        for v in values:
            if v is None and name in empty_text:
                v = ""
            out.append(None if v is None else blake2b(str(v).encode(), digest_size=64, key=key).hexdigest())
        table = table.set_column(i, name, pa.array(out, pa.string()))
    return table
