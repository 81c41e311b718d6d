"""Where the bundled Go command is."""

from __future__ import annotations

import os
from pathlib import Path


def binary() -> str:
    """Path of the nfdataset Go command: ``$NFDATASET_BINARY`` if set, else
    the one the build backend compiled into the package."""
    env = os.environ.get("NFDATASET_BINARY")
    if env:
        return env
    for name in ("nfdataset", "nfdataset.exe"):
        p = Path(__file__).resolve().parent / "_bin" / name
        if p.is_file():
            return str(p)
    raise RuntimeError(
        "nfdataset: the bundled Go binary is missing; install the package with `pip install ./python`"
    )
