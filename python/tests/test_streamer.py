"""NFStreamer's parameters, iteration and exports against NFStream 6.6.0."""

from __future__ import annotations

import csv
import inspect
import os

import pandas as pd
import pyarrow as pa
import pytest

import nfdataset
from conftest import CORPORA, DPI_COLUMNS

GOOGLE = CORPORA["nfstream"] / "google_ssl.pcap"
FACEBOOK = CORPORA["nfstream"] / "facebook.pcap"
STEAM = CORPORA["nfstream"] / "steam.pcap"

BAD = [
    ("source", None), ("source", 11), ("source", ()), ("source", []), ("source", "no/such/file.pcap"),
    ("source", [str(GOOGLE), "no/such/file.pcap"]), ("source", [str(GOOGLE), 3]),
    ("decode_tunnels", 33), ("decode_tunnels", "True"), ("decode_tunnels", 1),
    ("bpf_filter", 11), ("promiscuous_mode", 0), ("snapshot_length", 0), ("snapshot_length", "x"),
    ("socket_buffer_size", -1), ("socket_buffer_size", 2**31), ("idle_timeout", -1),
    ("idle_timeout", 2**64), ("active_timeout", -1), ("active_timeout", 1.5), ("accounting_mode", 4),
    ("accounting_mode", -1), ("udps", "plugin"), ("udps", lambda y: y), ("udps", 3),
    ("n_dissections", 256), ("n_dissections", -1), ("statistical_analysis", 1),
    ("splt_analysis", 65536), ("splt_analysis", -1), ("n_meters", -1), ("n_meters", 1.0),
    ("max_nflows", -1), ("performance_report", -1), ("system_visibility_mode", 2),
    ("system_visibility_mode", -1), ("system_visibility_mode", "yes"), ("system_visibility_poll_ms", -1),
]


def test_signature_and_defaults_equal_nfstream(nfstream):
    want = inspect.signature(nfstream.NFStreamer.__init__).parameters
    got = inspect.signature(nfdataset.NFStreamer.__init__).parameters
    assert list(got) == list(want)
    assert {k: v.default for k, v in got.items()} == {k: v.default for k, v in want.items()}
    for name in ("to_pandas", "to_csv"):
        w = inspect.signature(getattr(nfstream.NFStreamer, name)).parameters
        g = inspect.signature(getattr(nfdataset.NFStreamer, name)).parameters
        assert list(g)[: len(w)] == list(w)
        assert [g[k].default for k in w] == [w[k].default for k in w]


@pytest.mark.parametrize("param,value", BAD, ids=[f"{p}={v!r}"[:40] for p, v in BAD])
def test_refusals_equal_nfstream(nfstream, param, value):
    kw = {"source": str(GOOGLE), param: value}
    if param == "source" and isinstance(value, list):
        kw_ours = {"source": list(value)}
    else:
        kw_ours = dict(kw)
    with pytest.raises(Exception) as want:
        nfstream.NFStreamer(**kw)
    with pytest.raises(Exception) as got:
        nfdataset.NFStreamer(**kw_ours)
    assert type(got.value) is type(want.value)
    assert str(got.value) == str(want.value)


def test_derived_attributes_equal_nfstream(nfstream):
    for kw in ({}, {"n_meters": 1}, {"n_meters": 64}, {"max_nflows": 100}, {"system_visibility_mode": 1}):
        a = nfstream.NFStreamer(source=str(GOOGLE), **kw)
        b = nfdataset.NFStreamer(source=str(GOOGLE), **kw)
        for attr in ("n_meters", "max_nflows", "system_visibility_mode", "udps", "source"):
            assert getattr(b, attr) == getattr(a, attr), (kw, attr)
    files = [str(GOOGLE), str(FACEBOOK)]
    assert nfdataset.NFStreamer(source=list(files)).source == nfstream.NFStreamer(source=list(files)).source


def test_bad_bpf_filter_raises_at_iteration(nfstream):
    s = nfdataset.NFStreamer(source=str(GOOGLE), bpf_filter="my filter")
    with pytest.raises(ValueError):
        s.to_pandas()
    with pytest.raises(ValueError):
        nfstream.NFStreamer(source=str(GOOGLE), bpf_filter="my filter").to_pandas()


def test_iteration_equals_nfstream(nfstream):
    kw = dict(statistical_analysis=True, splt_analysis=10, decode_tunnels=False)
    want = list(nfstream.NFStreamer(source=str(FACEBOOK), n_meters=1, **kw))
    got = list(nfdataset.NFStreamer(source=str(FACEBOOK), **kw))
    assert len(got) == len(want) > 0
    for w, g in zip(want, got):
        assert g.keys() == w.keys()
        for k, wv, gv in zip(w.keys(), w.values(), g.values()):
            if k in DPI_COLUMNS:
                continue
            assert type(gv) is type(wv), (k, gv, wv)
            assert gv == pytest.approx(wv) if isinstance(wv, float) else gv == wv, k
        assert isinstance(g.splt_ps, list) and g.src_ip == w.src_ip
        assert not hasattr(g, "tunnel_id")


def test_iteration_streams_and_stops_early(tmp_path):
    # A capture listed many times is one long capture; stopping after the
    # first flow must end the Go process without reading the rest.
    # Its flows (megabytes of batches) exceed a pipe's buffer, so while the
    # first flow is in our hands the Go meter must still be running.
    psutil = pytest.importorskip("psutil")
    files = [str(STEAM)] * 200
    it = iter(nfdataset.NFStreamer(source=files, idle_timeout=0))
    first = next(it)
    assert first.id == 0
    meters = [c for c in psutil.Process().children() if "frames" in c.cmdline()]
    assert len(meters) == 1 and meters[0].is_running()
    it.close()
    meters[0].wait(timeout=10)
    assert not meters[0].is_running() or meters[0].status() == psutil.STATUS_ZOMBIE
    assert len(nfdataset.NFStreamer(source=str(STEAM), max_nflows=3).to_pandas()) == 3


def test_no_flows_gives_none(nfstream):
    s = nfdataset.NFStreamer(source=str(GOOGLE), bpf_filter="udp port 9")
    assert s.to_pandas() is None
    assert nfstream.NFStreamer(source=str(GOOGLE), bpf_filter="udp port 9").to_pandas() is None
    assert s.to_csv(path=os.devnull) == 0


def test_to_csv_equals_nfstream(nfstream, tmp_path):
    a, b = tmp_path / "nfstream.csv", tmp_path / "nfdataset.csv"
    kw = dict(statistical_analysis=True, splt_analysis=5, n_dissections=0)
    na = nfstream.NFStreamer(source=str(STEAM), n_meters=1, **kw).to_csv(path=str(a))
    nb = nfdataset.NFStreamer(source=str(STEAM), **kw).to_csv(path=str(b))
    assert na == nb > 0
    assert b.read_bytes() == a.read_bytes()


def test_chunks_and_rotation_like_nfstream(nfstream, tmp_path):
    for sub, mod in (("ours", nfdataset), ("theirs", nfstream)):
        d = tmp_path / sub
        d.mkdir()
        mod.NFStreamer(source=str(STEAM), n_dissections=0).to_csv(path=str(d / "out.csv"), flows_per_file=10)
        r = tmp_path / (sub + "_rot")
        r.mkdir()
        mod.NFStreamer(source=str(STEAM), n_dissections=0).to_csv(path=str(r / "out.csv"), flows_per_file=10, rotate_files=3)
    for sub in ("", "_rot"):
        ours = sorted(p.name for p in (tmp_path / f"ours{sub}").iterdir())
        theirs = sorted(p.name for p in (tmp_path / f"theirs{sub}").iterdir())
        assert ours == theirs and len(ours) > 1
        for name in ours:
            assert (tmp_path / f"ours{sub}" / name).read_bytes() == (tmp_path / f"theirs{sub}" / name).read_bytes()
    for bad in (-1, "3", 1.0):
        with pytest.raises(ValueError) as e:
            nfdataset.NFStreamer(source=str(STEAM)).to_csv(flows_per_file=bad)
        with pytest.raises(ValueError) as w:
            nfstream.NFStreamer(source=str(STEAM)).to_csv(flows_per_file=bad)
        assert str(e.value) == str(w.value)


def test_to_csv_default_path(tmp_path):
    src = tmp_path / "x.pcap"
    src.write_bytes(GOOGLE.read_bytes())
    assert nfdataset.NFStreamer(source=str(src)).to_csv() == 1
    assert (tmp_path / "x.pcap.csv").is_file()


def test_anonymisation_form(nfstream, tmp_path):
    cols = ("src_ip", "dst_port", "requested_server_name")
    want = nfstream.NFStreamer(source=str(FACEBOOK), n_meters=1).to_pandas(columns_to_anonymize=cols)
    got = nfdataset.NFStreamer(source=str(FACEBOOK)).to_pandas(columns_to_anonymize=cols)
    for c in cols:
        assert got[c].dtype == want[c].dtype
        assert got[c].str.fullmatch("[0-9a-f]{128}").all()
        # Equal inputs hash to equal outputs within one call.
        assert got[c].nunique() == want[c].nunique()
    key = bytes(range(64))
    one = nfdataset.NFStreamer(source=str(FACEBOOK)).to_pandas(columns_to_anonymize=cols, key=key)
    two = nfdataset.NFStreamer(source=str(FACEBOOK)).to_pandas(columns_to_anonymize=cols, key=key)
    pd.testing.assert_frame_equal(one, two)
    import hashlib

    plain = nfdataset.NFStreamer(source=str(FACEBOOK)).to_pandas()
    assert one["dst_port"][0] == hashlib.blake2b(str(plain["dst_port"][0]).encode(), digest_size=64, key=key).hexdigest()


def test_to_arrow_and_polars():
    t = nfdataset.NFStreamer(source=str(GOOGLE), splt_analysis=3).to_arrow()
    assert isinstance(t, pa.Table) and t.num_rows == 1
    assert t.column("splt_ps").type == pa.list_(pa.int64())
    assert t.column("splt_ps").to_pylist() == [[58, 60, 54]]
    pl = pytest.importorskip("polars")
    df = nfdataset.NFStreamer(source=str(GOOGLE), splt_analysis=3).to_polars()
    assert isinstance(df, pl.DataFrame)
    assert df["splt_ps"].to_list() == [[58, 60, 54]]
    assert df["bidirectional_packets"].to_list() == [28]
