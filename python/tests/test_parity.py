"""nfdataset.NFStreamer(...).to_pandas() against NFStream 6.6.0 itself.

For every capture of both corpora, with the default parameters and with
statistical_analysis=True, splt_analysis=10, the DataFrames must be equal
(pandas.testing.assert_frame_equal, dtypes checked) on every non-DPI column,
with the same columns in the same order. DPI columns are compared and their
agreement is reported at the end of the run (conftest.DPI_REPORT).
"""

from __future__ import annotations

import pandas as pd
import pytest

import nfdataset
from conftest import DPI_COLUMNS, DPI_REPORT, captures

SETTINGS = {
    "default": {},
    "stats+splt10": {"statistical_analysis": True, "splt_analysis": 10},
}

# Captures and columns where NFStream 6.6.0 differs from the 6.5.4 goldens of
# ../shared (and so from nfdataset, which follows them) outside the DPI
# columns. Measured over both corpora and both settings: none.
KNOWN_DIFFERENCES: dict = {}


def _run(factory, path, kw):
    try:
        return factory(source=str(path), **kw).to_pandas()
    except ValueError as e:
        return e


@pytest.mark.parametrize("setting", list(SETTINGS))
@pytest.mark.parametrize("path", captures())
def test_to_pandas_equals_nfstream(nfstream, path, setting):
    kw = SETTINGS[setting]
    want = _run(lambda **a: nfstream.NFStreamer(n_meters=1, **a), path, kw)
    got = _run(nfdataset.NFStreamer, path, kw)
    if isinstance(want, Exception) or want is None:
        assert type(got) is type(want), f"NFStream gave {want!r}, nfdataset {got!r}"
        return
    assert isinstance(got, pd.DataFrame), f"nfdataset gave {got!r}"
    assert list(got.columns) == list(want.columns)
    skip = set(DPI_COLUMNS) | set(KNOWN_DIFFERENCES.get(path.name, ()))
    cols = [c for c in want.columns if c not in skip]
    pd.testing.assert_frame_equal(got[cols], want[cols], check_exact=False)

    r = DPI_REPORT[setting]
    r["captures"] += 1
    r["flows"] += len(want)
    for c in DPI_COLUMNS:
        if c not in want.columns:
            continue
        a, b = want[c], got[c]
        same = (a.astype(object).where(a.notna(), None) == b.astype(object).where(b.notna(), None)) | (a.isna() & b.isna())
        r["equal_cells"][c] += int(same.sum())
        if not same.all() or a.dtype != b.dtype:
            r["differing"][c].append(path.name)
