"""Datasets built by ``nfdataset build``, from Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import pyarrow.dataset as ds

from ._binary import binary


class Dataset:
    """A ``build`` output directory: its parts, read lazily, and its
    provenance (``dataset.json``: feature sets with versions and logic
    hashes, inputs with their digests, the manifest)."""

    def __init__(self, path: Union[str, os.PathLike]) -> None:
        self.path = Path(path)
        meta = self.path / "dataset.json"
        if not meta.is_file():
            raise ValueError(f"{self.path}: not an nfdataset dataset (no dataset.json)")
        self.provenance: Dict[str, Any] = json.loads(meta.read_text(encoding="utf-8"))
        self.files: List[Path] = [self.path / f["path"] for f in self.provenance.get("files", [])]
        fmt = self.files[0].suffix.lstrip(".") if self.files else "parquet"
        self.format = {"jsonl": "json"}.get(fmt, fmt)

    @property
    def feature_sets(self) -> List[Dict[str, Any]]:
        """Feature sets with their versions and logic hashes."""
        return self.provenance.get("feature_sets", [])

    @property
    def rows(self) -> int:
        return int(self.provenance.get("rows", 0))

    def to_arrow_dataset(self) -> ds.Dataset:
        """A lazy pyarrow dataset over the parts (nothing is read yet)."""
        return ds.dataset([str(f) for f in self.files], format=self.format)

    def to_pandas(self, columns: Optional[List[str]] = None):
        """The rows as a pandas DataFrame (only ``columns`` if given)."""
        return self.to_arrow_dataset().to_table(columns=columns).to_pandas()

    def scan_polars(self):
        """A lazy polars LazyFrame over the parts."""
        import polars as pl

        if self.format == "parquet":
            return pl.scan_parquet([str(f) for f in self.files])
        if self.format == "csv":
            return pl.scan_csv([str(f) for f in self.files])
        return pl.scan_ndjson([str(f) for f in self.files])

    def to_polars(self):
        """The rows as a polars DataFrame."""
        return self.scan_polars().collect()

    def __repr__(self) -> str:
        return f"Dataset({str(self.path)!r}, rows={self.rows}, files={len(self.files)})"


def read_dataset(path: Union[str, os.PathLike]) -> Dataset:
    """Opens the output directory of ``nfdataset build`` (see ``Dataset``)."""
    return Dataset(path)


def build(
    manifest: Union[str, os.PathLike],
    jobs: int = 0,
    output: Optional[Union[str, os.PathLike]] = None,
    force: bool = False,
    progress: bool = True,
) -> Dataset:
    """Runs ``nfdataset build`` on a TOML manifest and returns the dataset.

    The Go command's progress lines are shown on stderr (``progress=False``
    hides them); a failure raises ValueError with the command's message.
    """
    cmd = [binary(), "build", "--jobs", str(int(jobs))]
    if output is not None:
        cmd += ["--output", str(output)]
    if force:
        cmd.append("--force")
    cmd.append(str(manifest))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if progress:
            sys.stderr.write(line)
    if proc.wait() != 0:
        raise ValueError("".join(lines).strip() or f"nfdataset build failed (exit {proc.returncode})")
    out = output
    if out is None:
        out = _output_of(lines)
    return Dataset(out)


def _output_of(lines: List[str]) -> str:
    """The dataset directory from the last line of ``build`` ("… → DIR")."""
    for line in reversed(lines):
        if "→" in line:
            return line.rsplit("→", 1)[1].strip()
    raise ValueError("nfdataset build: could not tell the output directory; pass output=")
