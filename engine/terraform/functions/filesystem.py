"""Terraform's filesystem functions, reading only the files of the upload.

:func:`bind` returns ``file filebase64 fileexists fileset filemd5 filesha1 filesha256
filesha512 filebase64sha256 filebase64sha512 templatefile abspath pathexpand`` over an
:class:`UploadFiles`. Relative paths resolve against the root module's directory, as Terraform
resolves them against its working directory (``path.module`` gives module-relative paths).
The "disk" is :class:`UploadFiles`, the in-memory files of the bundle: a path that leaves the
upload (``../../etc/passwd``, ``/etc/hostname``, ``~/x``) or names nothing is an error worded
as Terraform words a missing file, never a read of the host; files over
:data:`MAX_FILE_BYTES` are refused. ``fileset`` globs as Terraform's doublestar does.
``templatefile`` renders with the given variables and the functions it is bound with (never
itself). ``abspath``/``pathexpand`` of host-relative paths are unknown, with the reason.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import re
from collections.abc import Callable, Mapping
from typing import Protocol

from engine.terraform import values as v
from engine.terraform.functions import _template
from engine.terraform.functions._util import (
    MAX_ELEMENTS,
    ImplFn,
    P,
    arg_error,
    define,
    fail,
    impure,
)
from engine.terraform.functions.base import Function
from engine.terraform.functions.strings import go_clean
from engine.terraform.syntax import ast
from engine.terraform.syntax.parser import HclSyntaxError, parse_template
from engine.terraform.values import BOOL, DYNAMIC, STRING, SetType, Type, Value


class UploadFiles(Protocol):
    """The files an evaluation may read: bundle-relative posix paths -> bytes."""

    def read(self, path: str) -> bytes | None:
        """The content of the file at the normalised bundle path, or None."""

    def exists(self, path: str) -> bool: ...

    def list(self) -> list[str]:
        """Every file path (for ``fileset``)."""


class MappingFiles:
    """:class:`UploadFiles` over a ``{path: bytes}`` mapping (the engine's bundle)."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self._files = files

    def read(self, path: str) -> bytes | None:
        return self._files.get(path)

    def exists(self, path: str) -> bool:
        return path in self._files

    def list(self) -> list[str]:
        return sorted(self._files)


class MountedFiles:
    """:class:`UploadFiles` of the upload with fetched module packages mounted into it.

    A remote module is mounted where ``terraform init`` would have installed it
    (``<root>/.terraform/modules/<key>/``): reads, ``list()`` and the file functions see its
    files there, so ``path.module``, ``file()`` and local calls inside the package work as
    in Terraform. A mount hides whatever the upload itself had under that directory.
    ``generation`` changes at every mount, for callers that cache listings.
    """

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self._files = files
        self._mounts: dict[str, Mapping[str, bytes]] = {}
        self._list: list[str] | None = None
        self.generation = 0

    def mount(self, directory: str, files: Mapping[str, bytes]) -> None:
        directory = directory.strip("/")
        if self._mounts.get(directory) is files:
            return
        self._mounts[directory] = files
        self._list = None
        self.generation += 1

    def _find(self, path: str) -> tuple[Mapping[str, bytes], str]:
        best = ""
        for directory in self._mounts:
            if path.startswith(directory + "/") and len(directory) > len(best):
                best = directory
        if best:
            return self._mounts[best], path[len(best) + 1 :]
        return self._files, path

    def read(self, path: str) -> bytes | None:
        files, inner = self._find(path)
        return files.get(inner)

    def exists(self, path: str) -> bool:
        files, inner = self._find(path)
        return inner in files

    def list(self) -> list[str]:
        if self._list is None:
            paths = [path for path in self._files if self._find(path)[0] is self._files]
            for directory, files in self._mounts.items():
                for inner in files:
                    full = f"{directory}/{inner}"
                    # a package mounted inside another package's directory hides that part
                    if self._find(full)[0] is files:
                        paths.append(full)
            self._list = sorted(paths)
        return list(self._list)


# --- the functions --------------------------------------------------------------------------------

#: Largest file a function reads (a bigger one is refused, not truncated).
MAX_FILE_BYTES = 4 * 1024 * 1024

_MISSING_HINT = (
    "; this function works only with files that are distributed as part of the configuration "
    "source code, so if this file will be created by a resource in this configuration you must "
    "instead obtain this result from an attribute of that resource"
)


class _Upload:
    """Path resolution over an :class:`UploadFiles`, as Terraform resolves against its working
    directory: ``cwd`` is the root module's folder inside the upload."""

    def __init__(self, files: UploadFiles, cwd: str) -> None:
        self.files = files
        self.cwd = "" if cwd in ("", ".") else posixpath.normpath(cwd)
        self._dirs: set[str] | None = None
        self._generation = getattr(files, "generation", 0)
        self.templates: dict[str, ast.Expr] = {}

    def resolve(self, path: str) -> str | None:
        """The upload path a user path names, or None when it leaves the upload."""
        if path.startswith(("/", "~")) or "\x00" in path:
            return None
        joined = (
            posixpath.normpath(posixpath.join(self.cwd, path))
            if self.cwd
            else posixpath.normpath(path)
        )
        if joined == ".." or joined.startswith("../"):
            return None
        return "" if joined == "." else joined

    def is_dir(self, path: str) -> bool:
        if path == "":
            return True
        generation = getattr(self.files, "generation", 0)
        if generation != self._generation:
            self._dirs = None  # a module was mounted since the directories were listed
            self._generation = generation
        if self._dirs is None:
            dirs: set[str] = set()
            for name in self.files.list():
                parent = posixpath.dirname(name)
                while parent and parent not in dirs:
                    dirs.add(parent)
                    parent = posixpath.dirname(parent)
            self._dirs = dirs
        return path in self._dirs

    def read(self, path: str) -> bytes | None:
        data = self.files.read(path)
        if data is not None and len(data) > MAX_FILE_BYTES:
            raise fail(f"the file {path} is larger than {MAX_FILE_BYTES} bytes")
        return data


def _quote(text: str) -> str:
    from engine.terraform.functions.strings import go_quote

    return go_quote(text)


def _read_file(upload: _Upload, path: str) -> bytes:
    """Terraform's readFileBytes (errors blamed on the ``path`` argument)."""
    resolved = upload.resolve(path)
    if resolved is not None and upload.is_dir(resolved):
        raise arg_error(0, "path", f"failed to read file: read {go_clean(path)}: is a directory")
    data = upload.read(resolved) if resolved is not None else None
    if data is None:
        raise arg_error(0, "path", f"no file exists at {_quote(path)}{_MISSING_HINT}")
    return data


def _file(upload: _Upload, encode: bool) -> ImplFn:
    def impl(args: list[Value], ret: Type) -> Value:
        path: str = args[0].v
        data = _read_file(upload, path)
        if encode:
            return v.string(base64.b64encode(data).decode("ascii"))
        try:
            return v.string(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise fail(
                f"contents of {_quote(path)} are not valid UTF-8; use the filebase64 function "
                "to obtain the Base64 encoded contents or the other file functions (e.g. "
                "filemd5, filesha256) to obtain file hashing results instead"
            ) from None

    return impl


def _fileexists(upload: _Upload) -> ImplFn:
    def impl(args: list[Value], ret: Type) -> Value:
        path: str = args[0].v
        resolved = upload.resolve(path)
        if resolved is None:
            return impure(BOOL, f"fileexists({path!r}) looks outside the uploaded configuration")
        if upload.is_dir(resolved):
            raise fail(f"{_quote(go_clean(path))} is a directory, not a file")
        return v.boolean(upload.files.exists(resolved))

    return impl


def _file_hash(upload: _Upload, algorithm: str, encode: Callable[[bytes], str]) -> ImplFn:
    def impl(args: list[Value], ret: Type) -> Value:
        path: str = args[0].v
        resolved = upload.resolve(path)
        shown = go_clean(path)
        if resolved is not None and upload.is_dir(resolved):
            raise fail(f"read {shown}: is a directory")
        data = upload.read(resolved) if resolved is not None else None
        if data is None:
            raise fail(f"open {shown}: no such file or directory")
        return v.string(encode(hashlib.new(algorithm, data).digest()))

    return impl


# --- fileset: doublestar (v1) globbing ------------------------------------------------------------


class _GlobError(Exception):
    pass


def _component_regex(pattern: str) -> str:
    """One path component of a doublestar pattern as a regular expression."""
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 1
            if i >= n:
                raise _GlobError
            out.append(re.escape(pattern[i]))
        elif char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = i + 1
            if end < n and pattern[end] in "^!":
                end += 1
            if end < n and pattern[end] == "]":
                end += 1
            end = pattern.find("]", end)
            if end < 0:
                raise _GlobError
            body = pattern[i + 1 : end]
            negate = body[:1] in ("^", "!")
            if negate:
                body = body[1:]
            if not body:
                raise _GlobError
            escaped = body.replace("\\", "\\\\").replace("[", "\\[")
            out.append(f"[{'^' if negate else ''}{escaped}]")
            i = end
        elif char == "{":
            end = pattern.find("}", i)
            if end < 0:
                raise _GlobError
            options = pattern[i + 1 : end].split(",")
            out.append("(?:" + "|".join(_component_regex(option) for option in options) + ")")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _glob(pattern: str, paths: list[str]) -> list[str]:
    """doublestar.Glob over the upload's file paths (``**`` spans directories)."""
    parts = pattern.split("/")
    if any("{" in part and "/" in part for part in parts):
        raise _GlobError
    compiled: list[re.Pattern[str] | None] = []
    for part in parts:
        if part == "**":
            compiled.append(None)
        else:
            compiled.append(re.compile(_component_regex(part) + r"\Z", re.DOTALL))

    def match(pi: int, segments: list[str], si: int) -> bool:
        if pi == len(compiled):
            return si == len(segments)
        matcher = compiled[pi]
        if matcher is None:
            return any(match(pi + 1, segments, k) for k in range(si, len(segments) + 1))
        if si >= len(segments):
            return False
        return matcher.match(segments[si]) is not None and match(pi + 1, segments, si + 1)

    return [path for path in paths if match(0, path.split("/"), 0)]


def _fileset(upload: _Upload) -> ImplFn:
    def impl(args: list[Value], ret: Type) -> Value:
        path: str = args[0].v
        pattern: str = args[1].v
        base = upload.resolve(path)
        full = upload.resolve(posixpath.join(path, pattern)) if base is not None else None
        if base is None or full is None:
            return impure(
                SetType(STRING),
                f"fileset({path!r}, {pattern!r}) looks outside the uploaded configuration",
            )
        try:
            matches = _glob(full, upload.files.list()) if full else []
        except _GlobError:
            shown = go_clean(posixpath.join(path, pattern))
            raise fail(f"failed to glob pattern {_quote(shown)}: syntax error in pattern") from None
        except re.error:
            shown = go_clean(posixpath.join(path, pattern))
            raise fail(f"failed to glob pattern {_quote(shown)}: syntax error in pattern") from None
        results = [posixpath.relpath(match, base or ".") for match in matches]
        if len(results) > MAX_ELEMENTS:
            raise fail(f"the pattern matches more than {MAX_ELEMENTS} files")
        return v.set_of([v.string(item) for item in results], STRING)

    return impl


# --- templatefile ---------------------------------------------------------------------------------


def _templatefile(upload: _Upload, table: dict[str, Function]) -> ImplFn:
    def impl(args: list[Value], ret: Type) -> Value:
        path: str = args[0].v
        variables = args[1]
        resolved = upload.resolve(path)
        template = upload.templates.get(resolved) if resolved is not None else None
        if template is None:
            data = _read_file(upload, path)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise fail(
                    f"contents of {_quote(path)} are not valid UTF-8; use the filebase64 "
                    "function to obtain the Base64 encoded contents or the other file functions "
                    "(e.g. filemd5, filesha256) to obtain file hashing results instead"
                ) from None
            try:
                template = parse_template(text, path)
            except HclSyntaxError as exc:
                raise fail(str(exc)) from None
            if resolved is not None:
                upload.templates[resolved] = template
        return _template.render(template, variables, table, allow_filesystem=True)

    return impl


# --- host-dependent -------------------------------------------------------------------------------


def _abspath(args: list[Value], ret: Type) -> Value:
    path: str = args[0].v
    if path.startswith("/"):
        return v.string(go_clean(path))
    return impure(
        STRING, f"abspath({path!r}) depends on the directory Terraform runs in, not known here"
    )


def _pathexpand(args: list[Value], ret: Type) -> Value:
    path: str = args[0].v
    if not path.startswith("~"):
        return v.string(path)
    return impure(
        STRING, f"pathexpand({path!r}) depends on the home directory of the host running Terraform"
    )


def bind(files: UploadFiles, cwd: str, base: Mapping[str, Function]) -> dict[str, Function]:
    """The filesystem functions over ``files``, resolving paths against ``cwd`` (the root
    module's folder in the upload; ``""`` for its root). ``templatefile`` templates may call
    ``base`` and these functions (but not ``templatefile`` itself)."""
    upload = _Upload(files, cwd)
    path = P("path", STRING)
    table: dict[str, Function] = {
        "file": define("file", [path], _file(upload, False), returns=STRING),
        "filebase64": define("filebase64", [path], _file(upload, True), returns=STRING),
        "fileexists": define("fileexists", [path], _fileexists(upload), returns=BOOL),
        "fileset": define(
            "fileset",
            [path, P("pattern", STRING)],
            _fileset(upload),
            returns=SetType(STRING),
        ),
        "filemd5": define("filemd5", [path], _file_hash(upload, "md5", _hex), returns=STRING),
        "filesha1": define("filesha1", [path], _file_hash(upload, "sha1", _hex), returns=STRING),
        "filesha256": define(
            "filesha256", [path], _file_hash(upload, "sha256", _hex), returns=STRING
        ),
        "filesha512": define(
            "filesha512", [path], _file_hash(upload, "sha512", _hex), returns=STRING
        ),
        "filebase64sha256": define(
            "filebase64sha256", [path], _file_hash(upload, "sha256", _b64), returns=STRING
        ),
        "filebase64sha512": define(
            "filebase64sha512", [path], _file_hash(upload, "sha512", _b64), returns=STRING
        ),
        "abspath": define("abspath", [path], _abspath, returns=STRING),
        "pathexpand": define("pathexpand", [path], _pathexpand, returns=STRING),
    }
    everything: dict[str, Function] = {**base, **table}
    table["templatefile"] = define(
        "templatefile",
        [path, P("vars", DYNAMIC)],
        _templatefile(upload, everything),
    )
    everything["templatefile"] = table["templatefile"]
    return table


def _hex(data: bytes) -> str:
    return data.hex()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
