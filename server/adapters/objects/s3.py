"""``ObjectStore`` over any S3-compatible store (AWS S3, MinIO, Ceph…) with boto3.

Credentials come from boto3's own chain (its environment variables, shared config, instance role); the
endpoint, region, bucket and key prefix from ``Settings`` (``HAKOBU_OBJECT_STORE=s3://bucket/prefix``,
``HAKOBU_OBJECT_STORE_ENDPOINT``, ``HAKOBU_OBJECT_STORE_REGION``).
"""

from __future__ import annotations

from typing import Any

from server.adapters.objects.keys import check_key


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → (bucket, ``some/prefix``); ``ValueError`` without a bucket."""
    if not url.startswith("s3://"):
        raise ValueError(f"s3://bucket/prefix の形式で指定してください / not an s3:// URL: {url!r}")
    bucket, _, prefix = url[len("s3://"):].partition("/")
    if not bucket:
        raise ValueError(f"バケット名がありません / no bucket in {url!r}")
    return bucket, prefix.strip("/")


class S3Objects:
    """Implements ``server.tracking.ports.ObjectStore``; URIs are ``s3://bucket/key``."""

    def __init__(self, url: str, endpoint: str | None = None, region: str | None = None,
                 client: Any = None) -> None:
        self.bucket, self.prefix = parse_s3_url(url)
        if client is None:
            import boto3

            client = boto3.client("s3", endpoint_url=endpoint, region_name=region or "ap-northeast-1")
        self.client = client

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes, content_type: str) -> str:
        full = self._key(key)
        # A single PUT is atomic in S3: readers see the old object or the whole new one.
        self.client.put_object(Bucket=self.bucket, Key=full, Body=data, ContentType=content_type)
        return f"s3://{self.bucket}/{full}"

    def get(self, key: str) -> bytes:
        full = self._key(key)
        try:
            return bytes(self.client.get_object(Bucket=self.bucket, Key=full)["Body"].read())
        except self.client.exceptions.NoSuchKey as exc:
            raise FileNotFoundError(f"s3://{self.bucket}/{full}") from exc

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


def object_store(location: str, endpoint: str | None = None, region: str | None = None) -> Any:
    """The store a setting names: ``s3://bucket/prefix`` → ``S3Objects``, else a folder path."""
    if location.startswith("s3://"):
        return S3Objects(location, endpoint, region)
    from pathlib import Path

    from server.adapters.objects.local import LocalObjects

    return LocalObjects(Path(location))
