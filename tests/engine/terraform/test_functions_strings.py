"""Terraform's chomp endswith format formatlist indent join lower regex regexall replace split startswith strcontains strrev substr templatestring title trim trimprefix trimsuffix trimspace upper basename dirname: results recorded from Terraform 1.11.4 (values and types,
or the error summary and message), plus the edge cases the recordings cannot show."""

from __future__ import annotations

import pytest

from tests.engine.terraform.fnhelpers import check_error, check_value

pytestmark = pytest.mark.unit

# (expression, value, type) as Terraform 1.11.4 evaluated them
VALUES = [
    ('basename("")', ".", "string"),
    ('basename(".")', ".", "string"),
    ('basename("/")', "/", "string"),
    ('basename("//a//b//")', "b", "string"),
    ('basename("a//")', "a", "string"),
    ('basename("foo/bar/")', "bar", "string"),
    ('basename("foo/bar/baz.txt")', "baz.txt", "string"),
    ('chomp("\\n")', "", "string"),
    ('chomp("a\\r\\r\\n\\r")', "a", "string"),
    ('chomp("hello\\n ")', "hello\n ", "string"),
    ('chomp("hello\\n")', "hello", "string"),
    ('chomp("hello\\r\\n\\n")', "hello", "string"),
    ('dirname("")', ".", "string"),
    ('dirname("./a")', ".", "string"),
    ('dirname("/")', "/", "string"),
    ('dirname("//a")', "/", "string"),
    ('dirname("/a/../b/")', "/b", "string"),
    ('dirname("a")', ".", "string"),
    ('dirname("a//b")', "a", "string"),
    ('dirname("baz.txt")', ".", "string"),
    ('dirname("foo/bar/")', "foo/bar", "string"),
    ('dirname("foo/bar/baz.txt")', "foo/bar", "string"),
    ('endswith("abc", "bc")', True, "bool"),
    ('endswith("hello world", "world")', True, "bool"),
    ('endswith("hello", "")', True, "bool"),
    ('format("% d|% d", 5, -5)', " 5|-5", "string"),
    ('format("%#o|%#x|%#X|%#b", 0, 0, 10, 0)', "00|0x0|0XA|0b0", "string"),
    ('format("%#v", "quoted")', '"quoted"', "string"),
    ('format("%#v", 1.5)', "1.5", "string"),
    ('format("%#v", true)', "true", "string"),
    ('format("%#v", {a = [1, 2]})', '{"a":[1,2]}', "string"),
    ('format("%+ d", 5)', "+5", "string"),
    ('format("%-08d|", 5)', "5       |", "string"),
    ('format("%.0f", -0.5)', "-0", "string"),
    ('format("%.10g", 1/3)', "0.3333333333", "string"),
    ('format("%.1f", 0.05)', "0.1", "string"),
    ('format("%.2f", 2.675)', "2.67", "string"),
    ('format("%.2f", 3.14159)', "3.14", "string"),
    ('format("%.2v", "abc")', "abc", "string"),
    ('format("%.30f", 0.1)', "0.100000000000000000000000000000", "string"),
    ('format("%.3g", 1234567)', "1.23e+06", "string"),
    ('format("%.3s", "abcdef")', "abc", "string"),
    ('format("%.3x", 5)', "005", "string"),
    ('format("%08.3d", 5)', "     005", "string"),
    ('format("%10.3s|", "ééééé")', "       ééé|", "string"),
    ('format("%10s|%-10s|", "right", "left")', "     right|left      |", "string"),
    ('format("%5.1f|%-5d|%05d", 3.14159, 42, 7)', "  3.1|42   |00007", "string"),
    ('format("%5.2f|%-8.3e|%+.1f", 3.14159, 1234.5, -2)', " 3.14|1.234e+03|-2.0", "string"),
    ('format("%5t|", true)', "true|", "string"),
    ('format("%5v|%-5v|%05v", 1, 2, -3)', "    1|2    |000-3", "string"),
    ('format("%E", 123)', "1.230000E+02", "string"),
    ('format("%G", 1e-5)', "1E-05", "string"),
    ('format("%X", 3735928559)', "DEADBEEF", "string"),
    ('format("%[1]s%[1]s", "x")', "xx", "string"),
    ('format("%[2]d then %d", 1, 2, 3)', "2 then 3", "string"),
    ('format("%[2]s %[1]s %[2]s", "a", "b")', "b a b", "string"),
    ('format("%[2]s", "a", "b")', "b", "string"),
    ('format("%b", 1.0)', "1", "string"),
    ('format("%d items", 3)', "3 items", "string"),
    ('format("%d", "42")', "42", "string"),
    ('format("%e", 123456.789)', "1.234568e+05", "string"),
    ('format("%e", 1e-300)', "1.000000e-300", "string"),
    ('format("%f", 1/3)', "0.333333", "string"),
    ('format("%g", 0.000012345)', "1.2345e-05", "string"),
    ('format("%g", 100000)', "100000", "string"),
    ('format("%g", 1000000)', "1e+06", "string"),
    ('format("%o %b", -8, -5)', "-10 -101", "string"),
    ('format("%q", "<tag>&\\u2028")', '"\\u003ctag\\u003e\\u0026\\u2028"', "string"),
    ('format("%q", "say \\"hi\\"")', '"say \\"hi\\""', "string"),
    (
        'format("%s", 1 / 3)',
        "0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335",
        "string",
    ),
    ('format("%s", true)', "true", "string"),
    ('format("%s-%s-%s", "app", "prod", 3)', "app-prod-3", "string"),
    ('format("%t", true)', "true", "string"),
    ('format("%v %v %v", "s", 1, true)', "s 1 true", "string"),
    ('format("%v", 123456.7)', "123456.7", "string"),
    ('format("%v", 1e100)', "1e+100", "string"),
    ('format("%v", [1, "a"])', '[1,"a"]', "string"),
    ('format("%v", toset(["b","a"]))', '["a","b"]', "string"),
    ('format("%v", true)', "true", "string"),
    ('format("%v", {"<" = ">"})', '{"\\u003c":"\\u003e"}', "string"),
    ('format("%v", {b = 1, a = "x"})', '{"a":"x","b":1}', "string"),
    ('format("%x %X %o %b", 255, 255, 8, 5)', "ff FF 10 101", "string"),
    ('format("%x", -1)', "-1", "string"),
    ('format("%x", 1e20)', "56bc75e2d63100000", "string"),
    ('format("100%%")', "100%", "string"),
    ('format("Hello, %s!", "Ander")', "Hello, Ander!", "string"),
    ('format("é%d", 1)', "é1", "string"),
    ('formatlist("%s %s", toset(["b","a"]), ["x","y"])', ["a x", "b y"], ["list", "string"]),
    ('formatlist("%s", "x")', ["x"], ["list", "string"]),
    ('formatlist("%s", [])', [], ["list", "string"]),
    ('formatlist("%s-%s", ["a", "b"], "x")', ["a-x", "b-x"], ["list", "string"]),
    ('formatlist("%s=%s", ["a", "b"], ["1", "2"])', ["a=1", "b=2"], ["list", "string"]),
    ('formatlist("%v", [[1], [2]])', ["[1]", "[2]"], ["list", "string"]),
    (
        'formatlist("Hello, %s!", ["Valentina", "Ander"])',
        ["Hello, Valentina!", "Hello, Ander!"],
        ["list", "string"],
    ),
    ('formatlist("x")', ["x"], ["list", "string"]),
    ('indent(2, "")', "", "string"),
    ('indent(2, "a\\nb\\n\\nc")', "a\n  b\n  \n  c", "string"),
    ('indent(4, "single")', "single", "string"),
    ('join(", ", ["foo", "bar", "baz"])', "foo, bar, baz", "string"),
    ('join(",", ["a"], ["b", "c"])', "a,b,c", "string"),
    ('join(",", [1, true, "x"])', "1,true,x", "string"),
    ('join(",", [], ["a"], [])', "a", "string"),
    ('join(",", toset(["b", "a"]))', "a,b", "string"),
    ('join("-", [])', "", "string"),
    ('lower("HELLO Ünï")', "hello ünï", "string"),
    ('lower("ÉCOLE İ Σ ǅ")', "école i σ ǆ", "string"),  # noqa: RUF001
    ('regex("", "abc")', "", "string"),
    ('regex("(?<n>x)", "x")', {"n": "x"}, ["object", {"n": "string"}]),
    ('regex("(?P<1a>x)", "x")', {"1a": "x"}, ["object", {"1a": "string"}]),
    ('regex("(?P<a>x)(?P<a>y)", "xy")', {"a": "y"}, ["object", {"a": "string"}]),
    (
        'regex("(?P<a>x)|(?P<b>y)", "y")',
        {"a": None, "b": "y"},
        ["object", {"a": "string", "b": "string"}],
    ),
    ('regex("(?U)a+", "aaa")', "a", "string"),
    ('regex("(?i)HELLO", "say hello")', "hello", "string"),
    ('regex("(?i)É", "xé")', "é", "string"),
    ('regex("(?m)a$", "a\\n")', "a", "string"),
    ('regex("(?s)a.b", "a\\nb")', "a\nb", "string"),
    (
        'regex("(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)-(\\\\d\\\\d)", "2019-02-01")',
        ["2019", "02", "01"],
        ["tuple", ["string", "string", "string"]],
    ),
    ('regex("(a)(b)?", "a")', ["a", None], ["tuple", ["string", "string"]]),
    ('regex("[[:alpha:]]+", "12ab")', "ab", "string"),
    ('regex("[a-z]+", "53453453.345345aaabbbccc23454")', "aaabbbccc", "string"),
    ('regex("\\\\d+", "x١٢3")', "3", "string"),  # noqa: RUF001
    ('regex("\\\\pL+", "12ñé3")', "ñé", "string"),
    (
        'regex("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/")',
        {"authority": "terraform.io", "scheme": "https"},
        ["object", {"authority": "string", "scheme": "string"}],
    ),
    ('regexall("", "abc")', ["", "", "", ""], ["list", "string"]),
    ('regexall("(?P<x>a)", "aa")', [{"x": "a"}, {"x": "a"}], ["list", ["object", {"x": "string"}]]),
    (
        'regexall("(\\\\w)=(\\\\d)", "a=1 b=2")',
        [["a", "1"], ["b", "2"]],
        ["list", ["tuple", ["string", "string"]]],
    ),
    (
        'regexall("(a)|(b)", "ab")',
        [["a", None], [None, "b"]],
        ["list", ["tuple", ["string", "string"]]],
    ),
    ('regexall("[a-z]+", "1234abcd5678efgh9")', ["abcd", "efgh"], ["list", "string"]),
    ('regexall("a|", "baaa")', ["", "a", "a", "a"], ["list", "string"]),
    ('regexall("x", "abc")', [], ["list", "string"]),
    ('regexall("x*", "abxd")', ["", "", "x", ""], ["list", "string"]),
    ('replace("1 + 2 + 3", "+", "-")', "1 - 2 - 3", "string"),
    (
        'replace("2019-02-01", "/(?P<y>\\\\d+)-(?P<m>\\\\d+)-(?P<d>\\\\d+)/", "$d/$m/$y")',
        "01/02/2019",
        "string",
    ),
    ('replace("Hello", "/(?i)h/", "J")', "Jello", "string"),
    ('replace("a-b-c", "/(\\\\w)-(\\\\w)/", "$2_$1")', "a-c", "string"),
    ('replace("a.b", "/./", "x")', "xxx", "string"),
    ('replace("aaa", "/a/", "")', "", "string"),
    ('replace("aaa", "a", "b")', "bbb", "string"),
    ('replace("abc", "", "-")', "-a-b-c-", "string"),
    ('replace("abc", "/", "x")', "abc", "string"),
    ('replace("abc", "/$/", "!")', "abc!", "string"),
    ('replace("abc", "//", "x")', "xaxbxcx", "string"),
    ('replace("abc", "/\\\\b/", "|")', "|abc|", "string"),
    ('replace("abc", "/^/", "!")', "!abc", "string"),
    ('replace("abc", "/b/", "$$")', "a$c", "string"),
    ('replace("abxd", "/x*/", "-")', "-a-b-d-", "string"),
    ('replace("hello world", "/w.*d/", "everybody")', "hello everybody", "string"),
    ('replace("hello", "/(?P<L>l)/", "[$L]")', "he[l][l]o", "string"),
    ('replace("hello", "/(l)/", "$1x")', "heo", "string"),
    ('replace("hello", "/(l)/", "${1}x")', "he1x1xo", "string"),
    ('replace("hello", "/l/", "$")', "he$$o", "string"),
    ('replace("hello", "/l/", "$$")', "he$$o", "string"),
    ('replace("hello", "/l/", "$0$0")', "hellllo", "string"),
    ('replace("héllo", "/é/", "e")', "hello", "string"),
    ('replace("my.bucket.name", ".", "-")', "my-bucket-name", "string"),
    ('replace("x/y", "/", "_")', "x_y", "string"),
    ('split("", "")', [], ["list", "string"]),
    ('split("", "ab")', ["a", "b"], ["list", "string"]),
    ('split("", "abc")', ["a", "b", "c"], ["list", "string"]),
    ('split(",", "")', [""], ["list", "string"]),
    ('split(",", "a,,b,")', ["a", "", "b", ""], ["list", "string"]),
    ('split(",", "foo")', ["foo"], ["list", "string"]),
    ('split(",", "foo,bar,baz")', ["foo", "bar", "baz"], ["list", "string"]),
    ('split("ab", "ab")', ["", ""], ["list", "string"]),
    ('split("é", "aébé")', ["a", "b", ""], ["list", "string"]),
    ('startswith("", "")', True, "bool"),
    ('startswith("hello world", "hello")', True, "bool"),
    ('startswith("hello", "HELLO")', False, "bool"),
    ('strcontains("abc", "d")', False, "bool"),
    ('strcontains("hello world", "o w")', True, "bool"),
    ('strcontains("hello", "")', True, "bool"),
    ('strrev("")', "", "string"),
    ('strrev("e\\u0301x")', "xé", "string"),
    ('strrev("hello")', "olleh", "string"),
    ('strrev("héllo👍🏽")', "👍🏽olléh", "string"),
    ('substr("", 0, 0)', "", "string"),
    ('substr("hello world", -5, -1)', "world", "string"),
    ('substr("hello world", 1, 4)', "ello", "string"),
    ('substr("hello", -10, 2)', "he", "string"),
    ('substr("hello", -2, 0)', "lo", "string"),
    ('substr("hello", 0, 0)', "", "string"),
    ('substr("hello", 10, 1)', "", "string"),
    ('substr("hello", 2, 100)', "llo", "string"),
    ('substr("hello", 4, -1)', "o", "string"),
    ('substr("hello", 5, 1)', "", "string"),
    ('substr("héllo", 1, 3)', "éll", "string"),
    ('title("hello world-foo bar_baz")', "Hello World-Foo Bar_baz", "string"),
    (
        'title("hello-world foo_bar 123abc élan ñu x€y a.b")',
        "Hello-World Foo_bar 123abc Élan Ñu X€y A.B",
        "string",
    ),
    ('title("ÉCOLE élève")', "ÉCOLE Élève", "string"),
    ('title("ǆemal")', "ǅemal", "string"),
    ('trim("  hello  ", " ")', "hello", "string"),
    ('trim("  xx  ", "")', "  xx  ", "string"),
    ('trim("?!hello?!", "!?")', "hello", "string"),
    ('trim("abcba", "ab")', "c", "string"),
    ('trim("ééaéé", "é")', "a", "string"),
    ('trimprefix("hellohelloworld", "hello")', "helloworld", "string"),
    ('trimprefix("helloworld", "hello")', "world", "string"),
    ('trimspace("  \\n\\thello\\t\\n ")', "hello", "string"),
    ('trimspace("\\u001c x \\u001f")', "\x1c x \x1f", "string"),
    ('trimspace("\\u00a0x\\u00a0")', "x", "string"),
    ('trimspace("\\u2003 x \\u200b")', "x \u200b", "string"),
    ('trimsuffix("helloworld", "world")', "hello", "string"),
    ('upper("hello straße")', "HELLO STRAßE", "string"),
    ('upper("ǆ ß ﬀ ᾳ ŉ é")', "Ǆ ß ﬀ ᾼ ŉ É", "string"),
]

# (expression, error summary, part of Terraform's message)
ERRORS = [
    ('format("%-", 1)', "Error in function call", "invalid format string starting at offset 2"),
    ('format("%.", 1)', "Error in function call", "invalid format string starting at offset 2"),
    ('format("%5.", 1)', "Error in function call", "invalid format string starting at offset 3"),
    ('format("%[1", 1)', "Error in function call", "invalid format string starting at offset 3"),
    ('format("%[1]", 1)', "Error in function call", "invalid format string starting at offset 4"),
    (
        'format("%[1]s %s %s", "a", "b")',
        "Error in function call",
        'not enough arguments for "%s" at 9: need index 3 but have 2 total',
    ),
    (
        'format("%d", "1.5")',
        "Error in function call",
        'unsupported value for "%d" at 0: an integer is required',
    ),
    (
        'format("%d", "x")',
        "Error in function call",
        'unsupported value for "%d" at 0: a number is required',
    ),
    ('format("%d", 3.5)', "Error in function call", ""),
    (
        'format("%d", true)',
        "Error in function call",
        'unsupported value for "%d" at 0: number required',
    ),
    ('format("%d%", 1)', "Error in function call", "invalid format string starting at offset 3"),
    (
        'format("%f", "abc")',
        "Error in function call",
        'unsupported value for "%f" at 0: a number is required',
    ),
    (
        'format("%s", {a=1})',
        "Error in function call",
        'unsupported value for "%s" at 0: string required',
    ),
    (
        'format("%t", "yes")',
        "Error in function call",
        'unsupported value for "%t" at 0: a bool is required',
    ),
    ('format("%é", 1)', "Error in function call", "unrecognized format character 'é' at offset 1"),
    (
        'formatlist("%d", [1, "x"])',
        "Error in function call",
        'error on format iteration 1: unsupported value for "%d" at 0: a number is required',
    ),
    (
        'formatlist("%s", [[1]])',
        "Error in function call",
        'error on format iteration 0: unsupported value for "%s" at 0: string required',
    ),
    (
        'formatlist("%s-%s", ["a","b"], ["c"])',
        "Invalid function argument",
        'Invalid value for "args" parameter: argument 2 has length 1, which is inconsistent with ar',
    ),
    ('formatlist("%s=%s", ["a", "b"], ["1"])', "Invalid function argument", ""),
    (
        'formatlist("x", 1)',
        "Error in function call",
        "error on format iteration 0: too many arguments; no verbs in format string",
    ),
    (
        'indent(-1, "a\\nb")',
        "Error in function call",
        "panic in function implementation: strings: negative Repeat count",
    ),
    (
        'indent(1.5, "a")',
        "Error in function call",
        "value must be a whole number, between -9223372036854775808 and 9223372036854775807",
    ),
    ('join(",")', "Error in function call", "at least one list is required"),
    (
        'join(",", ["a", null])',
        "Invalid function argument",
        'Invalid value for "lists" parameter: element 1 is null; cannot concatenate null values',
    ),
    (
        'join(",", ["a"], [null])',
        "Invalid function argument",
        'Invalid value for "lists" parameter: element 0 of list 2 is null; cannot concatenate null ',
    ),
    ('regex("(?P<a>x)(y)", "xy")', "Invalid function argument", ""),
    (
        'regex("(?z)", "x")',
        "Invalid function argument",
        'Invalid value for "pattern" parameter: invalid regexp pattern: invalid or unsupported Perl',
    ),
    (
        'regex("(a", "a")',
        "Invalid function argument",
        'Invalid value for "pattern" parameter: invalid regexp pattern: missing closing ) in (a',
    ),
    (
        'regex("[", "x")',
        "Invalid function argument",
        'Invalid value for "pattern" parameter: invalid regexp pattern: missing closing ] in [',
    ),
    (
        'regex("[z-a]", "x")',
        "Invalid function argument",
        'Invalid value for "pattern" parameter: invalid regexp pattern: invalid character class ran',
    ),
    (
        'regex("\\\\", "a")',
        "Invalid function argument",
        'Invalid value for "pattern" parameter: invalid regexp pattern: trailing backslash at end o',
    ),
    (
        'regex("\\\\8", "x")',
        "Invalid function argument",
        'Invalid value for "pattern" parameter: invalid regexp pattern: invalid escape sequence in ',
    ),
    (
        'regex("\\\\C", "x")',
        "Invalid function argument",
        'Invalid value for "pattern" parameter: invalid regexp pattern: invalid escape sequence in ',
    ),
    (
        'regex("a$", "a\\n")',
        "Error in function call",
        "pattern did not match any part of the given string",
    ),
    (
        'regex("a)", "a")',
        "Invalid function argument",
        'Invalid value for "pattern" parameter: invalid regexp pattern: unexpected ) in a)',
    ),
    (
        'regex("a{1001}", "x")',
        "Invalid function argument",
        'Invalid value for "pattern" parameter: invalid regexp pattern: invalid repeat count in {10',
    ),
    ('regex("nope", "hello")', "Error in function call", ""),
    (
        'regex("x**", "x")',
        "Invalid function argument",
        'Invalid value for "pattern" parameter: invalid regexp pattern: invalid nested repetition o',
    ),
    (
        'regexall("[", "x")',
        "Invalid function argument",
        'Invalid value for "pattern" parameter: invalid regexp pattern: missing closing ] in [',
    ),
    (
        'replace("abc", "/[/", "x")',
        "Error in function call",
        "error parsing regexp: missing closing ]: `[`",
    ),
    (
        'substr("hello", 1.5, 1)',
        "Error in function call",
        "value must be a whole number, between -9223372036854775808 and 9223372036854775807",
    ),
]


@pytest.mark.parametrize(("expr", "value", "type_"), VALUES)
def test_value_matches_terraform(expr: str, value: object, type_: object) -> None:
    check_value(expr, value, type_)


@pytest.mark.parametrize(("expr", "summary", "detail"), ERRORS)
def test_error_matches_terraform(expr: str, summary: str, detail: str) -> None:
    check_error(expr, summary, detail)


def test_hostile_regex_runs_in_linear_time() -> None:
    from engine.terraform import values as v
    from tests.engine.terraform.fnhelpers import ev

    # With a backtracking engine these would not finish (2**200000 paths); RE2 is linear.
    text = "a" * 200_000 + "!"
    result = ev('regexall("(a+)+$", s)', {"s": v.string(text)})
    assert result.v == ()
    assert not ev('can(regex("(x+x+)+y", s))', {"s": v.string("x" * 100_000)}).v


def test_regex_follows_go_semantics() -> None:
    from tests.engine.terraform.fnhelpers import ev

    # $ matches only at the very end (Python's re also matches before a final newline)
    assert not ev('can(regex("a$", "a\\n"))').v
    # \\d is ASCII only in Go
    assert ev('regexall("\\\\d", "1١2")').v == (ev('"1"'), ev('"2"'))  # noqa: RUF001
    # replacement templates: $1, ${name}, $$
    assert ev('replace("a-b", "/(?P<x>\\\\w)-(\\\\w)/", "$2$${x}$$")').v == "ba$"


def test_format_arguments_that_are_unknown() -> None:
    from engine.terraform import values as v
    from tests.engine.terraform.fnhelpers import ev, unknown

    assert not ev('format("%s-%d", u, 1)', {"u": unknown(v.STRING)}).is_known
    # an untyped null makes the result unknown, as in Terraform
    assert not ev('format("%s", null)').is_known
    listed = ev('formatlist("%s!", ["a", u])', {"u": unknown(v.STRING)})
    assert listed.is_known and listed.v[0].v == "a!" and not listed.v[1].is_known


def test_format_refuses_huge_widths() -> None:
    from tests.engine.terraform.fnhelpers import check_error

    check_error('format("%999999999d", 1)', "Error in function call", "too large")
    check_error('format("%.999999999f", 1)', "Error in function call", "too large")


def test_templatestring_renders_with_the_given_variables() -> None:
    from engine.terraform import values as v
    from engine.terraform.evaluator import EvalError
    from tests.engine.terraform.fnhelpers import ev

    tpl = {"t": v.string("Hello, ${name}! %{ for x in xs }[${x}]%{ endfor }")}
    assert ev('templatestring(t, {name = "W", xs = [1, 2]})', tpl).v == "Hello, W! [1][2]"
    assert ev("templatestring(t, {n = 5})", {"t": v.string("${n}")}).v == "5"
    with __import__("pytest").raises(Exception) as caught:
        ev("templatestring(t, {})", {"t": v.string("${missing}")})
    assert 'vars map does not contain key "missing"' in str(caught.value)
    with __import__("pytest").raises(EvalError) as refused:
        ev("templatestring(t, [1])", {"t": v.string("x")})
    assert refused.value.summary == "Invalid function argument"
    assert "must be a map" in refused.value.detail


def test_templatestring_expression_rule() -> None:
    from engine.terraform.functions.strings import templatestring_expression_error
    from engine.terraform.syntax.parser import parse_expression

    assert templatestring_expression_error(parse_expression("local.tpl")) is None
    assert templatestring_expression_error(parse_expression("local.t[0].x")) is None
    assert "literal template" in str(templatestring_expression_error(parse_expression('"x"')))
    assert "inline template" in str(templatestring_expression_error(parse_expression('"a${b}"')))
    assert "direct reference" in str(templatestring_expression_error(parse_expression("f(x)")))
