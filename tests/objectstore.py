"""An S3-compatible object store for tests: moto's standalone server (``moto[server]``, the test extra)
started as its own process over HTTP on a free port, with one bucket. Never an in-process patch of
boto3: the app reaches it through django-storages and boto3 exactly as it reaches AWS S3 or MinIO.

Limits of moto as a stand-in: it keeps objects in memory, does not check signatures or credentials
(any key is accepted) and does not enforce ACLs on requests; tests therefore check what the app asks
for (private ACL, no URL) rather than what a real store refuses.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

PROJECT = Path(__file__).resolve().parents[1]
BUCKET = "zone-portfolio-private"
CREDENTIALS = {"OBJECT_STORAGE_ACCESS_KEY_ID": "test-access-key", "OBJECT_STORAGE_SECRET_ACCESS_KEY": "test-secret"}
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ObjectStore:
    process: subprocess.Popen
    endpoint_url: str
    bucket: str = BUCKET

    @property
    def environment(self) -> dict[str, str]:
        """The OBJECT_STORAGE_* variables (config/settings.py) that point a process at this store."""
        return {
            "OBJECT_STORAGE_BUCKET": self.bucket,
            "OBJECT_STORAGE_ENDPOINT_URL": self.endpoint_url,
            "OBJECT_STORAGE_REGION": REGION,
            "OBJECT_STORAGE_ADDRESSING_STYLE": "path",
            **CREDENTIALS,
        }

    @property
    def storage_options(self) -> dict:
        """The same as ``STORAGES["private"]["OPTIONS"]`` for this process's settings."""
        return {
            "bucket_name": self.bucket,
            "endpoint_url": self.endpoint_url,
            "region_name": REGION,
            "access_key": CREDENTIALS["OBJECT_STORAGE_ACCESS_KEY_ID"],
            "secret_key": CREDENTIALS["OBJECT_STORAGE_SECRET_ACCESS_KEY"],
            "addressing_style": "path",
        }

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["OBJECT_STORAGE_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["OBJECT_STORAGE_SECRET_ACCESS_KEY"],
        )

    def keys(self) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))


def start_object_store(log_path: Path, timeout: float = 30) -> ObjectStore:
    """``python -m moto.server`` on a free port, answering, with an empty private bucket."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            cwd=PROJECT,
            env={**os.environ, "MOTO_PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
            break
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"moto server did not start:\n{log_path.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)
    store = ObjectStore(process, endpoint)
    store.client().create_bucket(Bucket=BUCKET, ACL="private")
    return store


@pytest.fixture
def object_store(tmp_path):
    """A running S3-compatible server (its own process) with the app's bucket; stopped after the test."""
    store = start_object_store(tmp_path / "moto.log")
    yield store
    store.process.kill()
    store.process.wait(10)
