"""Parsed configuration files kept on disk: the second level of :func:`config.parse_file`'s cache.

The first level is the in-process LRU in :mod:`engine.terraform.config`; this one outlives
the process and is shared by every engine process using the same cache directory (an
evaluation child that is replaced, another engine process or host), so estimating the same
module tree again parses nothing twice.

* **Keyed by content**: the file's sha256, its syntax (HCL or JSON) and its path in the
  upload (nodes remember their file for messages), so an edit is a new entry, never a stale
  one.
* **Format-versioned**: entries live under a directory named after :data:`FORMAT` and a hash
  of the parser's and syntax tree's own source code, so a new engine version never reads
  trees it did not write; other versions' directories are removed by the first process that
  configures the cache.
* **Atomic writes**: a temporary file renamed into place; a reader sees a whole entry or
  none, and any entry it cannot read is ignored (and parsed again).
* **Only our own classes come back**: entries are pickles, read with an unpickler that
  refuses every class but the syntax tree's and the values' (a cache directory someone else
  could write to would still not run code in the engine).
* **Evicted with the module cache**: the files count towards ``ENGINE_MODULE_CACHE_MAX_BYTES``
  and are removed least recently used first (:meth:`engine.fetch.store.ModuleStore.evict`);
  a read refreshes an entry's time.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import os
import pickle
import shutil
import threading
from pathlib import Path
from typing import Any

from engine.fetch.store import write_atomic
from engine.terraform.syntax import ast

FORMAT = "1"
_ALLOWED_MODULES = frozenset(
    {"engine.terraform.syntax.ast", "engine.terraform.values", "fractions", "decimal"}
)
_ALLOWED_BUILTINS = frozenset({"frozenset", "set", "slice", "complex", "object"})

_lock = threading.Lock()
_directory: Path | None = None
_fingerprint: str | None = None


def fingerprint() -> str:
    """:data:`FORMAT` and the source of the modules whose classes a parse is made of."""
    global _fingerprint
    if _fingerprint is None:
        digest = hashlib.sha256(FORMAT.encode())
        here = Path(__file__).resolve().parent
        sources = [*sorted((here / "syntax").glob("*.py")), here / "values.py"]
        for path in sources:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        _fingerprint = f"v{FORMAT}-{digest.hexdigest()[:16]}"
    return _fingerprint


def configure(directory: Path | None) -> None:
    """Keep parses under ``directory`` (None: not on disk). Cheap to call again."""
    global _directory
    with _lock:
        if directory == (_directory.parent if _directory is not None else None):
            return
        if directory is None:
            _directory = None
            return
        target = directory / fingerprint()
        with contextlib.suppress(OSError):
            target.mkdir(parents=True, exist_ok=True)
            for other in directory.iterdir():
                if other.name != target.name and other.is_dir() and not other.is_symlink():
                    shutil.rmtree(other, ignore_errors=True)  # another engine version's
        _directory = target


def directory() -> Path | None:
    return _directory


def _path(key: str) -> Path | None:
    base = _directory
    if base is None:
        return None
    name = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return base / name[:2] / f"{name}.pickle"


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module in _ALLOWED_MODULES or (module == "builtins" and name in _ALLOWED_BUILTINS):
            return super().find_class(module, name)
        if module == "copyreg" and name in ("_reconstructor", "__newobj__"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a parsed file")


def load(key: str) -> ast.Body | None:
    path = _path(key)
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    # The collector would run many times while tens of thousands of nodes are created, and
    # finds nothing to free among them: loading is 2-3 times faster without it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        body = _Unpickler(io.BytesIO(data)).load()
    except Exception:
        return None  # a damaged or foreign entry: parse again (and overwrite it)
    finally:
        if collecting:
            gc.enable()
    if not isinstance(body, ast.Body):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # least recently used eviction
    return body


def store(key: str, body: ast.Body) -> None:
    path = _path(key)
    if path is None:
        return
    try:
        data = pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, RecursionError, TypeError):
        return
    try:
        write_atomic(path, data)
    except OSError:
        pass  # a full or read-only disk costs a parse next time, nothing else
