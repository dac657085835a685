"""tfquote.archives: every attack is refused with its code, by inspection where the
archive's directory shows it and always by extraction, which never leaves anything behind;
benign archives come out byte for byte."""

from __future__ import annotations

import ast
import errno
import os
import pickle
import random
import shutil
import stat
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.support.archive_attacks import ATTACKS, BENIGN, SMALL, TF, Attack, Benign, write_zip
from tfquote import archives
from tfquote.archives import (
    ERROR_CODES,
    ArchiveEntry,
    ArchiveError,
    ArchiveLimits,
    detect_format,
    extract_archive,
    has_terraform,
    inspect_archive,
)

pytestmark = pytest.mark.unit

# Where extraction may legitimately report a different (documented) code than inspection
# would for the same archive.  Empty: extraction runs the same checks in the same order.
EXTRACT_EQUIVALENTS: dict[str, frozenset[str]] = {}
# Builders producing megabytes, skipped as fuzzing seeds to keep the suite fast.
SLOW_BUILDERS = frozenset(
    {"zip_ratio_bomb", "tar_ratio_bomb", "tar_many_global_pax_headers", "tar_huge_pax_header"}
)


def snapshot(root: Path) -> dict[str, int]:
    """Every path under root (without following links) and its size (-1 for directories,
    whose reported size depends on the filesystem's history), to spot strays."""
    seen: dict[str, int] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            info = Path(dirpath, name).lstat()
            size = -1 if stat.S_ISDIR(info.st_mode) else info.st_size
            seen[str(Path(dirpath, name).relative_to(root))] = size
    return seen


def workspace(tmp_path: Path) -> tuple[Path, Path]:
    """(scratch dir holding the archive, empty dest three levels below tmp_path) - deep
    enough that the '../../' attacks would land inside tmp_path where we can see them."""
    scratch = tmp_path / "in"
    scratch.mkdir()
    dest = tmp_path / "jobs" / "job-1" / "ws"
    dest.mkdir(parents=True)
    return scratch, dest


# ------------------------------------------------------------------------ attacks


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.id)
def test_attack_detected_by_inspect(attack: Attack, tmp_path: Path) -> None:
    path, code = attack.build(tmp_path)
    assert code == attack.code and code in ERROR_CODES
    before = snapshot(tmp_path)
    if attack.inspect_sees:
        with pytest.raises(ArchiveError) as info:
            inspect_archive(path, attack.limits)
        assert info.value.code == code, str(info.value)
        assert info.value.message
    else:
        # Invisible without reading entry data (bad CRC, archive under a .tf name):
        # inspection passes it, extraction (next test) must catch it.
        assert inspect_archive(path, attack.limits)
    assert snapshot(tmp_path) == before, "inspection must not write anything"


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.id)
def test_attack_refused_by_extract_leaving_nothing(attack: Attack, tmp_path: Path) -> None:
    scratch, dest = workspace(tmp_path)
    path, code = attack.build(scratch)
    before = snapshot(tmp_path)
    with pytest.raises(ArchiveError) as info:
        extract_archive(path, dest, attack.limits)
    assert info.value.code in {code} | EXTRACT_EQUIVALENTS.get(code, frozenset()), str(info.value)
    assert list(dest.iterdir()) == [], "a failed extraction must leave dest empty"
    assert snapshot(tmp_path) == before, "nothing may be written outside dest"


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.id)
def test_detect_format_by_content(attack: Attack, tmp_path: Path) -> None:
    path, _ = attack.build(tmp_path)
    expected = None if attack.fmt == "other" else attack.fmt
    assert detect_format(path) == expected


def test_every_code_has_an_attack() -> None:
    # io_error is not a property of an archive; it has its own tests below.
    assert set(ERROR_CODES) - {attack.code for attack in ATTACKS} == {"io_error"}


# ------------------------------------------------------------------------ benign


@pytest.mark.parametrize("case", BENIGN, ids=lambda b: b.id)
def test_benign_inspect_lists_entries(case: Benign, tmp_path: Path) -> None:
    path, files = case.build(tmp_path)
    assert detect_format(path) == case.fmt
    entries = inspect_archive(path, case.limits)
    listed = {e.name: e for e in entries if not e.is_dir}
    assert set(listed) == set(files)
    for name, data in files.items():
        assert listed[name].size == len(data)
        assert (listed[name].compressed_size is None) == (case.fmt == "tar.gz")
    assert all(isinstance(e, ArchiveEntry) for e in entries)
    assert all(not e.name.startswith(("./", "/")) and not e.name.endswith("/") for e in entries)


@pytest.mark.parametrize("case", BENIGN, ids=lambda b: b.id)
def test_benign_extract_writes_exactly_the_files(case: Benign, tmp_path: Path) -> None:
    scratch, dest = workspace(tmp_path)
    path, files = case.build(scratch)
    before = snapshot(tmp_path)
    written = extract_archive(path, dest, case.limits)
    assert sorted(p.relative_to(dest).as_posix() for p in written) == sorted(files)
    on_disk = {p.relative_to(dest).as_posix(): p for p in dest.rglob("*") if not p.is_dir()}
    assert set(on_disk) == set(files)
    for name, data in files.items():
        assert on_disk[name].read_bytes() == data
        mode = on_disk[name].lstat().st_mode
        assert stat.S_ISREG(mode) and stat.S_IMODE(mode) == 0o644
    for directory in (p for p in dest.rglob("*") if p.is_dir()):
        assert stat.S_IMODE(directory.lstat().st_mode) == 0o755
        assert not directory.is_symlink()
    outside = {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("jobs/job-1/ws/")}
    assert outside == before


# ------------------------------------------------------------------------ API details


def test_limits_are_enforced_only_above_them(tmp_path: Path) -> None:
    files = [("main.tf", TF), ("pad.tf", os.urandom(SMALL.max_total_bytes - len(TF)))]
    path = write_zip(tmp_path / "a.zip", files)
    assert len(inspect_archive(path, SMALL)) == 2
    tighter = ArchiveLimits(max_entries=1, max_total_bytes=SMALL.max_total_bytes)
    with pytest.raises(ArchiveError, match="too_many_entries"):
        inspect_archive(path, tighter)
    smaller = ArchiveLimits(max_total_bytes=SMALL.max_total_bytes - 1)
    with pytest.raises(ArchiveError) as info:
        inspect_archive(path, smaller)
    assert info.value.code == "too_large"


def test_name_limits_are_configurable(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "a.zip", [("a/b/c/main.tf", TF)])
    assert inspect_archive(path, ArchiveLimits(max_depth=4))
    with pytest.raises(ArchiveError) as info:
        inspect_archive(path, ArchiveLimits(max_depth=3))
    assert info.value.code == "path_too_deep"
    with pytest.raises(ArchiveError) as info:
        inspect_archive(path, ArchiveLimits(max_name_bytes=6))
    assert info.value.code == "name_too_long" and info.value.entry == "a/b/c/main.tf"


def test_missing_archive_is_io_error(tmp_path: Path) -> None:
    for call in (inspect_archive, detect_format):
        with pytest.raises(ArchiveError) as info:
            call(tmp_path / "missing.zip")
        assert info.value.code == "io_error"


def test_unwritable_workspace_is_io_error_and_cleaned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_zip(tmp_path / "a.zip", [("a.tf", TF), ("sub/b.tf", TF)])
    dest = tmp_path / "dest"
    dest.mkdir()
    real = archives._create_file
    created: list[str] = []

    def disk_full_on_second_file(target: str, flags: int) -> int:
        if created:
            raise OSError(errno.ENOSPC, "No space left on device", target)
        created.append(target)
        return real(target, flags)

    monkeypatch.setattr(archives, "_create_file", disk_full_on_second_file)
    with pytest.raises(ArchiveError) as info:
        extract_archive(path, dest)
    assert info.value.code == "io_error" and info.value.entry == "sub/b.tf"
    assert created and list(dest.iterdir()) == []


def test_extract_requires_an_empty_existing_dest(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "a.zip", [("main.tf", TF)])
    with pytest.raises(ValueError, match="not an existing directory"):
        extract_archive(path, tmp_path / "nope")
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty"):
        extract_archive(path, dest)
    assert (dest / "keep.txt").read_text() == "mine"


def test_interrupted_extraction_removes_partial_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [("a.tf", TF), ("b.tf", TF), ("c.tf", TF)]
    path = write_zip(tmp_path / "a.zip", files)
    dest = tmp_path / "dest"
    dest.mkdir()
    calls = 0
    real = archives._Writer.write_file

    def flaky(self: archives._Writer, *args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt  # e.g. a worker's hard time limit
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(archives._Writer, "write_file", flaky)
    with pytest.raises(KeyboardInterrupt):
        extract_archive(path, dest)
    assert list(dest.iterdir()) == []


def test_real_bytes_are_counted_while_writing(tmp_path: Path) -> None:
    # Declared sizes pass (checked up front), but the writer counts what it really writes:
    # make the writer's budget smaller than the declared total to see it stop mid-way.
    files = [("main.tf", TF), ("b.tf", os.urandom(5000)), ("c.tf", os.urandom(5000))]
    path = write_zip(tmp_path / "a.zip", files)
    dest = tmp_path / "dest"
    dest.mkdir()
    writer = archives._Writer(dest, ArchiveLimits(max_total_bytes=6000), path.stat().st_size)
    with path.open("rb") as fp, pytest.raises(ArchiveError) as info:
        archives._scan(fp, ArchiveLimits(), writer)
    assert info.value.code == "too_large" and info.value.entry == "c.tf"


def test_archive_error_is_stable_and_picklable() -> None:
    err = ArchiveError("path_traversal", "name contains '..'", "../x.tf")
    clone = pickle.loads(pickle.dumps(err))
    assert (clone.code, clone.message, clone.entry) == (err.code, err.message, err.entry)
    assert str(clone) == "path_traversal: name contains '..' (entry '../x.tf')"
    assert str(ArchiveError("empty_archive", "nothing")) == "empty_archive: nothing"


def test_limits_validate() -> None:
    with pytest.raises(ValueError):
        ArchiveLimits(max_entries=0)
    with pytest.raises(ValueError):
        ArchiveLimits(max_ratio=-1)
    assert ArchiveLimits() == archives.DEFAULT_LIMITS


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["main.tf"], True),
        (["mod/x.tf.json"], True),
        (["plan.json"], True),
        (["README.md", "LICENSE"], False),
        (["terraform.tfvars"], False),
        (["prod.tfvars.json"], False),
        (["MAIN.TF"], False),  # Terraform's suffix match is case-sensitive
        (["__MACOSX/._main.tf", ".hidden.tf", "main.tf~", "#main.tf#"], False),
        (["main.tf/"], False),  # a directory
        ([], False),
    ],
)
def test_has_terraform(names: list[str], expected: bool) -> None:
    assert has_terraform(names) is expected


def test_terraform_suffixes() -> None:
    assert archives.TERRAFORM_SUFFIXES == (".tf", ".tf.json", ".tfvars", ".tfvars.json", ".json")


def test_docstring_documents_every_code() -> None:
    doc = archives.__doc__ or ""
    for code in ERROR_CODES:
        assert f"``{code}``" in doc, code


def test_module_is_stdlib_only() -> None:
    tree = ast.parse(Path(archives.__file__).read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert imported - {"__future__"} <= sys.stdlib_module_names
    assert ".extractall(" not in Path(archives.__file__).read_text()


def test_mutated_archives_only_ever_raise_archive_error(tmp_path: Path) -> None:
    """Bit flips, truncations and insertions on every benign and (cheap) hostile archive:
    whatever the parsers make of them, callers see success or ArchiveError, a refused
    extraction leaves nothing behind, and nothing lands outside the destination."""
    rng = random.Random(20240611)
    seeds: list[bytes] = []
    for i, builder in enumerate([b.build for b in BENIGN] + [a.build for a in ATTACKS]):
        if builder.__name__ in SLOW_BUILDERS:
            continue
        scratch = tmp_path / f"seed{i}"
        scratch.mkdir()
        seeds.append(builder(scratch)[0].read_bytes())
    (tmp_path / "fuzz").mkdir()
    scratch, dest = workspace(tmp_path / "fuzz")
    sample = scratch / "sample.bin"
    before = snapshot(tmp_path / "fuzz")
    outcomes: Counter[str] = Counter()
    for _ in range(400):
        data = bytearray(rng.choice(seeds) or b"x")
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(data))
            roll = rng.random()
            if roll < 0.6:
                data[pos] = rng.randrange(256)
            elif roll < 0.8:
                del data[pos:]
                data = data or bytearray(b"x")
            else:
                data[pos:pos] = rng.randbytes(rng.randint(1, 16))
        sample.write_bytes(bytes(data))
        detect_format(sample)
        try:
            inspect_archive(sample)
        except ArchiveError as exc:
            assert exc.code in ERROR_CODES
        try:
            extract_archive(sample, dest)
            outcomes["accepted"] += 1
        except ArchiveError as exc:
            assert exc.code in ERROR_CODES
            assert list(dest.iterdir()) == []
            outcomes[exc.code] += 1
        for child in dest.iterdir():  # accepted: empty dest for the next sample
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
        assert snapshot(tmp_path / "fuzz") == before | {"in/sample.bin": len(data)}
    assert outcomes["corrupt_archive"] > 0 and len(outcomes) > 5
