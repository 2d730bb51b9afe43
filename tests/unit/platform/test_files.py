"""write_atomically: the whole new file or the old one, never a half-written one or a leftover."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.platform.files import write_atomically


def test_writes_and_replaces_whole(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    write_atomically(path, b"first")
    write_atomically(path, b"second, longer")
    assert path.read_bytes() == b"second, longer"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "day.csv"
    write_atomically(path, b"old")
    with pytest.raises(TypeError):
        write_atomically(path, "not bytes")  # type: ignore[arg-type]
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["day.csv"]


def test_a_missing_folder_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_atomically(tmp_path / "no" / "such" / "file", b"x")
