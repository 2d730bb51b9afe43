"""Regenerate the Python protobuf/gRPC modules from every proto/hakobu/<area>/v1/*.proto.

Run: ``python scripts/gen_proto.py`` (``--check`` fails when the checked-in
modules are stale or a generated module has no source left). The generated files
sit next to their sources and are never edited by hand. Uses the pinned
grpcio-tools from pyproject.toml.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

import grpc_tools
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
API_ROOT = PROTO_ROOT / "hakobu"
GENERATED = ("*_pb2.py", "*_pb2.pyi", "*_pb2_grpc.py")


def _sources() -> list[Path]:
    """Every .proto file of the API, relative to ``PROTO_ROOT`` (``hakobu/optimizer/v1/optimizer.proto``)."""
    return sorted(p.relative_to(PROTO_ROOT) for p in API_ROOT.rglob("*.proto"))


def _generated(root: Path) -> set[Path]:
    """Generated modules under ``root``/hakobu, relative to ``root``."""
    return {p.relative_to(root) for pattern in GENERATED for p in (root / "hakobu").rglob(pattern)}


def _google_includes(tmp: Path) -> Path:
    """An include folder with googleapis-common-protos' .proto files.

    That package ships google/longrunning/operations.proto under the name
    operations_proto.proto; it is copied under its real name.
    """
    import google.api
    import google.longrunning

    inc = tmp / "include"
    api_src = Path(google.api.__path__[0])
    lr_src = Path(google.longrunning.__path__[0])
    rpc_src = api_src.parent / "rpc"
    type_src = api_src.parent / "type"
    for src, dst in ((api_src, "google/api"), (rpc_src, "google/rpc"), (type_src, "google/type")):
        (inc / dst).mkdir(parents=True, exist_ok=True)
        for f in src.glob("*.proto"):
            shutil.copy(f, inc / dst / f.name)
    (inc / "google/longrunning").mkdir(parents=True, exist_ok=True)
    shutil.copy(lr_src / "operations_proto.proto", inc / "google/longrunning/operations.proto")
    return inc


def generate(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        inc = _google_includes(Path(tmp))
        well_known = Path(grpc_tools.__file__).parent / "_proto"
        sources = [str(p) for p in _sources()]
        args = [
            "grpc_tools.protoc",
            f"-I{PROTO_ROOT}",
            f"-I{inc}",
            f"-I{well_known}",
            f"--python_out={out}",
            f"--pyi_out={out}",
            f"--grpc_python_out={out}",
            *sources,
        ]
        if protoc.main(args) != 0:
            sys.exit("protoc failed")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true", help="fail if generated code is stale")
    ns = ap.parse_args()
    if not ns.check:
        for old in _generated(PROTO_ROOT):  # modules of a removed .proto go too
            (PROTO_ROOT / old).unlink()
        generate(PROTO_ROOT)
        print(f"generated {len(_sources())} packages' modules under {API_ROOT}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate(out)
        fresh, mine = _generated(out), _generated(PROTO_ROOT)
        stale = [
            str(f) for f in sorted(fresh)
            if f not in mine or not filecmp.cmp(out / f, PROTO_ROOT / f, shallow=False)
        ]
        extra = [str(f) for f in sorted(mine - fresh)]
        if stale or extra:
            sys.exit(f"generated code is stale: {stale + extra}; run python scripts/gen_proto.py")
        print("generated code is up to date")


if __name__ == "__main__":
    main()
