"""PEP 517 build backend of the nfdataset Python package.

It compiles the Go command of the enclosing repository (``cmd/nfdataset``)
into ``nfdataset/_bin/nfdataset`` with the Go toolchain found on PATH (or in
``$GOROOT/bin``, ``/usr/local/go/bin``), then writes a platform wheel holding
the Python sources and that binary. Nothing is downloaded except Go modules
through Go's own module proxy settings. Set ``NFDATASET_GO_SOURCE`` to the
repository root when building from a copy of ``python/`` outside the tree.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent  # python/
NAME = "nfdataset"


def _version() -> str:
    for line in (HERE / "pyproject.toml").read_text().splitlines():
        if line.startswith("version"):
            return line.split("=", 1)[1].strip().strip('"')
    raise RuntimeError("pyproject.toml has no version")


def _metadata() -> str:
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {NAME}\nVersion: {_version()}\n"
        "Summary: NFStream's Python API on the nfdataset Go flow meter\n"
        "Requires-Python: >=3.10\n"
        "Requires-Dist: pandas>=2.0\nRequires-Dist: pyarrow>=14\n"
        "Provides-Extra: polars\nRequires-Dist: polars>=0.20; extra == \"polars\"\n"
        "Description-Content-Type: text/markdown\n\n" + readme
    )


def _go_source() -> Path:
    env = os.environ.get("NFDATASET_GO_SOURCE")
    candidates = [Path(env)] if env else [HERE.parent]
    for c in candidates:
        if (c / "go.mod").is_file() and (c / "cmd" / "nfdataset").is_dir():
            return c
    raise RuntimeError(
        "nfdataset build: the Go sources (go.mod, cmd/nfdataset) were not found in "
        f"{candidates[0]}; build from the repository checkout or set NFDATASET_GO_SOURCE"
    )


def _go() -> str:
    found = shutil.which("go")
    if found:
        return found
    for d in (os.environ.get("GOROOT", ""), "/usr/local/go"):
        p = Path(d) / "bin" / "go"
        if d and p.is_file():
            return str(p)
    raise RuntimeError("nfdataset build: the Go toolchain (go) is not on PATH; install Go ≥ 1.26")


def _compile(dest: Path) -> None:
    src = _go_source()
    env = dict(os.environ, CGO_ENABLED="0")
    exe = dest / ("nfdataset.exe" if sys.platform == "win32" else "nfdataset")
    cmd = [_go(), "build", "-trimpath", "-o", str(exe), "./cmd/nfdataset"]
    print("nfdataset build:", " ".join(cmd), "in", src, file=sys.stderr)
    res = subprocess.run(cmd, cwd=src, env=env)
    if res.returncode != 0:
        raise RuntimeError(f"nfdataset build: go build failed (exit {res.returncode})")


def _tag() -> str:
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"py3-none-{plat}"


def _record_line(arc: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arc},sha256={digest},{len(data)}"


def _dist_info_files() -> dict[str, bytes]:
    di = f"{NAME}-{_version()}.dist-info"
    wheel = f"Wheel-Version: 1.0\nGenerator: nfdataset_backend\nRoot-Is-Purelib: false\nTag: {_tag()}\n"
    return {f"{di}/METADATA": _metadata().encode(), f"{di}/WHEEL": wheel.encode()}


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    di = f"{NAME}-{_version()}.dist-info"
    out = Path(metadata_directory) / di
    out.mkdir(parents=True, exist_ok=True)
    for arc, data in _dist_info_files().items():
        (Path(metadata_directory) / arc).write_bytes(data)
    return di


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files: dict[str, bytes] = {}
    for p in sorted((HERE / NAME).rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.parent.name != "_bin":
            files[str(p.relative_to(HERE)).replace(os.sep, "/")] = p.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        _compile(Path(tmp))
        for exe in Path(tmp).iterdir():
            files[f"{NAME}/_bin/{exe.name}"] = exe.read_bytes()
    files.update(_dist_info_files())
    di = f"{NAME}-{_version()}.dist-info"
    name = f"{NAME}-{_version()}-{_tag()}.whl"
    path = Path(wheel_directory) / name
    records = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for arc, data in files.items():
            info = zipfile.ZipInfo(arc, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100755 if "/_bin/" in arc else 0o100644) << 16
            zf.writestr(info, data)
            records.append(_record_line(arc, data))
        records.append(f"{di}/RECORD,,")
        zf.writestr(f"{di}/RECORD", "\n".join(records) + "\n")
    return name


def build_sdist(sdist_directory, config_settings=None):
    """An sdist of python/ alone; building a wheel from it needs NFDATASET_GO_SOURCE."""
    base = f"{NAME}-{_version()}"
    path = Path(sdist_directory) / f"{base}.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for p in sorted(HERE.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts and "_bin" not in p.parts:
                tf.add(p, arcname=f"{base}/{p.relative_to(HERE)}")
        pkg = _metadata().encode()
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(pkg)
        import io

        tf.addfile(info, io.BytesIO(pkg))
    return path.name
