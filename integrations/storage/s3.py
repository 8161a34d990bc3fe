"""A small S3 client: put bytes under a key, hand out expiring presigned download links.

Plain data in, plain data out: the caller passes the endpoint and keys (from its settings),
the bucket, the key and the bytes. Works with AWS S3 and S3-compatible servers (SeaweedFS,
MinIO); links are SigV4 presigned URLs, which the server refuses once ``expires_in`` passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import boto3
from botocore.config import Config


@dataclass(frozen=True)
class S3Config:
    endpoint_url: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    region: str = "us-east-1"
    addressing_style: Literal["auto", "virtual", "path"] = "path"


def client(config: S3Config) -> Any:
    """A boto3 S3 client for ``config`` (SigV4, so presigned links carry an expiry)."""
    return boto3.client(
        "s3",
        endpoint_url=config.endpoint_url or None,
        aws_access_key_id=config.access_key or None,
        aws_secret_access_key=config.secret_key or None,
        region_name=config.region,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": config.addressing_style},
            retries={"max_attempts": 5, "mode": "standard"},
        ),
    )


def put_bytes(config: S3Config, *, bucket: str, key: str, body: bytes, content_type: str) -> None:
    """Store ``body`` at ``bucket``/``key`` (private; read back only through presigned links)."""
    client(config).put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)


def get_bytes(config: S3Config, *, bucket: str, key: str) -> bytes:
    """Read the object at ``bucket``/``key``."""
    return client(config).get_object(Bucket=bucket, Key=key)["Body"].read()


def presigned_get_url(
    config: S3Config, *, bucket: str, key: str, expires_in: int, filename: str | None = None
) -> str:
    """A GET link to the object valid for ``expires_in`` seconds, saved as ``filename``."""
    params: dict[str, str] = {"Bucket": bucket, "Key": key}
    if filename:
        params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
    return client(config).generate_presigned_url(
        "get_object", Params=params, ExpiresIn=int(expires_in)
    )
