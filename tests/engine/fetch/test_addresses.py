"""Module source addresses read as Terraform reads them: registry addresses first, then
go-getter addresses (forced git, GitHub / Bitbucket shorthands, SCP-like ssh, HTTPS
archives), with //subdir, ?ref= and ?depth=; everything else refused with the reason."""

from __future__ import annotations

import pytest

from engine.fetch.addresses import (
    ArchiveSource,
    GitSource,
    RegistrySource,
    SourceError,
    parse_getter,
    parse_source,
    resolve_location,
    split_subdir,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("terraform-aws-modules/vpc/aws",
         RegistrySource("registry.terraform.io", "terraform-aws-modules", "vpc", "aws")),
        ("terraform-aws-modules/vpc/aws//modules/vpc-endpoints",
         RegistrySource("registry.terraform.io", "terraform-aws-modules", "vpc", "aws",
                        "modules/vpc-endpoints")),
        ("app.terraform.io/acme/network/aws",
         RegistrySource("app.terraform.io", "acme", "network", "aws")),
        ("Registry.Example.COM:8443/acme/network/aws",
         RegistrySource("registry.example.com:8443", "acme", "network", "aws")),
    ],
)  # fmt: skip
def test_registry_addresses(source: str, expected: RegistrySource) -> None:
    assert parse_source(source) == expected


@pytest.mark.parametrize(
    ("source", "url", "ref", "subdir", "depth"),
    [
        ("github.com/hashicorp/example", "https://github.com/hashicorp/example.git", None, "", None),
        ("github.com/hashicorp/example//modules/x?ref=v1.2.0",
         "https://github.com/hashicorp/example.git", "v1.2.0", "modules/x", None),
        ("github.com/hashicorp/example/modules/x?ref=main",
         "https://github.com/hashicorp/example.git", "main", "modules/x", None),
        ("bitbucket.org/acme/infra?ref=release/2", "https://bitbucket.org/acme/infra.git",
         "release/2", "", None),
        ("git::https://gitlab.com/acme/infra.git//net?ref=0123456789abcdef0123456789abcdef01234567&depth=5",
         "https://gitlab.com/acme/infra.git", "0123456789abcdef0123456789abcdef01234567", "net", 5),
    ],
)  # fmt: skip
def test_git_addresses(
    source: str, url: str, ref: str | None, subdir: str, depth: int | None
) -> None:
    parsed = parse_source(source)
    assert isinstance(parsed, GitSource)
    assert (parsed.url, parsed.scheme, parsed.ref, parsed.subdir, parsed.depth) == (
        url, "https", ref, subdir, depth,
    )  # fmt: skip


def test_ssh_addresses_are_git_over_ssh() -> None:
    for source in (
        "git::ssh://git@github.com/acme/infra.git?ref=v1",
        "git@github.com:acme/infra.git",
    ):
        parsed = parse_source(source)
        assert isinstance(parsed, GitSource)
        assert parsed.scheme == "ssh" and parsed.host == "github.com"


def test_archive_addresses() -> None:
    parsed = parse_source("https://example.com/modules/vpc-1.0.tgz//sub")
    assert parsed == ArchiveSource("https://example.com/modules/vpc-1.0.tgz", "example.com", None,
                                   "tar.gz", "sub")  # fmt: skip
    forced = parse_source("https://example.com/download?archive=zip&token=x")
    assert isinstance(forced, ArchiveSource) and forced.archive == "zip"
    assert forced.url == "https://example.com/download?token=x"


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("git::https://github.com/a/b?ref=$(touch /tmp/x)", "characters no module address uses"),
        ("github.com/a/b;rm -rf /", "characters no module address uses"),
        ("git::https://github.com/a/b?ref=`id`", "characters no module address uses"),
        ("terraform-aws-modules/vpc/aws\nx", "characters no module address uses"),
        ("git::https://github.com/a/b?ref=--upload-pack=x", "is not a git ref"),
        ("git::https://github.com/a/b?ref=a..b", "is not a git ref"),
        ("git::https://github.com/a/b?sshkey=abc", "not supported"),
        ("git::http://github.com/a/b", "HTTPS or SSH only"),
        ("git::file:///etc", "HTTPS or SSH only"),
        ("http://example.com/m.zip", "only HTTPS"),
        ("https://user:secret@example.com/m.zip", "carries credentials"),
        ("git::https://token@github.com/a/b", "carries credentials"),
        ("hg::https://example.com/repo", "'hg' getter is not supported"),
        ("s3::https://s3.amazonaws.com/bucket/m.zip", "'s3' getter is not supported"),
        ("https://example.com/page", "is not a .zip, .tar.gz or .tgz archive"),
        ("terraform-aws-modules/vpc/aws//../../etc", "leads outside of the module package"),
        ("github.com/onlyowner", "host/owner/repository"),
        ("/abs/path", "is not a module source address"),
        ("git::https://github.com/a/b?depth=0", "depth must be"),
    ],
)
def test_refused_sources_say_why(source: str, words: str) -> None:
    with pytest.raises(SourceError) as raised:
        parse_source(source)
    assert raised.value.code == "module_source_refused"
    assert words in raised.value.message


def test_subdirectories_and_relative_locations() -> None:
    assert split_subdir("git::https://h/r.git//sub/dir?ref=v1") == (
        "git::https://h/r.git?ref=v1",
        "sub/dir",
    )
    assert split_subdir("https://h/a.tgz") == ("https://h/a.tgz", "")
    download = "https://registry.example/v1/modules/a/b/c/1.0.0/download"
    assert (
        resolve_location("/archives/x.tgz", download) == "https://registry.example/archives/x.tgz"
    )
    assert (
        resolve_location("./x.tgz", download)
        == "https://registry.example/v1/modules/a/b/c/1.0.0/x.tgz"
    )
    assert resolve_location("git::https://h/r.git", download) == "git::https://h/r.git"
    parsed = parse_getter("https://h/a.tar.gz//*")
    assert isinstance(parsed, ArchiveSource) and parsed.subdir == "*"
