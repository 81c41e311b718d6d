"""±Inf and NaN values of plugin columns come out of to_pandas, to_polars
and iteration as NFStream 6.6.0 gives them: its to_pandas reads them back
from its CSV (``inf``, ``-inf`` and ``nan`` as floats, NaN spellings outside
pandas' missing-value list as text), iteration hands out the objects."""

from __future__ import annotations

import math
import numbers

import numpy
import pandas as pd
import pytest

import nfdataset
from conftest import CORPORA

CAPTURES = ["dropbox.pcap", "facebook.pcap", "dhcp.pcap", "1kxun.pcap"]


def ratio(a, b):
    if b:
        return a / b
    return math.inf if a else math.nan


def nonfinite_class(base):
    class NonFinite(base):
        def on_init(self, packet, flow):
            flow.udps.all_inf = math.inf
            flow.udps.all_ninf = -math.inf
            flow.udps.all_nan = math.nan
            flow.udps.numpy_inf = numpy.float64("inf")
            flow.udps.numpy_nan = numpy.float32("nan")
            flow.udps.inf_list = [1.0, math.inf, -math.inf, math.nan]

        def on_expire(self, flow):
            # Finite, infinite or NaN depending on the flow.
            flow.udps.byte_ratio = ratio(flow.src2dst_bytes, flow.dst2src_bytes)
            flow.udps.int_or_nan = flow.bidirectional_packets if flow.bidirectional_packets % 2 else math.nan
            flow.udps.int_or_inf = flow.bidirectional_packets if flow.bidirectional_packets % 2 else -math.inf
            flow.udps.none_or_inf = None if flow.bidirectional_packets % 2 else math.inf
            flow.udps.inf_text = "Infinity" if flow.bidirectional_packets % 2 else "-inf"
            flow.udps.odd_nan_text = "+nan" if flow.bidirectional_packets % 2 else "1.5"
            flow.udps.nan_text = "NaN" if flow.bidirectional_packets % 2 else "2.5"

    return NonFinite


@pytest.mark.parametrize("name", CAPTURES)
def test_nonfinite_values_like_nfstream(nfstream, name):
    path = str(CORPORA["nfstream"] / name)
    want = nfstream.NFStreamer(source=path, n_meters=1, udps=nonfinite_class(nfstream.NFPlugin)()).to_pandas()
    got = nfdataset.NFStreamer(source=path, udps=nonfinite_class(nfdataset.NFPlugin)()).to_pandas()
    cols = [c for c in want.columns if c.startswith("udps.")]
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(got[cols], want[cols])
    # The values themselves, not only equal frames: NFStream's own answer.
    assert numpy.isposinf(want["udps.all_inf"]).all() and numpy.isneginf(want["udps.all_ninf"]).all()
    assert want["udps.all_nan"].isna().all()
    if (want["bidirectional_packets"] % 2 == 1).any():
        assert not pd.api.types.is_float_dtype(want["udps.odd_nan_text"])  # "+nan" stays text
        assert pd.api.types.is_float_dtype(want["udps.nan_text"])  # "NaN" is missing


def _same(a, b):
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real) and math.isnan(a) and math.isnan(b):
        return type(a) is type(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def test_nonfinite_iteration_like_nfstream(nfstream):
    path = str(CORPORA["nfstream"] / "dropbox.pcap")
    want = list(nfstream.NFStreamer(source=path, n_meters=1, udps=nonfinite_class(nfstream.NFPlugin)()))
    got = list(nfdataset.NFStreamer(source=path, udps=nonfinite_class(nfdataset.NFPlugin)()))
    assert len(got) == len(want)
    for w, g in zip(want, got):
        assert vars(w.udps).keys() == vars(g.udps).keys()
        for k, v in vars(w.udps).items():
            assert _same(getattr(g.udps, k), v), k


def test_nonfinite_polars_matches_pandas():
    pl = pytest.importorskip("polars")
    path = str(CORPORA["nfstream"] / "dropbox.pcap")
    df = nfdataset.NFStreamer(source=path, udps=nonfinite_class(nfdataset.NFPlugin)()).to_pandas()
    frame = nfdataset.NFStreamer(source=path, udps=nonfinite_class(nfdataset.NFPlugin)()).to_polars()
    assert isinstance(frame, pl.DataFrame)
    for c in ["udps.all_inf", "udps.all_ninf", "udps.byte_ratio", "udps.int_or_inf"]:
        a = numpy.asarray(frame[c].to_numpy(), dtype=float)
        numpy.testing.assert_array_equal(a, df[c].to_numpy(dtype=float))
