"""The S3 object store against a real S3-compatible HTTP server (moto's server mode, on a free port)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.adapters.objects.s3 import S3Objects

moto_server = pytest.importorskip("moto.server")


@pytest.fixture
def endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{server._server.server_port}"
    finally:
        server.stop()


def test_put_get_exists_over_http(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    store = S3Objects("s3://hakobu-pod/proof", endpoint=endpoint, region="ap-northeast-1")
    store.client.create_bucket(Bucket="hakobu-pod",
                               CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    uri = store.put("ORG-1/p/e/photo.jpg", b"\xff\xd8jpeg", "image/jpeg")
    assert uri == "s3://hakobu-pod/proof/ORG-1/p/e/photo.jpg"
    assert store.get("ORG-1/p/e/photo.jpg") == b"\xff\xd8jpeg" and store.exists("ORG-1/p/e/photo.jpg")
    head = store.client.head_object(Bucket="hakobu-pod", Key="proof/ORG-1/p/e/photo.jpg")
    assert head["ContentType"] == "image/jpeg"
    assert not store.exists("ORG-1/none.png")
    with pytest.raises(FileNotFoundError):
        store.get("ORG-1/none.png")
    with pytest.raises(ValueError):
        store.put("../escape", b"x", "text/plain")
