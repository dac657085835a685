"""Module source addresses: what a ``source`` string (or a registry's download location) names.

Terraform reads a non-local module source in this order (``addrs.ParseModuleSource``):

1. a **registry address** ``[host/]namespace/name/provider[//subdir]`` when it parses as one
   (``github.com`` and ``bitbucket.org`` are never registry hosts);
2. otherwise a **go-getter address**: a forced getter (``git::https://…``, ``git::ssh://…``),
   the GitHub and Bitbucket shorthands (``github.com/org/repo//sub?ref=v1``), the SCP-like
   ``git@github.com:org/repo.git``, or an HTTPS URL of an archive (``.zip``, ``.tar.gz``,
   ``.tgz``, or ``?archive=zip|tar.gz``), each with an optional ``//subdir`` (``*`` globs
   allowed, as go-getter's) and, for git, ``?ref=`` and ``?depth=``.

Everything else a go-getter address could name (``hg::``, ``s3::``, ``gcs::``, plain HTTP,
file paths) is refused with the reason; so is anything carrying credentials in its URL (the
engine takes credentials from its configuration only, never from an upload) and any string
with characters no module address uses (shell metacharacters, whitespace, control
characters): nothing here ever reaches a shell, but such a string is not a module source
and is said to be one that is refused, not tried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from engine.fetch.errors import FetchError

DEFAULT_REGISTRY = "registry.terraform.io"
VCS_HOSTS = frozenset({"github.com", "bitbucket.org"})

_NAME = re.compile(r"[0-9A-Za-z](?:[0-9A-Za-z_-]{0,62}[0-9A-Za-z])?")
_PROVIDER = re.compile(r"[0-9a-z]{1,64}")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
#: Characters module addresses are made of (RFC 3986 URL characters without the ones a
#: shell or a command line would treat specially).
_ALLOWED = re.compile(r"[A-Za-z0-9._~:/?#\[\]@=&%+*,-]+")
_REF = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/+-]{0,254}")
_SCP = re.compile(r"(?P<user>[A-Za-z0-9._-]+)@(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/].*)")
MAX_SOURCE_LENGTH = 1024
MAX_DEPTH = 1000


class SourceError(FetchError):
    """A module source the engine will not fetch (code ``module_source_refused``)."""


@dataclass(frozen=True)
class RegistrySource:
    host: str  # normalised: lower case, punycode, ":port" kept
    namespace: str
    name: str
    provider: str
    subdir: str = ""

    @property
    def package(self) -> str:
        return f"{self.host}/{self.namespace}/{self.name}/{self.provider}"

    @property
    def path(self) -> str:
        """The module's path under the registry's ``modules.v1`` base URL."""
        return f"{self.namespace}/{self.name}/{self.provider}"


@dataclass(frozen=True)
class GitSource:
    url: str  # https://host/path or ssh://user@host/path, no query
    scheme: Literal["https", "ssh"]
    host: str  # hostname, lower case
    port: int | None
    ref: str | None = None
    depth: int | None = None
    subdir: str = ""

    @property
    def package(self) -> str:
        ref = f"?ref={self.ref}" if self.ref else ""
        return f"git::{self.url}{ref}"


@dataclass(frozen=True)
class ArchiveSource:
    url: str  # https URL, without the ``archive`` argument
    host: str
    port: int | None
    archive: Literal["zip", "tar.gz"]
    subdir: str = ""

    @property
    def package(self) -> str:
        return display_url(self.url)


RemoteSource = RegistrySource | GitSource | ArchiveSource
Download = GitSource | ArchiveSource


def display_url(url: str) -> str:
    """A URL as shown in results and logs: no credentials, no query (signed download URLs
    carry their signature there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


def normalise_host(text: str) -> str | None:
    """A host name (with an optional port) as Terraform compares them: lower case,
    internationalised names in punycode; None when it is not a host name."""
    host, _, port = text.partition(":")
    if port and (not port.isdigit() or not 0 < int(port) < 65536):
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except (UnicodeError, ValueError):
        return None
    labels = ascii_host.split(".")
    if not ascii_host or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return f"{ascii_host}:{int(port)}" if port else ascii_host


def split_subdir(source: str) -> tuple[str, str]:
    """go-getter's ``SourceDirSubdir``: ``x//sub?q`` -> (``x?q``, ``sub``)."""
    stop = source.find("?")
    stop = len(source) if stop < 0 else stop
    scheme = source.find("://", 0, stop)
    offset = scheme + 3 if scheme >= 0 else 0
    index = source.find("//", offset, stop)
    if index < 0:
        return source, ""
    subdir = source[index + 2 :]
    source = source[:index]
    query = subdir.find("?")
    if query >= 0:
        source += subdir[query:]
        subdir = subdir[:query]
    return source, subdir


def _check_subdir(subdir: str, source: str) -> str:
    parts = [part for part in subdir.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise SourceError(
            "module_source_refused",
            f"module source {source!r}: the subdirectory leads outside of the module package",
        )
    return "/".join(parts)


def check_characters(source: str) -> None:
    if len(source) > MAX_SOURCE_LENGTH:
        raise SourceError(
            "module_source_refused", f"module source is longer than {MAX_SOURCE_LENGTH} characters"
        )
    if not _ALLOWED.fullmatch(source):
        bad = sorted({char for char in source if not _ALLOWED.fullmatch(char)})
        shown = "".join(bad).encode("unicode_escape").decode("ascii")
        raise SourceError(
            "module_source_refused",
            f"module source {source!r} contains characters no module address uses ({shown})",
        )


def parse_source(source: str) -> RemoteSource:
    """The remote module a (non-local) ``source`` names, or :class:`SourceError`."""
    check_characters(source)
    registry = parse_registry(source)
    if registry is not None:
        return registry
    return parse_getter(source, what="module source")


def parse_registry(source: str) -> RegistrySource | None:
    """A registry address, or None when ``source`` is not one (Terraform then reads it as a
    go-getter address)."""
    package, subdir = split_subdir(source)
    parts = package.split("/")
    if len(parts) not in (3, 4) or "?" in package or ":" in package.split("/", 1)[-1]:
        return None
    host = DEFAULT_REGISTRY
    if len(parts) == 4:
        normalised = normalise_host(parts[0])
        if normalised is None or normalised.split(":")[0] in VCS_HOSTS:
            return None
        host = normalised
        parts = parts[1:]
    namespace, name, provider = parts
    if not (_NAME.fullmatch(namespace) and _NAME.fullmatch(name) and _PROVIDER.fullmatch(provider)):
        return None
    return RegistrySource(host, namespace, name, provider, _check_subdir(subdir, source))


def parse_getter(source: str, *, what: str = "module source") -> Download:
    """A go-getter address (a module source that is not a registry address, or a registry's
    download location)."""
    check_characters(source)
    address, subdir = split_subdir(source)
    subdir = _check_subdir(subdir, source)
    forced = None
    match = re.match(r"([a-z0-9]+)::(.*)", address, re.DOTALL)
    if match:
        forced, address = match.group(1), match.group(2)
    lowered = address.lower()
    if forced is None and lowered.startswith(("github.com/", "bitbucket.org/")):
        return _shorthand(address, subdir, source)
    scp = _SCP.fullmatch(address)
    if scp and "://" not in address:
        # git@github.com:org/repo.git is ssh, whatever the getter says.
        if forced not in (None, "git"):
            raise SourceError("module_source_refused", f"{what} {source!r}: unsupported getter")
        path = scp["path"]
        address = f"ssh://{scp['user']}@{scp['host']}/{path}"
        forced = "git"
    parts = urlsplit(address)
    scheme = parts.scheme.lower()
    if forced is not None and forced != "git":
        raise SourceError(
            "module_source_refused",
            f"{what} {source!r}: the {forced!r} getter is not supported (registry, git over "
            "HTTPS or SSH, and HTTPS archives are)",
        )
    if forced == "git" and scheme not in ("https", "ssh"):
        raise SourceError(
            "module_source_refused",
            f"{what} {source!r}: git is fetched over HTTPS or SSH only, not {scheme or 'a path'!r}",
        )
    if not scheme or not parts.netloc:
        raise SourceError(
            "module_source_refused", f"{what} {source!r} is not a module source address"
        )
    # ssh://git@host names a user, not a credential; anything else with a user or a
    # password in the URL is a credential the upload brings.
    ssh_user = forced == "git" and scheme == "ssh" and parts.password is None
    if (parts.username is not None or parts.password is not None) and not ssh_user:
        raise SourceError(
            "module_source_refused",
            f"{what} {display_url(address)!r} carries credentials in its URL; the engine "
            "uses only the credentials of its own configuration",
        )
    host = normalise_host(parts.hostname or "")
    if host is None:
        raise SourceError("module_source_refused", f"{what} {source!r} has an invalid host name")
    try:
        port = parts.port
    except ValueError:
        raise SourceError(
            "module_source_refused", f"{what} {source!r} has an invalid port"
        ) from None
    query = parse_qsl(parts.query, keep_blank_values=True)
    if forced == "git":
        return _git(address, scheme, host, port, query, subdir, source, what)
    if scheme != "https":
        raise SourceError(
            "module_source_refused",
            f"{what} {source!r}: only HTTPS is used to download modules, not {scheme!r}",
        )
    return _archive(parts.geturl(), host, port, query, subdir, source, what)


def _shorthand(address: str, subdir: str, source: str) -> GitSource:
    """go-getter's GitHub / Bitbucket detectors: ``github.com/org/repo/sub?ref=x``."""
    path, _, query_text = address.partition("?")
    segments = path.split("/")
    if len(segments) < 3 or not all(segments[:3]):
        raise SourceError(
            "module_source_refused",
            f"module source {source!r}: GitHub and Bitbucket sources are host/owner/repository",
        )
    host = segments[0].lower()
    repo = "/".join(segments[1:3])
    if not repo.endswith(".git"):
        repo += ".git"
    if len(segments) > 3:
        extra = "/".join(segments[3:])
        subdir = _check_subdir(f"{extra}/{subdir}" if subdir else extra, source)
    query = parse_qsl(query_text, keep_blank_values=True)
    return _git(
        f"https://{host}/{repo}", "https", host, None, query, subdir, source, "module source"
    )


def _git(
    address: str,
    scheme: str,
    host: str,
    port: int | None,
    query: list[tuple[str, str]],
    subdir: str,
    source: str,
    what: str,
) -> GitSource:
    ref: str | None = None
    depth: int | None = None
    for key, value in query:
        if key == "ref":
            if not _REF.fullmatch(value) or ".." in value or value.endswith((".lock", "/")):
                raise SourceError(
                    "module_source_refused", f"{what} {source!r}: {value!r} is not a git ref"
                )
            ref = value
        elif key == "depth":
            if not value.isdigit() or not 0 < int(value) <= MAX_DEPTH:
                raise SourceError(
                    "module_source_refused",
                    f"{what} {source!r}: depth must be a number from 1 to {MAX_DEPTH}",
                )
            depth = int(value)
        else:
            raise SourceError(
                "module_source_refused",
                f"{what} {source!r}: the git argument {key!r} is not supported (ref, depth are)",
            )
    base = urlsplit(address)._replace(query="", fragment="").geturl()
    kind: Literal["https", "ssh"] = "ssh" if scheme == "ssh" else "https"
    return GitSource(base, kind, host.split(":")[0], port, ref, depth, subdir)


def _archive(
    address: str,
    host: str,
    port: int | None,
    query: list[tuple[str, str]],
    subdir: str,
    source: str,
    what: str,
) -> ArchiveSource:
    archive: str | None = None
    kept: list[tuple[str, str]] = []
    for key, value in query:
        if key == "archive":
            archive = value.lower()
        else:
            kept.append((key, value))
    path = urlsplit(address).path.lower()
    if archive is None:
        if path.endswith((".tar.gz", ".tgz")):
            archive = "tar.gz"
        elif path.endswith(".zip"):
            archive = "zip"
    if archive in ("tgz", "tar.gz"):
        kind: Literal["zip", "tar.gz"] = "tar.gz"
    elif archive == "zip":
        kind = "zip"
    else:
        raise SourceError(
            "module_source_refused",
            f"{what} {display_url(address)!r} is not a .zip, .tar.gz or .tgz archive "
            "(or ?archive=zip / tar.gz)",
        )
    url = urlsplit(address)._replace(query=urlencode(kept), fragment="").geturl()
    return ArchiveSource(url, host.split(":")[0], port, kind, subdir)


def resolve_location(location: str, download_url: str) -> str:
    """A registry's download location made absolute: relative paths (``/x``, ``./x``,
    ``../x``) are relative to the download endpoint's URL, as Terraform resolves them."""
    if location.startswith(("/", "./", "../")):
        return urljoin(download_url, location)
    return location
