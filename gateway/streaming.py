"""Streaming multipart uploads: parse, hash and write each file part in one pass.

Werkzeug parses ``multipart/form-data`` incrementally and asks the request's stream
factory for somewhere to put each file part. `UploadRequest` answers with a
`HashingSink`: a file under ``DATA_DIR/incoming/<request>/`` that hashes (sha256) and
counts every chunk as it is written. No upload is ever held in memory, and there is no
spool-then-copy: when the parse ends, each part is already on disk with its digest.
The per-request directory is removed when the request ends, whatever happened.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from pathlib import Path
from typing import IO, Any, cast

from flask import Request, current_app
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser, MultiPartParser

# The request body is read in big pieces (fewer trips through gunicorn's and Werkzeug's
# Python-level stream layers) but handed to Werkzeug's multipart decoder in small ones:
# the decoder copies and searches what it is given, which stays in the CPU cache at
# 64 KiB and not at 1 MiB, and the regex that finds the closing boundary scans the whole
# last piece (a 1 MiB feed cost a 1 MB upload ~3 ms in that one search). Measured with
# `python -m bench uploads` (docs/performance.md).
PARSE_BUFFER_SIZE = 1024 * 1024
FEED_SIZE = 64 * 1024


class HashingSink:
    """A write-only file that hashes and counts as it writes; shares a byte budget."""

    def __init__(self, path: Path, budget: list[int], raw_filename: str | None) -> None:
        self.path = path
        self.raw_filename = raw_filename
        self.size = 0
        self._budget = budget  # [bytes left for the whole request]; shared by parts
        self._hash = hashlib.sha256()
        self._file: IO[bytes] = open(path, "xb")  # noqa: SIM115 - closed in close()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def write(self, data: bytes) -> int:
        self._budget[0] -= len(data)
        if self._budget[0] < 0:
            raise RequestEntityTooLarge()
        self._hash.update(data)
        self.size += len(data)
        return self._file.write(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        # Werkzeug rewinds each part after writing it; we only need the data flushed.
        self._file.flush()
        return 0

    def read(self, size: int = -1) -> bytes:  # pragma: no cover - never read back
        return b""

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    def __getattr__(self, name: str) -> Any:  # FileStorage probes a few attributes
        return getattr(self._file, name)


class _ReadAhead:
    """Reads the body `size` bytes at a time and serves the parser's smaller reads."""

    def __init__(self, stream: Any, size: int) -> None:
        self._read = stream.read
        self._size = size
        self._buffer = b""
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        if self._pos >= len(self._buffer):
            self._buffer = self._read(self._size)
            self._pos = 0
            if not self._buffer:
                return b""
        end = len(self._buffer) if size is None or size < 0 else self._pos + size
        chunk = self._buffer[self._pos : end]
        self._pos += len(chunk)
        return chunk


class _FormDataParser(FormDataParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not silent: a malformed body must become a 400, not an empty form.
        kwargs["silent"] = False
        super().__init__(*args, **kwargs)

    def _parse_multipart(
        self, stream: Any, mimetype: str, content_length: Any, options: Any
    ) -> Any:
        parser = MultiPartParser(
            stream_factory=self.stream_factory,
            max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts,
            cls=self.cls,
            buffer_size=FEED_SIZE,
        )
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        body = cast(IO[bytes], _ReadAhead(stream, PARSE_BUFFER_SIZE))  # only read() is used
        form, files = parser.parse(body, boundary, content_length)
        return stream, form, files


class UploadRequest(Request):
    form_data_parser_class = _FormDataParser
    max_form_parts = 64
    # Werkzeug applies this cap to the decoder's buffer (what is not yet an event plus
    # the next piece fed); text fields are validated far below it anyway.
    max_form_memory_size = 2 * PARSE_BUFFER_SIZE

    _incoming: Path | None = None
    _budget: list[int] | None = None
    sinks: list[HashingSink]

    def incoming_dir(self) -> Path:
        if self._incoming is None:
            root = current_app.extensions["tfquote"].settings.incoming_dir
            root.mkdir(parents=True, exist_ok=True)
            self._incoming = root / uuid.uuid4().hex
            self._incoming.mkdir()
            self.sinks = []
        return self._incoming

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        directory = self.incoming_dir()
        if self._budget is None:
            self._budget = [current_app.extensions["tfquote"].settings.max_upload_bytes]
        sink = HashingSink(directory / f"part-{len(self.sinks)}", self._budget, filename)
        self.sinks.append(sink)
        return sink  # type: ignore[return-value]

    def cleanup_incoming(self) -> None:
        if self._incoming is not None:
            for sink in getattr(self, "sinks", []):
                sink.close()
            shutil.rmtree(self._incoming, ignore_errors=True)
            self._incoming = None
