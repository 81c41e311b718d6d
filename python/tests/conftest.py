"""Shared fixtures: the corpora, NFStream 6.6.0 as the oracle, and a report
of DPI agreement (compared, not asserted) printed at the end of the run."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("NFDATASET_SHARED", REPO.parent / "shared"))
CORPORA = {
    "nfstream": SHARED / "corpus" / "nfstream" / "pcaps",
    "ndpi": SHARED / "corpus" / "ndpi" / "pcaps",
}
NFSTREAM_VERSION = "6.6.0"

DPI_COLUMNS = [
    "application_name", "application_category_name", "application_is_guessed",
    "application_confidence", "requested_server_name", "client_fingerprint",
    "server_fingerprint", "user_agent", "content_type",
]

# Per setting: captures compared, and per DPI column the captures whose
# column differs from NFStream's.
DPI_REPORT: dict = defaultdict(lambda: {"captures": 0, "flows": 0, "equal_cells": defaultdict(int), "differing": defaultdict(list)})


def captures():
    out = []
    for corpus, d in CORPORA.items():
        if d.is_dir():
            out += [pytest.param(p, id=f"{corpus}/{p.name}") for p in sorted(d.iterdir()) if p.is_file()]
    return out


@pytest.fixture(scope="session")
def nfstream():
    """NFStream itself, the oracle; tests that need it skip without it."""
    nfs = pytest.importorskip("nfstream", reason="NFStream not installed (pip install -r python/requirements-test.txt)")
    import importlib.metadata as md

    version = md.version("nfstream")
    if version != NFSTREAM_VERSION:
        pytest.skip(f"the oracle is NFStream {NFSTREAM_VERSION}, found {version}")
    return nfs


def pytest_terminal_summary(terminalreporter):
    if not DPI_REPORT:
        return
    tr = terminalreporter
    tr.section("DPI columns against NFStream 6.6.0 (compared, not asserted)")
    report = {}
    for setting, r in sorted(DPI_REPORT.items()):
        tr.write_line(f"{setting}: {r['captures']} captures, {r['flows']} flows")
        cols = {}
        for c in DPI_COLUMNS:
            eq = r["equal_cells"][c]
            diff = sorted(r["differing"][c])
            pct = 100.0 * eq / r["flows"] if r["flows"] else 100.0
            tr.write_line(f"  {c:28s} {pct:6.2f}% of flows equal; {len(diff)} captures differ")
            cols[c] = {"equal_flows": eq, "differing_captures": diff}
        report[setting] = {"captures": r["captures"], "flows": r["flows"], "columns": cols}
    out = os.environ.get("NFDATASET_DPI_REPORT")
    if out:
        Path(out).write_text(json.dumps(report, indent=1))
        tr.write_line(f"written to {out}")


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch):
    """NFStream's to_pandas writes a temporary CSV in the working directory:
    every test runs in its own temporary directory, never in the checkout."""
    monkeypatch.chdir(tmp_path)
