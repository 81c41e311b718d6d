"""read_dataset and build: a manifest run from Python equals what the
command line builds, and the provenance is dataset.json."""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest

import nfdataset
from nfdataset._binary import binary
from conftest import REPO

MANIFEST = REPO / "manifests" / "quickstart.toml"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("ds") / "quickstart"
    ds = nfdataset.build(MANIFEST, jobs=2, output=out, progress=False)
    return out, ds


def test_build_and_read(built):
    out, ds = built
    again = nfdataset.read_dataset(out)
    meta = json.loads((out / "dataset.json").read_text())
    assert again.provenance == meta == ds.provenance
    assert [f["name"] for f in again.feature_sets] == [f["name"] for f in meta["feature_sets"]]
    assert all(f["logic_hash"].startswith("sha256:") for f in again.feature_sets)
    df = again.to_pandas()
    assert len(df) == meta["rows"] == again.rows > 0
    assert list(df.columns) == [c["name"] for c in meta["columns"]]
    lazy = again.to_arrow_dataset()
    assert lazy.count_rows() == meta["rows"]
    assert again.to_pandas(columns=["id", "src_ip"]).shape == (meta["rows"], 2)


def test_build_equals_command_line(built, tmp_path):
    out, _ = built
    cli = tmp_path / "cli"
    subprocess.run([binary(), "build", "--output", str(cli), str(MANIFEST)], check=True, capture_output=True)
    for f in json.loads((cli / "dataset.json").read_text())["files"]:
        assert (cli / f["path"]).read_bytes() == (out / f["path"]).read_bytes()


def test_polars_lazy(built):
    pl = pytest.importorskip("polars")
    out, _ = built
    ds = nfdataset.read_dataset(out)
    lf = ds.scan_polars()
    assert isinstance(lf, pl.LazyFrame)
    assert lf.select(pl.len()).collect().item() == ds.rows
    pd.testing.assert_frame_equal(ds.to_polars().to_pandas(), ds.to_pandas(), check_dtype=False)


def test_errors(tmp_path):
    with pytest.raises(ValueError, match="no dataset.json"):
        nfdataset.read_dataset(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text("[dataset]\nname = 1\n")
    with pytest.raises(ValueError):
        nfdataset.build(bad, progress=False)
