"""Version constraints resolved as Terraform resolves a registry module's version
(hashicorp/go-version operators, pre-releases only when named exactly), checked against every
registry source + constraint of the shared examples and the tag MANIFEST.txt says satisfies it."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.fetch.versions import Constraints, Version, VersionError, describe, newest_allowed
from tests.support.module_servers import manifest_rows

pytestmark = pytest.mark.unit

PUBLISHED = ["5.21.0", "6.0.0", "6.0.1", "6.6.0", "6.7.0-beta1", "7.0.0-rc.1", "4.17.2"]


def pick(constraint: str | None, versions: list[str] = PUBLISHED) -> str | None:
    found = newest_allowed(versions, Constraints.parse(constraint) if constraint else None)
    return None if found is None else found.original


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        (None, "6.6.0"),  # the newest release, never a pre-release
        ("~> 6.0", "6.6.0"),
        ("~> 5.0", "5.21.0"),
        ("~> 6.0.0", "6.0.1"),  # ~> X.Y.Z: >= X.Y.Z, < X.Y+1
        ("~> 4.0", "4.17.2"),
        ("6.0.0", "6.0.0"),
        ("= 6.0.0", "6.0.0"),
        ("!= 6.6.0", "6.0.1"),
        ("> 6.0.0, < 6.6.0", "6.0.1"),
        (">= 5.0, <= 6.0.0", "6.0.0"),
        ("< 5.0", "4.17.2"),
        (">= 3.15", "6.6.0"),
        ("~> 1", "6.6.0"),  # go-version: "~> 1" has no upper bound
        ("6.7.0-beta1", "6.7.0-beta1"),  # a pre-release asked for exactly
        ("= 7.0.0-rc.1", "7.0.0-rc.1"),
        (">= 6.7.0-beta1", None),  # ...and only then
        ("~> 6.7.0-beta1", None),
        ("~> 8.0", None),
        ("> 6.6.0, < 7.0.0", None),
    ],
)
def test_constraints_pick_what_terraform_picks(
    constraint: str | None, expected: str | None
) -> None:
    assert pick(constraint) == expected


def test_every_registry_constraint_of_the_examples_resolves_to_the_manifest_tag(
    corpus: Path,
) -> None:
    rows = manifest_rows(corpus / "MANIFEST.txt")
    assert len(rows) >= 20
    published: dict[str, list[str]] = {}
    for row in rows:
        published.setdefault(row.module, []).append(row.version)
    for row in rows:
        constraint = None if row.constraint.startswith("(no") else row.constraint
        assert pick(constraint, published[row.module]) == row.version, row


def test_versions_compare_as_go_version_does() -> None:
    assert Version.parse("1.2") == Version.parse("1.2.0") == Version.parse("v1.2.0+build.5")
    assert hash(Version.parse("1.2")) == hash(Version.parse("1.2.0.0"))
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",
               "1.0.0", "1.0.1", "1.10.0"]  # fmt: skip
    assert sorted(ordered, key=Version.parse) == ordered


@pytest.mark.parametrize("text", ["", "latest", "~>", ">= 1.0 <2", "1.0.0,", "=> 1.0", "x" * 600])
def test_malformed_constraints_are_refused(text: str) -> None:
    with pytest.raises(VersionError):
        Constraints.parse(text)


def test_unparseable_published_versions_are_skipped() -> None:
    assert pick(None, ["banana", "1.0.0", "v2"]) == "v2"
    assert describe(["1.0.0", "nope", "2.0.0"]) == "2.0.0, 1.0.0"
