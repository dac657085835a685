"""Terraform's filesystem functions over an upload's files (results checked against
Terraform 1.11.4 on the same files): paths resolve against the root module's folder, a path
that leaves the upload is never read from the host."""

from __future__ import annotations

import base64
from collections.abc import Mapping

import pytest

from engine.terraform import values as v
from engine.terraform.evaluator import EvalError
from engine.terraform.functions import Function, pure_functions
from engine.terraform.functions.filesystem import MappingFiles, bind
from tests.engine.terraform.fnhelpers import ev

pytestmark = pytest.mark.unit

FILES = {
    "root/a.txt": b"A",
    "root/dir/b.txt": b"B",
    "root/dir/sub/c.json": b"{}",
    "root/.hidden": b"h",
    "root/bin.dat": b"\xff\xfe",
    "root/t.tftpl": b"${x}-${upper(y)}",
    "root/t2.tftpl": b'%{ for k, v in m }${k}=${v};%{ endfor }${file("a.txt")}',
    "root/t3.tftpl": b"${nope}",
    "root/t4.tftpl": b'${templatefile("t.tftpl", {x = 1, y = "a"})}',
    "root/n.tftpl": b"${n}",
    "root/bad.tftpl": b"${",
    "secret.txt": b"outside the root module, inside the upload",
}


def functions(files: Mapping[str, bytes] = FILES, cwd: str = "root") -> dict[str, Function]:
    table = dict(pure_functions())
    table.update(bind(MappingFiles(files), cwd, pure_functions()))
    return table


def run(expr: str) -> v.Value:
    return ev(expr, functions=functions())


def error(expr: str) -> EvalError:
    with pytest.raises(EvalError) as caught:
        run(expr)
    return caught.value


def test_file_reads_relative_to_the_root_module() -> None:
    assert run('file("a.txt")').v == "A"
    assert run('file("./dir/../a.txt")').v == "A"
    assert run('file("../secret.txt")').v.startswith("outside")
    assert run('filebase64("bin.dat")').v == "//4="


def test_file_errors_match_terraform() -> None:
    missing = error('file("nope.txt")')
    assert missing.summary == "Invalid function argument"
    assert 'no file exists at "nope.txt"; this function works only' in missing.detail
    assert "is a directory" in error('file("dir")').detail
    assert "are not valid UTF-8" in error('file("bin.dat")').detail


def test_paths_outside_the_upload_are_never_read() -> None:
    for expr in ('file("/etc/hostname")', 'file("../../etc/passwd")', 'file("~/x")'):
        assert "no file exists at" in error(expr).detail


def test_fileexists() -> None:
    assert run('fileexists("dir/b.txt")').v is True
    assert run('fileexists("nope")').v is False
    assert (
        error('fileexists("dir")').detail.rstrip(".").endswith('"dir" is a directory, not a file')
    )
    assert not run('fileexists("/etc/passwd")').is_known


def test_fileset_globs_like_doublestar() -> None:
    def names(expr: str) -> list[str]:
        return [item.v for item in run(expr).v]

    assert names('fileset(".", "*.txt")') == ["a.txt"]
    assert names('fileset("dir", "**/*")') == ["b.txt", "sub/c.json"]
    assert names('fileset(".", "**/*.txt")') == ["a.txt", "dir/b.txt"]
    assert names('fileset(".", "?.txt")') == ["a.txt"]
    assert names('fileset(".", "[a-b].txt")') == ["a.txt"]
    assert names('fileset(".", "*.{txt,dat}")') == ["a.txt", "bin.dat"]
    assert names('fileset("nope", "*")') == []
    assert ".hidden" in names('fileset(".", "*")')
    assert run('fileset(".", "*")').type == v.SetType(v.STRING)
    assert "syntax error in pattern" in error('fileset(".", "[")').detail
    assert not run('fileset("/", "*")').is_known


def test_file_hashes() -> None:
    assert run('filesha256("a.txt")').v == (
        "559aead08264d5795d3909718cdd05abd49572e84fe55590eef31a88a08fdffd"
    )
    assert run('filemd5("a.txt")').v == "7fc56270e7a70fa81a5935b72eacbe29"
    assert (
        run('filebase64sha256("a.txt")').v
        == base64.b64encode(
            bytes.fromhex("559aead08264d5795d3909718cdd05abd49572e84fe55590eef31a88a08fdffd")
        ).decode()
    )
    assert (
        error('filemd5("nope")').detail.rstrip(".").endswith("open nope: no such file or directory")
    )


def test_templatefile() -> None:
    assert run('templatefile("t.tftpl", {x = 1, y = "b"})').v == "1-B"
    assert run('templatefile("t2.tftpl", {m = {a = 1, b = 2}})').v == "a=1;b=2;A"
    number = run('templatefile("n.tftpl", {n = 5})')
    assert number.type is v.NUMBER  # a template that is only "${n}" keeps n's type
    missing = error('templatefile("t3.tftpl", {})')
    assert missing.summary == "Invalid function argument"
    assert 'vars map does not contain key "nope", referenced at t3.tftpl:1,3-7' in missing.detail
    recursive = error('templatefile("t4.tftpl", {})')
    assert recursive.summary == "Error in function call"
    assert "cannot recursively call templatefile" in recursive.detail
    assert "must be a map" in error('templatefile("t.tftpl", [1])').detail
    assert error('templatefile("bad.tftpl", {})').summary == "Error in function call"
    names = 'templatefile("t.tftpl", {x = 1, y = "a", "bad key" = 1})'
    assert 'invalid template variable name "bad key"' in error(names).detail


def test_templatefile_with_unknown_variables() -> None:
    table = functions()
    result = ev('templatefile("t.tftpl", {x = u, y = "a"})', {"u": v.unknown("u")}, table)
    assert not result.is_known


def test_host_dependent_paths_are_unknown() -> None:
    assert not run('abspath("x")').is_known
    assert run('abspath("/a/../b")').v == "/b"
    assert not run('pathexpand("~/x")').is_known
    assert run('pathexpand("x/y")').v == "x/y"


def test_upload_root_as_working_directory() -> None:
    table = functions(cwd="")
    assert ev('file("secret.txt")', functions=table).v.startswith("outside")
    assert ev('file("root/a.txt")', functions=table).v == "A"


def test_large_files_are_refused() -> None:
    table = functions({"big.txt": b"x" * (5 * 1024 * 1024)}, cwd="")
    with pytest.raises(EvalError) as caught:
        ev('file("big.txt")', functions=table)
    assert "larger than" in caught.value.detail
