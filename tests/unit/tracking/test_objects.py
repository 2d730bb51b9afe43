"""The local-folder object store: atomic writes, safe keys, the settings that choose a store."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.adapters.objects.local import LocalObjects
from server.adapters.objects.s3 import S3Objects, object_store, parse_s3_url
from server.platform.settings import Settings, SettingsError


def test_put_get_exists_and_overwrite(tmp_path: Path) -> None:
    store = LocalObjects(tmp_path / "objects")
    uri = store.put("proof/ORG-1/p/e/photo.jpg", b"one", "image/jpeg")
    assert uri == (tmp_path / "objects/proof/ORG-1/p/e/photo.jpg").resolve().as_uri()
    assert store.get("proof/ORG-1/p/e/photo.jpg") == b"one" and store.exists("proof/ORG-1/p/e/photo.jpg")
    store.put("proof/ORG-1/p/e/photo.jpg", b"two", "image/jpeg")
    assert store.get("proof/ORG-1/p/e/photo.jpg") == b"two"
    assert not store.exists("proof/none.png")
    with pytest.raises(FileNotFoundError):
        store.get("proof/none.png")
    assert [p.name for p in (tmp_path / "objects/proof/ORG-1/p/e").iterdir()] == ["photo.jpg"]  # no temp left


@pytest.mark.parametrize("key", ["", "../x", "a/../../x", "/etc/passwd", "a//b", "a/./b", ".hidden", "a\\b",
                                 "a/" + "b" * 200, "日本/x"])
def test_unsafe_keys_are_refused(tmp_path: Path, key: str) -> None:
    store = LocalObjects(tmp_path)
    with pytest.raises(ValueError):
        store.put(key, b"x", "text/plain")
    with pytest.raises(ValueError):
        store.exists(key)


def test_s3_urls_and_the_store_a_setting_names(tmp_path: Path) -> None:
    assert parse_s3_url("s3://bucket/a/b/") == ("bucket", "a/b")
    assert parse_s3_url("s3://bucket") == ("bucket", "")
    with pytest.raises(ValueError):
        parse_s3_url("s3:///x")
    assert isinstance(object_store(str(tmp_path)), LocalObjects)
    assert isinstance(S3Objects("s3://b/p", client=object()), S3Objects)


def test_object_store_settings(tmp_path: Path) -> None:
    s = Settings.from_env({"HAKOBU_DATA_DIR": str(tmp_path)})
    assert s.object_store_location == str(tmp_path / "objects")
    rel = Settings.from_env({"HAKOBU_DATA_DIR": str(tmp_path), "HAKOBU_OBJECT_STORE": "pod"})
    assert rel.object_store_location == str(tmp_path / "pod")
    s3 = Settings.from_env({"HAKOBU_OBJECT_STORE": "s3://bkt/pod", "HAKOBU_OBJECT_STORE_ENDPOINT": "http://minio:9000"})
    assert (s3.object_store_location, s3.object_store_endpoint, s3.object_store_region) == ("s3://bkt/pod", "http://minio:9000",
                                                                        "ap-northeast-1")
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"HAKOBU_OBJECT_STORE": "s3://", "HAKOBU_TRACKING_LINK_SECRET": "short",
                           "HAKOBU_ARRIVAL_RADIUS_METERS": "1", "HAKOBU_SILENT_SECONDS": "x"})
    assert {p.split(":")[0] for p in err.value.problems} == {"HAKOBU_SILENT_SECONDS"}
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"HAKOBU_OBJECT_STORE": "s3://", "HAKOBU_TRACKING_LINK_SECRET": "short",
                           "HAKOBU_ARRIVAL_RADIUS_METERS": "1"})
    assert {p.split(":")[0] for p in err.value.problems} == {
        "HAKOBU_OBJECT_STORE", "HAKOBU_TRACKING_LINK_SECRET", "HAKOBU_ARRIVAL_RADIUS_METERS"}


def test_the_history_archive_keys_fit_the_local_store(tmp_path: Path) -> None:
    import datetime

    from server.tracking.retention import archive_key

    store = LocalObjects(tmp_path)
    key = archive_key(datetime.date(2026, 9, 1))
    assert store.put(key, b"\x1f\x8b", "application/gzip").endswith("positions/2026/09/01.jsonl.gz")
    assert store.exists(key) and store.get(key) == b"\x1f\x8b"
