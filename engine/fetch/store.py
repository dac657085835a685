"""The shared module cache on disk: fetched packages, registry answers, and its size cap.

Layout under the cache directory (``ENGINE_MODULE_CACHE_DIR``), shared by every engine
process and host that mounts it::

    FORMAT                  the layout version; another version's entries are discarded
    modules/<key>/          one fetched package: entry.json (source, version, bytes, files,
                            when) and tree/ (its files); <key> hashes source + resolved version
    meta/<hash>.json        registry answers with their time (discovery, version lists, git
                            refs), re-asked after ENGINE_MODULE_VERSIONS_TTL
    parsed/                 the parse cache (engine.terraform.parsecache)
    tmp/                    work in progress: downloads, extractions, clones
    trash/                  evicted entries on their way out

Rules this module owns:

* **Atomic publication.** A package is assembled in ``tmp/`` (entry.json last) and renamed
  into ``modules/<key>`` in one step, so a reader sees a whole package or none; when two
  processes race (the lock normally prevents it) the second rename fails and its copy is
  dropped. Registry answers are written to a temporary file and renamed the same way.
* **Least recently used eviction.** Using an entry touches its entry.json; when the cache
  holds more than its cap, the least recently used packages and parse-cache files are
  renamed into ``trash/`` and deleted. A reader of an entry evicted under it sees it vanish
  and fetches again; it never sees part of one.
* **Nothing outside the directory.** Every path written is built from hashes and fixed
  names under the cache directory; package files come from
  :func:`tfquote.archives.extract_archive` or a checked git checkout, both confined to their
  staging directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.fetch.errors import FetchError

FORMAT = "1"
#: Work directories older than this are from a process that died mid-fetch.
STALE_WORK_SECONDS = 3600.0


@dataclass(frozen=True)
class Entry:
    key: str
    path: Path  # modules/<key>
    info: dict[str, Any]

    @property
    def tree(self) -> Path:
        return self.path / "tree"


def cache_key(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(4, "big"))
        digest.update(encoded)
    return digest.hexdigest()[:40]


class ModuleStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.modules = root / "modules"
        self.meta = root / "meta"
        self.tmp = root / "tmp"
        self.trash = root / "trash"
        self.parsed = root / "parsed"
        self._ready = False

    def ensure(self) -> None:
        """Create the layout (once per process); a cache of another format is emptied."""
        if self._ready:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        marker = self.root / "FORMAT"
        try:
            found = marker.read_text().strip()
        except FileNotFoundError:
            found = None
        for path in (self.modules, self.meta, self.tmp, self.trash):
            path.mkdir(exist_ok=True)
        if found != FORMAT:
            if found is not None:
                for path in (self.modules, self.meta):
                    for child in list(path.iterdir()):
                        self._discard(child)
            write_atomic(marker, FORMAT.encode())
        self._sweep_stale()
        self._ready = True

    # --- packages ----------------------------------------------------------------------------

    def lookup(self, key: str) -> Entry | None:
        path = self.modules / key
        try:
            info = json.loads((path / "entry.json").read_bytes())
            os.utime(path / "entry.json")  # least recently used: this one was just used
        except (FileNotFoundError, NotADirectoryError, ValueError):
            return None
        return Entry(key, path, info) if isinstance(info, dict) else None

    @contextlib.contextmanager
    def staging(self) -> Iterator[Path]:
        """A fresh work directory under tmp/, removed afterwards whatever happens."""
        self.ensure()
        path = Path(tempfile.mkdtemp(prefix="work-", dir=self.tmp))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def publish(self, key: str, tree: Path, info: dict[str, Any]) -> Entry:
        """Move a checked package tree into the cache under ``key`` (atomically)."""
        self.ensure()
        package = Path(tempfile.mkdtemp(prefix="pub-", dir=self.tmp))
        tree.rename(package / "tree")
        info = {**info, "key": key, "stored_at": time.time()}
        (package / "entry.json").write_text(json.dumps(info, sort_keys=True))
        target = self.modules / key
        try:
            package.rename(target)
        except OSError:
            # Someone published it first (rename onto a non-empty directory fails): theirs
            # is as good as ours.
            shutil.rmtree(package, ignore_errors=True)
            existing = self.lookup(key)
            if existing is None:
                raise FetchError(
                    "module_fetch_failed", "the module cache could not store the package"
                ) from None
            return existing
        self.evict(keep=key)
        return Entry(key, target, info)

    def load_files(self, entry: Entry, max_files: int, max_bytes: int) -> dict[str, bytes]:
        """Every regular file of a package, by path relative to its root.

        Raises FileNotFoundError when the entry vanished (evicted) meanwhile."""
        files: dict[str, bytes] = {}
        total = 0
        tree = entry.tree
        if not tree.is_dir():
            raise FileNotFoundError(tree)
        for directory, dirs, names in os.walk(tree):
            dirs.sort()
            for name in sorted(names):
                full = os.path.join(directory, name)
                relative = os.path.relpath(full, tree).replace(os.sep, "/")
                with open(full, "rb", opener=_no_follow) as handle:
                    data = handle.read(max_bytes + 1)
                total += len(data)
                if total > max_bytes or len(files) >= max_files:
                    raise FetchError(
                        "module_too_large", f"the cached package {entry.key} is over the limits"
                    )
                files[relative] = data
        return files

    # --- registry answers ---------------------------------------------------------------------

    def meta_get(self, name: str, ttl: float) -> Any | None:
        path = self.meta / f"{cache_key('meta', name)}.json"
        try:
            stored = json.loads(path.read_bytes())
        except (FileNotFoundError, ValueError):
            return None
        if not isinstance(stored, dict) or stored.get("name") != name:
            return None
        if time.time() - float(stored.get("at", 0)) > ttl:
            return None
        return stored.get("value")

    def meta_put(self, name: str, value: Any) -> None:
        self.ensure()
        path = self.meta / f"{cache_key('meta', name)}.json"
        data = json.dumps({"name": name, "at": time.time(), "value": value}).encode()
        write_atomic(path, data)

    # --- size cap -----------------------------------------------------------------------------

    def usage(self) -> list[tuple[float, int, Path]]:
        """(last used, bytes, path) of every evictable item: packages and parse files."""
        items: list[tuple[float, int, Path]] = []
        with contextlib.suppress(FileNotFoundError):
            for child in self.modules.iterdir():
                try:
                    stat = (child / "entry.json").stat()
                    info = json.loads((child / "entry.json").read_bytes())
                except (FileNotFoundError, NotADirectoryError, ValueError):
                    continue
                items.append((stat.st_mtime, int(info.get("bytes", 0)), child))
        with contextlib.suppress(FileNotFoundError):
            for directory, _dirs, names in os.walk(self.parsed):
                for name in names:
                    full = Path(directory) / name
                    with contextlib.suppress(FileNotFoundError):
                        stat = full.stat()
                        items.append((stat.st_mtime, stat.st_size, full))
        return items

    def evict(self, keep: str | None = None) -> int:
        """Remove least recently used items until the cache fits its cap; returns how many."""
        items = self.usage()
        total = sum(size for _, size, _ in items)
        removed = 0
        for _, size, path in sorted(items, key=lambda item: item[0]):
            if total <= self.max_bytes:
                break
            if keep is not None and path.name == keep:
                continue
            if self._discard(path):
                total -= size
                removed += 1
        return removed

    # --- helpers ------------------------------------------------------------------------------

    def _discard(self, path: Path) -> bool:
        """Rename into trash/ (atomic: readers see it whole or gone), then delete."""
        self.trash.mkdir(parents=True, exist_ok=True)
        target = self.trash / f"{uuid.uuid4().hex}"
        try:
            path.rename(target)
        except FileNotFoundError:
            return False
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
        return True

    def _sweep_stale(self) -> None:
        """Work directories left by a process that died mid-fetch (a killed evaluation)."""
        now = time.time()
        for parent in (self.tmp, self.trash):
            for child in list(parent.iterdir()):
                try:
                    age = now - child.lstat().st_mtime
                except FileNotFoundError:
                    continue
                if parent is self.trash or age > STALE_WORK_SECONDS:
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child, ignore_errors=True)
                    else:
                        with contextlib.suppress(FileNotFoundError):
                            child.unlink()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place: a reader sees
    the whole file or none (the module cache's entries and the parse cache's use it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".w-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NOFOLLOW)
