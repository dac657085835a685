"""Real servers for the module-fetching tests: a test CA, a Terraform module registry over
HTTPS, a git server (``git http-backend`` behind HTTPS), and a server that never answers.

* :class:`TestCA` — a CA and a server certificate for ``localhost``, ``127.0.0.1`` and
  ``127.0.0.2``, made with ``cryptography``; the engine trusts it through its CA bundle
  setting (``REQUESTS_CA_BUNDLE`` for a process).
* :class:`RegistryServer` — Terraform's module registry protocol (service discovery,
  ``versions``, ``download`` with ``X-Terraform-Get`` or the JSON body form), serving
  tar.gz packages built from ``../shared/corpus/terraform/terraform-aws-modules/`` under the
  versions ``MANIFEST.txt`` maps the examples' constraints to, plus hostile packages under the
  ``hostile`` namespace. It counts every request by path.
* :class:`GitServer` — ``git http-backend`` (smart HTTP, protocol v2) for the repositories
  under its root.
* :class:`SilentServer` — accepts TCP connections and never says a word.

The registry is bound to 127.0.0.2 so a test can allow exactly that address and see a
redirect to 127.0.0.1 refused.
"""

from __future__ import annotations

import datetime
import io
import ipaddress
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tarfile
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

REGISTRY_HOST = "127.0.0.2"
_ROW = re.compile(r"^# (terraform-aws-modules/\S+) \| (.+?) \| (terraform-aws-[\w-]+) \| (v\S+) \|")


# --- the CA ----------------------------------------------------------------------------------


@dataclass
class TestCA:
    directory: Path
    ca_path: Path = field(init=False)
    cert_path: Path = field(init=False)
    key_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tfquote test CA")])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, key_cert_sign=True, crl_sign=True,
                    content_commitment=False, key_encipherment=False, data_encipherment=False,
                    key_agreement=False, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
            .sign(ca_key, hashes.SHA256())
        )  # fmt: skip
        key = ec.generate_private_key(ec.SECP256R1())
        names: list[x509.GeneralName] = [
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("127.0.0.2")),
        ]
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
            )
            .sign(ca_key, hashes.SHA256())
        )
        self.ca_path = self.directory / "ca.pem"
        self.cert_path = self.directory / "server.pem"
        self.key_path = self.directory / "server.key"
        self.ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context


# --- an HTTPS server ---------------------------------------------------------------------------


class _HttpsServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        context: ssl.SSLContext,
    ) -> None:
        super().__init__(address, handler)
        self.context = context
        self.owner: Any = None

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        return self.context.wrap_socket(
            sock, server_side=True, do_handshake_on_connect=False
        ), address

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The handshake runs in the request's own thread: a client that stalls it blocks
        # nobody else.
        try:
            request.settimeout(10)
            request.do_handshake()
        except (OSError, ssl.SSLError):
            return
        super().finish_request(request, client_address)


class _Background:
    """Runs an HTTPS server on a thread."""

    def __init__(self, server: _HttpsServer) -> None:
        self.server = server
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- packages ---------------------------------------------------------------------------------


def tar_gz(members: Mapping[str, bytes | tarfile.TarInfo], *, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, value in members.items():
            if isinstance(value, tarfile.TarInfo):
                archive.addfile(value)
                continue
            info = tarfile.TarInfo(prefix + name)
            info.size = len(value)
            info.mode = 0o644
            info.mtime = 0
            archive.addfile(info, io.BytesIO(value))
    return buffer.getvalue()


def folder_files(base: Path) -> dict[str, bytes]:
    return {
        path.relative_to(base).as_posix(): path.read_bytes()
        for path in sorted(base.rglob("*"))
        if path.is_file()
    }


@dataclass(frozen=True)
class ManifestRow:
    source: str  # as written, with //subdir
    constraint: str  # "(none)" when no version
    repo: str
    tag: str

    @property
    def module(self) -> str:
        return self.source.split("//", 1)[0]

    @property
    def version(self) -> str:
        return self.tag.lstrip("v")


def manifest_rows(manifest: Path) -> list[ManifestRow]:
    """The registry source -> tag mapping of the corpus's MANIFEST.txt (see its notes)."""
    rows = []
    for line in manifest.read_text().splitlines():
        match = _ROW.match(line)
        if match:
            rows.append(ManifestRow(match[1], match[2].strip(), match[3], match[4]))
    return rows


def _hostile_packages() -> dict[str, bytes]:
    main = b'resource "aws_sqs_queue" "q" {\n  name = "hostile"\n}\n'
    traversal = tarfile.TarInfo("../../../../../../escaped.tf")
    traversal.size = len(main)
    link = tarfile.TarInfo("linked.tf")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.addfile(_info("main.tf", main), io.BytesIO(main))
        archive.addfile(traversal, io.BytesIO(main))
    traversal_package = buffer.getvalue()
    zeros = 16 * 1024 * 1024  # under the byte cap: the ratio gives it away
    bomb = io.BytesIO()
    with tarfile.open(fileobj=bomb, mode="w:gz") as archive:
        archive.addfile(_info("main.tf", main), io.BytesIO(main))
        archive.addfile(_info("padding.tf", b"", zeros), _Zeros(zeros))
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("main.tf", main)
    return {
        "plain-zip": zipped.getvalue(),
        "traversal": traversal_package,
        "bomb": bomb.getvalue(),
        "symlink": tar_gz({"main.tf": main, "linked.tf": link}),
        "plain": tar_gz({"main.tf": main}),
    }


def _info(name: str, data: bytes, size: int | None = None) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = len(data) if size is None else size
    info.mode = 0o644
    return info


class _Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.left)
        buffer[:count] = b"\0" * count
        self.left -= count
        return count


# --- the registry -------------------------------------------------------------------------------


class RegistryServer:
    """A module registry on https://127.0.0.2:<port>/ (see the module docstring).

    Modules: every ``terraform-aws-modules/<name>/aws`` of MANIFEST.txt whose repository is
    in the corpus, at the versions the manifest's rows name (each served from the corpus
    folder, which is the repository's HEAD: the manifest says only HEAD is copied), plus
    ``6.7.0-beta1`` of vpc (a pre-release that no constraint asks for exactly). The kms
    packages use the JSON body form and a top-level folder (``//*``); the others
    ``X-Terraform-Get`` with ``204``. ``hostile/<case>/aws`` serves the hostile cases.
    """

    def __init__(
        self,
        corpus: Path,
        ca: TestCA,
        *,
        git_url: Callable[[], str] | None = None,
    ) -> None:
        self.corpus = corpus
        self.rows = manifest_rows(corpus.parent / "MANIFEST.txt")
        self.versions: dict[str, list[str]] = {}
        self.repos: dict[str, str] = {}
        for row in self.rows:
            if not (corpus / row.repo).is_dir():
                continue
            self.repos[row.module] = row.repo
            known = self.versions.setdefault(row.module, [])
            if row.version not in known:
                known.append(row.version)
        self.versions.setdefault("terraform-aws-modules/vpc/aws", []).append("6.7.0-beta1")
        for case in ("traversal", "bomb", "symlink", "redirect-loopback", "redirect-metadata",
                     "direct-localhost", "slow", "http"):  # fmt: skip
            self.versions[f"hostile/{case}/aws"] = ["1.0.0"]
        self.versions["acme/fromgit/aws"] = ["1.0.0"]  # a package that is a git repository
        self.versions["acme/tiny/aws"] = ["1.0.0"]  # one queue
        self.versions["acme/zipped/aws"] = ["2.0.0"]  # one queue, as a zip
        self.git_url = git_url
        self.counts: Counter[str] = Counter()
        #: (path, Authorization header) of every request that carried one
        self.authorizations: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._packages: dict[str, bytes] = {}
        self._hostile: dict[str, bytes] | None = None
        self.delay = 0.0  # seconds before answering an archive request (concurrency tests)
        self.closing = threading.Event()
        handler = _registry_handler(self)
        self._server = _HttpsServer((REGISTRY_HOST, 0), handler, ca.server_context())
        self._background = _Background(self._server)

    @property
    def port(self) -> int:
        return self._background.port

    @property
    def base(self) -> str:
        return f"https://{REGISTRY_HOST}:{self.port}"

    @property
    def modules_url(self) -> str:
        return f"{self.base}/v1/modules/"

    def count(self, part: str) -> int:
        with self._lock:
            return sum(n for path, n in self.counts.items() if part in path)

    def reset_counts(self) -> None:
        with self._lock:
            self.counts.clear()

    def close(self) -> None:
        self.closing.set()
        self._background.close()

    def package(self, module: str, version: str) -> bytes:
        with self._lock:
            cached = self._packages.get(f"{module}@{version}")
        if cached is not None:
            return cached
        files = folder_files(self.corpus / self.repos[module])
        kms = module.startswith("terraform-aws-modules/kms/")
        data = tar_gz(files, prefix=f"terraform-aws-kms-{version}/" if kms else "")
        with self._lock:
            self._packages[f"{module}@{version}"] = data
        return data

    def hostile(self, case: str) -> bytes:
        if self._hostile is None:
            self._hostile = _hostile_packages()
        return self._hostile[case]


def _registry_handler(registry: RegistryServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(
            self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None
        ) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status != 204:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body and status != 204:
                self.wfile.write(body)

        def _json(self, document: Any, status: int = 200) -> None:
            self._send(status, json.dumps(document).encode(), {"Content-Type": "application/json"})

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            with registry._lock:
                registry.counts[path] += 1
                if self.headers.get("Authorization"):
                    registry.authorizations.append((path, self.headers["Authorization"]))
            if path == "/.well-known/terraform.json":
                return self._json({"modules.v1": "/v1/modules/"})
            parts = path.strip("/").split("/")
            if parts[:2] == ["v1", "modules"] and len(parts) == 6 and parts[5] == "versions":
                module = "/".join(parts[2:5])
                if module == "hostile/slow/aws":
                    registry.closing.wait(3600)  # never answers (until the client gives up)
                versions = registry.versions.get(module)
                if versions is None:
                    return self._json({"errors": ["Not Found"]}, 404)
                return self._json(
                    {
                        "modules": [
                            {"source": module, "versions": [{"version": v} for v in versions]}
                        ]
                    }
                )
            if parts[:2] == ["v1", "modules"] and len(parts) == 7 and parts[6] == "download":
                module, version = "/".join(parts[2:5]), parts[5]
                if version not in registry.versions.get(module, []):
                    return self._json({"errors": ["Not Found"]}, 404)
                return self._download(module, version)
            if parts[0] == "archives":
                return self._archive(parts[1:])
            if parts[0] == "redirect":
                target = {
                    "loopback": f"https://127.0.0.1:{registry.port}/archives/hostile/plain.tar.gz",
                    "metadata": "https://169.254.169.254/latest/meta-data/module.tar.gz",
                }[parts[1].removesuffix(".tar.gz")]
                return self._send(302, b"", {"Location": target})
            self._json({"errors": ["Not Found"]}, 404)

        def _download(self, module: str, version: str) -> None:
            namespace, name, _ = module.split("/")
            if module == "acme/fromgit/aws":
                location = f"git::{registry.git_url() if registry.git_url else ''}?ref=v1.0.0"
                return self._send(204, b"", {"X-Terraform-Get": location})
            if module == "acme/zipped/aws":
                return self._send(204, b"", {"X-Terraform-Get": "/archives/hostile/plain-zip.zip"})
            if module == "acme/tiny/aws":
                return self._send(204, b"", {"X-Terraform-Get": "/archives/hostile/plain.tar.gz"})
            if namespace == "hostile":
                location = {
                    "redirect-loopback": "/redirect/loopback.tar.gz",
                    "redirect-metadata": "/redirect/metadata.tar.gz",
                    "direct-localhost": f"https://localhost:{registry.port}/archives/hostile/plain.tar.gz",
                    "http": f"http://{REGISTRY_HOST}:{registry.port}/archives/hostile/plain.tar.gz",
                }.get(name, f"/archives/hostile/{name}.tar.gz")
                return self._send(204, b"", {"X-Terraform-Get": location})
            location = f"/archives/{module}/{version}.tar.gz"
            if name == "kms":
                return self._json({"location": f"{location}//*"})
            self._send(204, b"", {"X-Terraform-Get": location})

        def _archive(self, parts: list[str]) -> None:
            if parts[:1] == ["hostile"]:
                name = parts[1].removesuffix(".tar.gz").removesuffix(".zip")
                return self._send(200, registry.hostile(name))
            if len(parts) != 4:
                return self._json({"errors": ["Not Found"]}, 404)
            module, version = "/".join(parts[:3]), parts[3].removesuffix(".tar.gz")
            if module not in registry.repos:
                return self._json({"errors": ["Not Found"]}, 404)
            if registry.delay:
                time.sleep(registry.delay)
            self._send(200, registry.package(module, version), {"Content-Type": "application/gzip"})

    return Handler


# --- git ------------------------------------------------------------------------------------------


def git(*args: str, cwd: Path) -> str:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    }  # fmt: skip
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout.strip()


def make_repository(
    root: Path,
    name: str,
    commits: list[tuple[dict[str, bytes], list[str]]],
    *,
    branch: str = "main",
    links: Mapping[str, str] | None = None,
) -> Path:
    """A bare repository ``root/<name>.git`` with the given commits (files to write, tags
    to put on that commit), on ``branch``; ``links`` (path -> target) are symbolic links
    added to the first commit."""
    work = root / f"{name}-work"
    work.mkdir(parents=True)
    git("init", "--quiet", "--initial-branch", branch, cwd=work)
    for index, (files, tags) in enumerate(commits):
        for path, data in files.items():
            target = work / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for path, link in (links or {}).items() if index == 0 else ():
            (work / path).symlink_to(link)
        git("add", "--all", cwd=work)
        git("commit", "--quiet", "-m", f"commit {len(tags)}", cwd=work)
        for tag in tags:
            git("tag", "-a", tag, "-m", tag, cwd=work)
    bare = root / f"{name}.git"
    git("clone", "--quiet", "--bare", str(work), str(bare), cwd=root)
    git("config", "uploadpack.allowFilter", "true", cwd=bare)
    git("config", "uploadpack.allowAnySHA1InWant", "true", cwd=bare)
    git("config", "http.receivepack", "false", cwd=bare)
    shutil.rmtree(work)
    return bare


class GitServer:
    """``git http-backend`` for the repositories under ``root``, on https://127.0.0.1:<port>/."""

    def __init__(self, root: Path, ca: TestCA, host: str = "127.0.0.1") -> None:
        self.root = root
        self.host = host
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        backend = subprocess.run(
            ["git", "--exec-path"], capture_output=True, text=True, check=True
        ).stdout.strip()
        self.backend = str(Path(backend) / "git-http-backend")
        self._server = _HttpsServer((host, 0), _git_handler(self), ca.server_context())
        self._background = _Background(self._server)

    @property
    def port(self) -> int:
        return self._background.port

    def url(self, name: str) -> str:
        return f"https://{self.host}:{self.port}/{name}.git"

    def close(self) -> None:
        self._background.close()


def _git_handler(server: GitServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._cgi(b"")

        def do_POST(self) -> None:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = b"".join(self._chunks())
            else:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._cgi(body)

        def _chunks(self) -> Iterator[bytes]:
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return
                yield self.rfile.read(size)
                self.rfile.readline()

        def _cgi(self, body: bytes) -> None:
            path, _, query = self.path.partition("?")
            with server._lock:
                server.requests[path] += 1
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "GIT_PROJECT_ROOT": str(server.root),
                "GIT_HTTP_EXPORT_ALL": "1",
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": os.devnull,
                "HOME": str(server.root),
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "REQUEST_METHOD": self.command,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "REMOTE_ADDR": "127.0.0.1",
                "SERVER_PROTOCOL": "HTTP/1.1",
            }
            if self.headers.get("Content-Encoding"):
                env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
            if self.headers.get("Git-Protocol"):
                env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
            result = subprocess.run(
                [server.backend], input=body, env=env, capture_output=True, timeout=60, check=False
            )
            head, _, payload = result.stdout.partition(b"\r\n\r\n")
            if not _:
                head, _, payload = result.stdout.partition(b"\n\n")
            status = 200
            headers: list[tuple[str, str]] = []
            for line in head.decode("latin-1").splitlines():
                name, _, value = line.partition(":")
                if name.lower() == "status":
                    status = int(value.strip().split()[0])
                elif name:
                    headers.append((name, value.strip()))
            if head.startswith(b"HTTP/"):
                status = 500  # not expected from a CGI
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


# --- a server that never answers -----------------------------------------------------------------


class SilentServer:
    """Accepts connections on 127.0.0.2 and holds them open without a byte (no TLS either)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind((REGISTRY_HOST, 0))
        self.sock.listen(64)
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                connection, _ = self.sock.accept()
            except OSError:
                continue
            self.connections.append(connection)

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        for connection in self.connections:
            connection.close()
        self.sock.close()


__all__ = [
    "REGISTRY_HOST",
    "GitServer",
    "ManifestRow",
    "RegistryServer",
    "SilentServer",
    "TestCA",
    "folder_files",
    "git",
    "make_repository",
    "manifest_rows",
    "tar_gz",
]
