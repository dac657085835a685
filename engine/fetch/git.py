"""Git module sources, fetched with the ``git`` binary and nothing else from the repository.

What runs, and what never does:

* ``git`` is called with an argument list (never a shell), a clean environment (no system or
  global configuration, ``HOME`` in the work directory, no terminal prompts, no credential
  helpers) and only the protocols allowed (``https``, plus ``ssh`` when
  ``ENGINE_MODULE_GIT_SSH`` is on). Hooks are off (``core.hooksPath=/dev/null``, an empty
  template), submodules are never fetched, symbolic links are checked out as plain files
  (``core.symlinks=false``) and then refused anyway, redirects are not followed, and every
  command has the job's remaining fetch budget as its timeout (the whole process group is
  killed past it). Nothing from the fetched repository is executed.
* Before git connects, the host is resolved and checked like every other address
  (:class:`~engine.fetch.net.AddressPolicy`), and git is pinned to the checked address
  (``http.curloptResolve``; for SSH, the address is dialled with ``HostKeyAlias`` so
  known_hosts still names the host).
* A ref (tag, branch, or commit) is resolved to a commit with ``git ls-remote`` (kept for
  ``ENGINE_MODULE_VERSIONS_TTL``), so the cache is keyed by commit; then that commit alone is
  fetched, shallow (``--depth 1`` unless ``?depth=`` says otherwise; an abbreviated commit
  needs the history). While git runs, the size of what it wrote is watched and git is stopped
  past the byte limit. The tree is then listed (``ls-tree``) and checked before checkout:
  no links, no names an archive could not have, at most the file and byte limits.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.fetch.addresses import GitSource
from engine.fetch.errors import FetchError
from engine.fetch.net import AddressPolicy, Deadline, IPAddress
from engine.fetch.store import ModuleStore
from tfquote.archives import ArchiveError, ArchiveLimits, check_entry_name

_SHA = re.compile(r"[0-9a-f]{40}")
_SHORT_SHA = re.compile(r"[0-9a-f]{7,39}")
#: How often the size of git's output is checked while it runs.
WATCH_SECONDS = 0.1


@dataclass
class GitFetcher:
    policy: AddressPolicy
    store: ModuleStore
    allow_ssh: bool = False
    ca_bundle: str | None = None
    ttl: float = 3600.0
    binary: str = "git"
    #: git commands run (tests count them)
    commands: int = 0

    # --- the commit a ref names -------------------------------------------------------------

    def resolve(self, source: GitSource, deadline: Deadline, work: Path) -> str:
        """The commit that ``source.ref`` (default: the remote's HEAD) names now."""
        ref = source.ref
        if ref is not None and _SHA.fullmatch(ref):
            return ref
        name = f"git-ref:{source.url}#{ref or 'HEAD'}"
        cached = self.store.meta_get(name, self.ttl)
        if isinstance(cached, str):
            return cached
        pattern = ref or "HEAD"
        output = self._run(
            ["ls-remote", "--", source.url, pattern], source, deadline, work, cwd=None
        )
        found: dict[str, str] = {}
        for line in output.splitlines():
            sha, _, name_ = line.partition("\t")
            if _SHA.fullmatch(sha):
                found[name_] = sha
        wanted = (
            ["HEAD"]
            if ref is None
            else [f"refs/tags/{ref}^{{}}", f"refs/tags/{ref}", f"refs/heads/{ref}", ref]
        )
        for candidate in wanted:
            if candidate in found:
                self.store.meta_put(name, found[candidate])
                return found[candidate]
        if ref is not None and _SHORT_SHA.fullmatch(ref):
            return ref  # an abbreviated commit: found in the history by fetch()
        raise FetchError("module_not_found", f"{source.url} has no ref {ref or 'HEAD'!r}")

    # --- the tree of a commit -----------------------------------------------------------------

    def fetch(
        self,
        source: GitSource,
        commit: str,
        deadline: Deadline,
        work: Path,
        *,
        max_files: int,
        max_bytes: int,
    ) -> tuple[Path, str]:
        """Check the commit's tree out under ``work/tree``; returns it and the full commit."""
        repo = work / "repo"
        tree = work / "tree"
        tree.mkdir()
        self._run(["init", "--quiet", "--template=", str(repo)], source, deadline, work, cwd=None)
        watch = (repo, 4 * max_bytes + 1024 * 1024)  # packs are compressed, objects add up
        if _SHA.fullmatch(commit):
            depth = ["--depth", str(source.depth or 1)]
            attempt = ["fetch", "--quiet", "--no-tags", *depth, "--", source.url, commit]
            try:
                self._run(attempt, source, deadline, work, cwd=repo, watch=watch)
            except FetchError as exc:
                if exc.code in ("module_fetch_timeout", "module_too_large"):
                    raise
                # Servers that refuse a fetch by commit: fetch the named ref instead.
                if source.ref is None or _SHA.fullmatch(source.ref):
                    raise
                attempt[-1] = source.ref
                self._run(attempt, source, deadline, work, cwd=repo, watch=watch)
        else:
            everything = ["fetch", "--quiet", "--tags", "--", source.url]
            self._run([*everything, "+refs/heads/*:refs/remotes/origin/*"], source, deadline,
                      work, cwd=repo, watch=watch)  # fmt: skip
        full = self._run(
            ["rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"],
            source,
            deadline,
            work,
            cwd=repo,
            missing="module_not_found",
        ).strip()
        if not _SHA.fullmatch(full):
            raise FetchError("module_not_found", f"{source.url} has no commit {commit}")
        listing = self._run(
            ["ls-tree", "-r", "-l", "-z", "--full-tree", full], source, deadline, work, cwd=repo
        )
        self._check_tree(listing, source, max_files=max_files, max_bytes=max_bytes)
        self._run(
            ["--work-tree", str(tree), "checkout", "--quiet", full, "--", "."],
            source,
            deadline,
            work,
            cwd=repo,
        )
        _check_written(tree, max_files=max_files, max_bytes=max_bytes)
        return tree, full

    def _check_tree(
        self, listing: str, source: GitSource, *, max_files: int, max_bytes: int
    ) -> None:
        limits = ArchiveLimits(max_entries=max_files, max_total_bytes=max_bytes)
        files = 0
        total = 0
        for record in listing.split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            mode, kind, _sha, size = ([*meta.split(), "", "", "", ""])[:4]
            if kind == "commit":
                continue  # a submodule: never fetched
            if mode == "120000":
                raise FetchError(
                    "module_unsafe_archive",
                    f"{source.url}: link_entry: {path!r} is a symbolic link",
                )
            try:
                check_entry_name(path, limits=limits)
            except ArchiveError as exc:
                raise FetchError("module_unsafe_archive", f"{source.url}: {exc}") from exc
            files += 1
            total += int(size) if size.isdigit() else 0
            if files > max_files:
                raise FetchError(
                    "module_unsafe_archive", f"{source.url}: too_many_entries: over {max_files}"
                )
            if total > max_bytes:
                raise FetchError(
                    "module_too_large", f"{source.url}: the files exceed {max_bytes} bytes"
                )

    # --- running git ---------------------------------------------------------------------------

    def _pin(self, source: GitSource, deadline: Deadline) -> tuple[list[str], IPAddress]:
        port = source.port or (22 if source.scheme == "ssh" else 443)
        address = self.policy.resolve(source.host, port, deadline)[0]
        if source.scheme == "ssh":
            return [], address
        shown = f"[{address}]" if address.version == 6 else str(address)
        return ["-c", f"http.curloptResolve={source.host}:{port}:{shown}"], address

    def _run(
        self,
        args: Sequence[str],
        source: GitSource,
        deadline: Deadline,
        work: Path,
        *,
        cwd: Path | None,
        watch: tuple[Path, int] | None = None,
        missing: str = "module_fetch_failed",
    ) -> str:
        if source.scheme == "ssh" and not self.allow_ssh:
            raise FetchError(
                "module_source_refused",
                f"{source.url}: git over SSH is off (ENGINE_MODULE_GIT_SSH=false)",
            )
        network = args[0] in ("ls-remote", "fetch")
        config = [
            "-c", "protocol.allow=never",
            "-c", "protocol.https.allow=always",
            "-c", "http.followRedirects=false",
            "-c", "http.sslVerify=true",
            "-c", "core.hooksPath=/dev/null",
            "-c", "core.symlinks=false",
            "-c", "core.fsmonitor=false",
            "-c", "credential.helper=",
            "-c", "submodule.recurse=false",
            "-c", "fetch.recurseSubmodules=false",
            "-c", "transfer.fsckObjects=true",
            "-c", "advice.detachedHead=false",
        ]  # fmt: skip
        if self.ca_bundle:
            config += ["-c", f"http.sslCAInfo={self.ca_bundle}"]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(work),
            "XDG_CONFIG_HOME": str(work),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_PROTOCOL_FROM_USER": "0",
            "GIT_ALLOW_PROTOCOL": "https",
            "LC_ALL": "C",
        }
        command = list(args)
        if network:
            pin, address = self._pin(source, deadline)
            config += pin
            if source.scheme == "ssh":
                config += ["-c", "protocol.ssh.allow=always"]
                env["GIT_ALLOW_PROTOCOL"] = "https:ssh"
                env["HOME"] = os.environ.get("HOME", str(work))  # the operator's keys
                env["GIT_SSH_COMMAND"] = (
                    "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes "
                    f"-o HostKeyAlias={source.host} -o ConnectTimeout=10"
                )
                command = [
                    part.replace(f"@{source.host}", f"@{address}", 1)
                    if part == source.url
                    else part
                    for part in command
                ]
        timeout = deadline.timeout(cap=deadline.seconds)
        self.commands += 1
        process = subprocess.Popen(
            [self.binary, *config, *command],
            cwd=cwd or work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own group: a timeout kills git-remote-https too
        )
        try:
            stdout, stderr = _communicate(process, timeout, watch)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise FetchError(
                "module_fetch_timeout", f"git {args[0]} of {source.url} did not finish in time"
            ) from None
        except _TooLarge:
            _kill(process)
            raise FetchError(
                "module_too_large", f"{source.url}: the repository is larger than the limit"
            ) from None
        if process.returncode != 0:
            message = stderr.decode("utf-8", "replace").strip().splitlines()
            detail = message[-1] if message else f"exit status {process.returncode}"
            code = missing
            lowered = detail.lower()
            if "not found" in lowered or "couldn't find remote ref" in lowered:
                code = "module_not_found"
            raise FetchError(code, f"git {args[0]} of {source.url} failed: {detail[:300]}")
        return stdout.decode("utf-8", "replace")


class _TooLarge(Exception):
    pass


def _communicate(
    process: subprocess.Popen[bytes], timeout: float, watch: tuple[Path, int] | None
) -> tuple[bytes, bytes]:
    if watch is None:
        return process.communicate(timeout=timeout)
    directory, limit = watch
    until = time.monotonic() + timeout
    while True:
        try:
            return process.communicate(timeout=min(WATCH_SECONDS, max(until - time.monotonic(), 0)))
        except subprocess.TimeoutExpired:
            if time.monotonic() >= until:
                raise
            if _size(directory) > limit:
                raise _TooLarge from None


def _size(directory: Path) -> int:
    total = 0
    for root, _dirs, names in os.walk(directory):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        process.communicate(timeout=5)


def _check_written(tree: Path, *, max_files: int, max_bytes: int) -> None:
    """What the checkout really wrote: regular files and directories only, within limits."""
    files = 0
    total = 0
    for root, dirs, names in os.walk(tree):
        for name in [*dirs, *names]:
            mode = os.lstat(os.path.join(root, name)).st_mode
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise FetchError(
                    "module_unsafe_archive", f"special_entry: {name!r} in the checkout"
                )
        for name in names:
            files += 1
            total += os.lstat(os.path.join(root, name)).st_size
        if files > max_files or total > max_bytes:
            raise FetchError("module_too_large", "the checked-out module is over the limits")
