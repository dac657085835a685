"""Terraform's base64*, csvdecode, json*, text*base64, urlencode, yaml*: results recorded from Terraform 1.11.4 (values and types,
or the error summary and message), plus the edge cases the recordings cannot show."""

from __future__ import annotations

import pytest

from tests.engine.terraform.fnhelpers import check_error, check_value

pytestmark = pytest.mark.unit

# (expression, value, type) as Terraform 1.11.4 evaluated them
VALUES = [
    ('base64decode("")', "", "string"),
    ('base64decode("SGVs\\nbG8=")', "Hello", "string"),
    ('base64decode("SGVsbG8=\\n")', "Hello", "string"),
    ('base64decode("SGVsbG8gV29ybGQ=")', "Hello World", "string"),
    ('base64decode("SGVsbG9=")', "Hello", "string"),
    ('base64decode("w6k=")', "é", "string"),
    ('base64encode("")', "", "string"),
    ('base64encode("Hello World")', "SGVsbG8gV29ybGQ=", "string"),
    ('base64encode("é")', "w6k=", "string"),
    ('base64gzip("")', "H4sIAAAAAAAA/wAAAP//AQAA//8AAAAAAAAAAA==", "string"),
    ('base64gzip("test")', "H4sIAAAAAAAA/ypJLS4BAAAA//8BAAD//wx+f9gEAAAA", "string"),
    (
        'csvdecode(" a , b \\n 1 , 2 ")',
        [{" a ": " 1 ", " b ": " 2 "}],
        ["list", ["object", {" a ": "string", " b ": "string"}]],
    ),
    (
        'csvdecode("a,\\"b\\nc\\"\\n1,2")',
        [{"a": "1", "b\nc": "2"}],
        ["list", ["object", {"a": "string", "b\nc": "string"}]],
    ),
    (
        'csvdecode("a,b,c\\n1,2,3\\n4,5,6")',
        [{"a": "1", "b": "2", "c": "3"}, {"a": "4", "b": "5", "c": "6"}],
        ["list", ["object", {"a": "string", "b": "string", "c": "string"}]],
    ),
    ('csvdecode("a,b\\n")', [], ["list", ["object", {"a": "string", "b": "string"}]]),
    (
        'csvdecode("a,b\\n\\"1\\n2\\",3")',
        [{"a": "1\n2", "b": "3"}],
        ["list", ["object", {"a": "string", "b": "string"}]],
    ),
    (
        'csvdecode("a,b\\r\\n1,2\\r\\n")',
        [{"a": "1", "b": "2"}],
        ["list", ["object", {"a": "string", "b": "string"}]],
    ),
    ('csvdecode("a;b\\n1;2")', [{"a;b": "1;2"}], ["list", ["object", {"a;b": "string"}]]),
    ('csvdecode("a\\n\\n1\\n")', [{"a": "1"}], ["list", ["object", {"a": "string"}]]),
    (
        'csvdecode("name,note\\n\\"x, y\\",\\"say \\"\\"hi\\"\\"\\"\\n")',
        [{"name": "x, y", "note": 'say "hi"'}],
        ["list", ["object", {"name": "string", "note": "string"}]],
    ),
    ('jsondecode("  [1]  ")', [1], ["tuple", ["number"]]),
    ('jsondecode("-0")', 0, "number"),
    ('jsondecode("0.1")', 0.1, "number"),
    ('jsondecode("1.0")', 1, "number"),
    ('jsondecode("1.5e3")', 1500, "number"),
    ('jsondecode("12345678901234567890.123")', 1.2345678901234567e19, "number"),
    (
        'jsondecode("[1, \\"a\\", null]")',
        [1, "a", None],
        ["tuple", ["number", "string", "dynamic"]],
    ),
    (
        'jsondecode("[1, {\\"a\\": [true, null]}]")',
        [1, {"a": [True, None]}],
        ["tuple", ["number", ["object", {"a": ["tuple", ["bool", "dynamic"]]}]]],
    ),
    ('jsondecode("\\"\\\\u00e9\\"")', "é", "string"),
    ('jsondecode("\\"\\\\ud800\\"")', "�", "string"),
    ('jsondecode("true")', True, "bool"),
    ('jsondecode("{\\"\\": 1}")', {"": 1}, ["object", {"": "number"}]),
    ('jsondecode("{\\"a\\": 1, \\"a\\": 2}")', {"a": 2}, ["object", {"a": "number"}]),
    (
        'jsondecode("{\\"b\\": 1, \\"a\\": {\\"c\\": [true]}}")',
        {"a": {"c": [True]}, "b": 1},
        ["object", {"a": ["object", {"c": ["tuple", ["bool"]]}], "b": "number"}],
    ),
    ('jsondecode("{\\"b\\": null}")', {"b": None}, ["object", {"b": "dynamic"}]),
    (
        'jsondecode("{\\"hello\\": \\"world\\"}")',
        {"hello": "world"},
        ["object", {"hello": "string"}],
    ),
    ('jsonencode("<tag> & \\"quote\\" é")', '"\\u003ctag\\u003e \\u0026 \\"quote\\" é"', "string"),
    ('jsonencode("line\\nnext\\ttab")', '"line\\nnext\\ttab"', "string"),
    ("jsonencode(-1.5)", "-1.5", "string"),
    ("jsonencode(0.1 + 0.2)", "0.3", "string"),
    (
        "jsonencode(1 / 3)",
        "0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335",
        "string",
    ),
    ("jsonencode(123456789012345678901234567890)", "123456789012345678901234567890", "string"),
    ("jsonencode(1e-7)", "0.0000001", "string"),
    ("jsonencode(1e21)", "1000000000000000000000", "string"),
    ("jsonencode(3.0)", "3", "string"),
    ('jsonencode([1, "a", true, null, {}])', '[1,"a",true,null,{}]', "string"),
    ("jsonencode([])", "[]", "string"),
    ("jsonencode(null)", "null", "string"),
    ("jsonencode(tolist([]))", "[]", "string"),
    ("jsonencode(tomap({b = 2, a = 1}))", '{"a":1,"b":2}', "string"),
    ("jsonencode(tomap({}))", "{}", "string"),
    ('jsonencode(toset(["b", "a"]))', '["a","b"]', "string"),
    ('jsonencode({"a<" = 1})', '{"a\\u003c":1}', "string"),
    ('jsonencode({"hello" = "world"})', '{"hello":"world"}', "string"),
    (
        'jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::bucket/*", Principal = {AWS = "*"}}]})',
        '{"Statement":[{"Action":["s3:GetObject"],"Effect":"Allow","Principal":{"AWS":"*"},"Resource":"arn:aws:s3:::bucket/*"}],"Version":"2012-10-17"}',
        "string",
    ),
    (
        "jsonencode({b = 1, a = [true, null], c = {z = 1, y = 2}})",
        '{"a":[true,null],"b":1,"c":{"y":2,"z":1}}',
        "string",
    ),
    ('textdecodebase64("/v8ASABp", "UTF-16")', "Hi", "string"),
    ('textdecodebase64("SABlAGwAbABvAA==", "UTF-16")', "䠀攀氀氀漀", "string"),
    ('textdecodebase64("SABlAGwAbABvAA==", "UTF-16LE")', "Hello", "string"),
    ('textdecodebase64("gA==", "windows-1252")', "€", "string"),
    ('textencodebase64("Hello", "UTF-16")', "/v8ASABlAGwAbABv", "string"),
    ('textencodebase64("Hello", "UTF-16LE")', "SABlAGwAbABvAA==", "string"),
    ('textencodebase64("Hello", "UTF-8")', "SGVsbG8=", "string"),
    ('textencodebase64("Hello", "utf-16be")', "AEgAZQBsAGwAbw==", "string"),
    ('textencodebase64("x", "Big5")', "eA==", "string"),
    ('textencodebase64("x", "GB18030")', "eA==", "string"),
    ('textencodebase64("x", "IBM437")', "eA==", "string"),
    ('textencodebase64("x", "KOI8-R")', "eA==", "string"),
    ('textencodebase64("x", "latin1")', "eA==", "string"),
    ('textencodebase64("é", "ISO-8859-1")', "6Q==", "string"),
    ('textencodebase64("€", "windows-1252")', "gA==", "string"),
    ('textencodebase64("日本", "EUC-JP")', "xvzL3A==", "string"),
    ('textencodebase64("日本", "Shift_JIS")', "k/qWew==", "string"),
    ('urlencode("")', "", "string"),
    ('urlencode("Hello World!")', "Hello+World%21", "string"),
    ('urlencode("a b+c~d*e\'f(g)h!i")', "a+b%2Bc~d%2Ae%27f%28g%29h%21i", "string"),
    ('urlencode("a=b&c=d/é~_.-")', "a%3Db%26c%3Dd%2F%C3%A9~_.-", "string"),
    ('urlencode("日本")', "%E6%97%A5%E6%9C%AC", "string"),
    ('yamldecode("!!int 1.5")', 1.5, "number"),
    ('yamldecode("!!timestamp 2001-12-14")', "2001-12-14T00:00:00Z", "string"),
    (
        'yamldecode("- [a, b]\\n- {c: d}\\n- []\\n- {}")',
        [["a", "b"], {"c": "d"}, [], {}],
        [
            "tuple",
            [
                ["tuple", ["string", "string"]],
                ["object", {"c": "string"}],
                ["tuple", []],
                ["object", {}],
            ],
        ],
    ),
    (
        'yamldecode("- a\\n- 1\\n- true\\n- null\\n- 1.50\\n- \\"2\\"")',
        ["a", 1, True, None, 1.5, "2"],
        ["tuple", ["string", "number", "bool", "dynamic", "number", "string"]],
    ),
    ('yamldecode("---\\na: 1\\n")', {"a": 1}, ["object", {"a": "number"}]),
    ('yamldecode("<<")', "<<", "string"),
    (
        'yamldecode("[2001-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10, 2002-12-14T01:02:03Z, 2024-1-2]")',
        [
            "2001-12-14T00:00:00Z",
            "2001-12-14T21:59:43-05:00",
            "2001-12-14T21:59:43Z",
            "2002-12-14T01:02:03Z",
            "2024-01-02T00:00:00Z",
        ],
        ["tuple", ["string", "string", "string", "string", "string"]],
    ),
    ('yamldecode("\\"\\\\u00e9\\\\x41\\"")', "éA", "string"),
    (
        'yamldecode("a: &x {b: 1}\\nc:\\n  <<: *x\\n  d: 2")',
        {"a": {"b": 1}, "c": {"b": 1, "d": 2}},
        [
            "object",
            {"a": ["object", {"b": "number"}], "c": ["object", {"b": "number", "d": "number"}]},
        ],
    ),
    ('yamldecode("a: 1\\na: 2")', {"a": 2}, ["object", {"a": "number"}]),
    (
        'yamldecode("a: |\\n  line1\\n  line2\\nb: >\\n  folded\\n  text\\n")',
        {"a": "line1\nline2\n", "b": "folded text\n"},
        ["object", {"a": "string", "b": "string"}],
    ),
    (
        'yamldecode("a:\\n  b: [1, 2]\\n  c: {d: e}")',
        {"a": {"b": [1, 2], "c": {"d": "e"}}},
        [
            "object",
            {
                "a": [
                    "object",
                    {"b": ["tuple", ["number", "number"]], "c": ["object", {"d": "string"}]},
                ]
            },
        ],
    ),
    ('yamldecode("a:\\tb")', {"a": "b"}, ["object", {"a": "string"}]),
    ('yamldecode("hello: world")', {"hello": "world"}, ["object", {"hello": "string"}]),
    (
        'yamldecode("on: 010\\nx: 0x1F\\ny: 1e3\\nz: ~")',
        {"true": 1000, "x": 31, "z": None},
        ["object", {"true": "number", "x": "number", "z": "dynamic"}],
    ),
    ('yamldecode("yes")', True, "bool"),
    ('yamlencode(" lead\\nx")', "|2-\n   lead\n  x\n", "string"),
    ('yamlencode("")', '""\n', "string"),
    ('yamlencode("# comment")', '"# comment"\n', "string"),
    ('yamlencode("--- doc")', '"--- doc"\n', "string"),
    ('yamlencode("\\"quoted\\" and \\\\ back")', '"\\"quoted\\" and \\\\ back"\n', "string"),
    ('yamlencode("\\n")', "|2+\n\n", "string"),
    ('yamlencode("\\u2028sep")', '"\\Lsep"\n', "string"),
    ('yamlencode("a")', '"a"\n', "string"),
    ('yamlencode("a\\nb")', "|-\n  a\n  b\n", "string"),
    ('yamlencode("a\\nb\\n")', "|\n  a\n  b\n", "string"),
    ('yamlencode("a\\nb\\n\\n")', "|+\n  a\n  b\n\n", "string"),
    ('yamlencode("control \\u0001 char")', '"control \\x01 char"\n', "string"),
    ('yamlencode("emoji 😀")', '"emoji \\U0001F600"\n', "string"),
    ('yamlencode("emoji\\n😀")', '"emoji\\n\\U0001F600"\n', "string"),
    ('yamlencode("line1\\n  indented\\nline3")', "|-\n  line1\n    indented\n  line3\n", "string"),
    (
        'yamlencode("multi\\nline with trailing space ")',
        '"multi\\nline with trailing space "\n',
        "string",
    ),
    ('yamlencode("nbsp\\u00a0x")', '"nbsp\xa0x"\n', "string"),
    ('yamlencode("tab\\there")', '"tab\\there"\n', "string"),
    ('yamlencode("tab\\tline\\nnext")', '"tab\\tline\\nnext"\n', "string"),
    ('yamlencode("trail \\nx")', '"trail \\nx"\n', "string"),
    ('yamlencode("trailing space \\n")', '"trailing space \\n"\n', "string"),
    ('yamlencode("x\\r\\ny")', '"x\\r\\ny"\n', "string"),
    ('yamlencode("é\\nü")', "|-\n  é\n  ü\n", "string"),
    ("yamlencode(-1.5)", "-1.5\n...\n", "string"),
    (
        "yamlencode(1 / 3)",
        "0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335\n...\n",
        "string",
    ),
    ("yamlencode(1)", "1\n...\n", "string"),
    (
        "yamlencode(1/3)",
        "0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335\n...\n",
        "string",
    ),
    ("yamlencode(1e30)", "1000000000000000000000000000000\n...\n", "string"),
    (
        'yamlencode(["${join(" ", [for i in range(40) : "word"])}"])',
        '- "word word word word word word word word word word word word word word word word\n  word word word word word word word word word word word word word word word word\n  word word word word word word word word"\n',
        "string",
    ),
    (
        'yamlencode(["a", "true", "1", "", "null"])',
        '- "a"\n- "true"\n- "1"\n- ""\n- "null"\n',
        "string",
    ),
    (
        'yamlencode(["a\\n", "b\\n\\n", " c\\nd"])',
        "- |\n  a\n- |+\n  b\n\n- |2-\n   c\n  d\n",
        "string",
    ),
    ("yamlencode([[1, 2], [3]])", "- - 1\n  - 2\n- - 3\n", "string"),
    ("yamlencode([[]])", "- []\n", "string"),
    ("yamlencode([])", "[]\n", "string"),
    (
        "yamlencode([{a = 1, b = [2, 3]}, {c = {d = 4}}])",
        '- "a": 1\n  "b":\n  - 2\n  - 3\n- "c":\n    "d": 4\n',
        "string",
    ),
    ("yamlencode([{}])", "- {}\n", "string"),
    ("yamlencode(null)", "null\n...\n", "string"),
    ("yamlencode(pow(10, 25))", "10000000000000000000000000\n...\n", "string"),
    ("yamlencode(tomap({z = 1, a = 2}))", '"a": 2\n"z": 1\n', "string"),
    ('yamlencode(toset(["b", "a"]))', '- "a"\n- "b"\n', "string"),
    ("yamlencode(true)", "true\n...\n", "string"),
    (
        'yamlencode({"${join("", [for i in range(130) : "k"])}" = 1})',
        '? "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"\n: 1\n',
        "string",
    ),
    ('yamlencode({"a\\nb" = 1})', "? |-\n  a\n  b\n: 1\n", "string"),
    (
        'yamlencode({"key with spaces" = 1, "k:v" = 2, "-" = 3, "" = 4, "123" = 5})',
        '"": 4\n"-": 3\n"123": 5\n"k:v": 2\n"key with spaces": 1\n',
        "string",
    ),
    ('yamlencode({a = "b", c = "d"})', '"a": "b"\n"c": "d"\n', "string"),
    (
        'yamlencode({a = [1, 2, 3], b = {c = true, d = null}, e = "multi\\nline"})',
        '"a":\n- 1\n- 2\n- 3\n"b":\n  "c": true\n  "d": null\n"e": |-\n  multi\n  line\n',
        "string",
    ),
    ("yamlencode({a = []})", '"a": []\n', "string"),
    (
        "yamlencode({a = [{b = 1}, {c = [5, 6]}]})",
        '"a":\n- "b": 1\n- "c":\n  - 5\n  - 6\n',
        "string",
    ),
    (
        'yamlencode({a = null, b = "null", c = "true", d = "1.5", e = "~"})',
        '"a": null\n"b": "null"\n"c": "true"\n"d": "1.5"\n"e": "~"\n',
        "string",
    ),
    ("yamlencode({a = {}})", '"a": {}\n', "string"),
    (
        'yamlencode({k = "${join(" ", [for i in range(40) : "word"])}"})',
        '"k": "word word word word word word word word word word word word word word word word\n  word word word word word word word word word word word word word word word word\n  word word word word word word word word"\n',
        "string",
    ),
    (
        'yamlencode({k = "${join("", [for i in range(120) : "x"])}"})',
        '"k": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"\n',
        "string",
    ),
    ("yamlencode({z = 1, a = {y = 2, b = 3}})", '"a":\n  "b": 3\n  "y": 2\n"z": 1\n', "string"),
    ("yamlencode({})", "{}\n", "string"),
]

# (expression, error summary, part of Terraform's message)
ERRORS = [
    ('base64decode("%%%")', "Error in function call", 'failed to decode base64 data "%%%"'),
    (
        'base64decode("/w==")',
        "Error in function call",
        "the result of decoding the provided string is not valid UTF-8",
    ),
    ('base64decode("SGVsbG8")', "Error in function call", 'failed to decode base64 data "SGVsbG8"'),
    (
        'base64decode("SGVsbG8==")',
        "Error in function call",
        'failed to decode base64 data "SGVsbG8=="',
    ),
    ('csvdecode("")', "Error in function call", "missing header line"),
    (
        'csvdecode("\\"a\\n1")',
        "Error in function call",
        'CSV parse error on line 2: extraneous or missing " in quoted-field',
    ),
    ('csvdecode("a,a\\n1,2")', "Error in function call", 'duplicate column name "a"'),
    (
        'csvdecode("a,b\\n1")',
        "Error in function call",
        "CSV parse error on line 2: wrong number of fields",
    ),
    ('csvdecode("a,b\\n1,2,3\\n")', "Error in function call", ""),
    (
        'csvdecode("a\\n1\\"2")',
        "Error in function call",
        'CSV parse error on line 2: bare " in non-quoted-field',
    ),
    (
        'csvdecode("a\\n\\"x\\"y")',
        "Error in function call",
        'CSV parse error on line 2: extraneous or missing " in quoted-field',
    ),
    ('jsondecode("")', "Error in function call", "EOF"),
    ('jsondecode("01")', "Error in function call", "extraneous data after JSON object"),
    ('jsondecode("1 2")', "Error in function call", "extraneous data after JSON object"),
    (
        'jsondecode("NaN")',
        "Error in function call",
        "invalid character 'N' looking for beginning of value",
    ),
    ('jsondecode("[")', "Error in function call", "EOF"),
    (
        'jsondecode("[1,]")',
        "Error in function call",
        "invalid character ']' looking for beginning of value",
    ),
    (
        'jsondecode("\\"a\\tb\\"")',
        "Error in function call",
        "invalid character '\\t' in string literal",
    ),
    ('jsondecode("\\"abc")', "Error in function call", "unexpected EOF"),
    ('jsondecode("nul")', "Error in function call", "unexpected EOF"),
    ('jsondecode("tru")', "Error in function call", "unexpected EOF"),
    ('jsondecode("{")', "Error in function call", "EOF"),
    (
        'jsondecode("{\\"a\\" 1}")',
        "Error in function call",
        "invalid character '1' after object key",
    ),
    (
        'jsondecode("{\\"a\\":1,}")',
        "Error in function call",
        "invalid character '}' looking for beginning of object key string",
    ),
    ('jsondecode("{} {}")', "Error in function call", "extraneous data after JSON object"),
    (
        'textdecodebase64("%%", "UTF-8")',
        "Invalid function argument",
        'Invalid value for "source" parameter: the given value is has an invalid base64 symbol at o',
    ),
    (
        'textdecodebase64("/w==", "UTF-8")',
        "Invalid function argument",
        'Invalid value for "source" parameter: the given string contains symbols that are not defin',
    ),
    (
        'textdecodebase64("gA==", "US-ASCII")',
        "Invalid function argument",
        'Invalid value for "source" parameter: the given string contains symbols that are not defin',
    ),
    (
        'textdecodebase64("gQ==", "windows-1252")',
        "Invalid function argument",
        'Invalid value for "source" parameter: the given string contains symbols that are not defin',
    ),
    (
        'textdecodebase64("x", "NOPE")',
        "Invalid function argument",
        'Invalid value for "encoding" parameter: "NOPE" is not a supported IANA encoding name or al',
    ),
    ('textencodebase64("x", "NOPE")', "Invalid function argument", ""),
    (
        'textencodebase64("x", "UTF-32")',
        "Invalid function argument",
        'Invalid value for "encoding" parameter: "UTF-32" is not a supported IANA encoding name or ',
    ),
    (
        'textencodebase64("x", "ascii")',
        "Invalid function argument",
        'Invalid value for "encoding" parameter: "ascii" is not a supported IANA encoding name or a',
    ),
    (
        'textencodebase64("x", "cp1252")',
        "Invalid function argument",
        'Invalid value for "encoding" parameter: "cp1252" is not a supported IANA encoding name or ',
    ),
    (
        'textencodebase64("é", "US-ASCII")',
        "Invalid function argument",
        'Invalid value for "string" parameter: the given string contains characters that cannot be ',
    ),
    (
        'textencodebase64("€", "ISO-8859-1")',
        "Invalid function argument",
        'Invalid value for "string" parameter: the given string contains characters that cannot be ',
    ),
    (
        "yamldecode(\"!!binary 'not base64!'\")",
        "Error in function call",
        'cannot parse "not base64!" as tag:yaml.org,2002:binary: not valid base64',
    ),
    (
        'yamldecode("!!bool maybe")',
        "Error in function call",
        'cannot parse "maybe" as tag:yaml.org,2002:bool',
    ),
    ('yamldecode("!foo bar")', "Error in function call", 'unsupported tag "!foo"'),
    ('yamldecode("")', "Error in function call", "on line 1, column 1: missing start of document"),
    ('yamldecode("# only comment")', "Error in function call", ""),
    (
        'yamldecode("&a [*a]")',
        "Error in function call",
        'cannot refer to anchor "a" from inside its own definition',
    ),
    (
        'yamldecode("---\\na: 1\\n---\\nb: 2")',
        "Error in function call",
        "on line 2, column 1: unexpected extra content after value",
    ),
    ('yamldecode(".nan")', "Error in function call", "floating point NaN is not supported"),
    (
        'yamldecode("1: one\\n1.5: x\\ntrue: y\\n~: z")',
        "Error in function call",
        "on line 3, column 1: mapping key cannot be null",
    ),
    (
        'yamldecode("? [1]\\n: 2")',
        "Error in function call",
        "only strings are allowed as mapping keys",
    ),
    (
        "yamldecode(\"[!!str 1, !!int '7', !!float 1, !!bool yes, !!null x, !!binary aGVsbG8=, !!str, '1', \\\"true\\\"]\")",
        "Error in function call",
        'unsupported tag "tag:yaml.org,2002:str,"',
    ),
    ('yamldecode("a: *x")', "Error in function call", 'reference to undefined anchor "x"'),
    ('yamldecode("a: [1")', "Error in function call", ""),
    ('yamldecode("key: value\\n  bad indent: x")', "Error in function call", ""),
]


@pytest.mark.parametrize(("expr", "value", "type_"), VALUES)
def test_value_matches_terraform(expr: str, value: object, type_: object) -> None:
    check_value(expr, value, type_)


@pytest.mark.parametrize(("expr", "summary", "detail"), ERRORS)
def test_error_matches_terraform(expr: str, summary: str, detail: str) -> None:
    check_error(expr, summary, detail)


def test_yaml_alias_bomb_is_refused() -> None:
    from engine.terraform import values as v
    from tests.engine.terraform.fnhelpers import ev

    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    bomb = "\n".join(lines)
    with __import__("pytest").raises(Exception) as caught:
        ev("yamldecode(s)", {"s": v.string(bomb)})
    assert "too many values" in str(caught.value)


def test_yaml_anchors_and_merge_keys() -> None:
    from engine.terraform import values as v
    from tests.engine.terraform.fnhelpers import ev

    doc = "base: &b {x: 1}\nitem:\n  <<: *b\n  z: 2\n  y: 3\nlist: [*b, *b]"
    result = v.to_json(ev("yamldecode(s)", {"s": v.string(doc)}))
    # YAML 1.1, as go-yaml reads it: the key "y" is the boolean true
    expected = {"x": 1, "z": 2, "true": 3}
    assert result == {"base": {"x": 1}, "item": expected, "list": [{"x": 1}, {"x": 1}]}


def test_encoders_of_unknown_values_are_unknown() -> None:
    from engine.terraform import values as v
    from tests.engine.terraform.fnhelpers import ev, unknown

    names = {"u": unknown(v.STRING)}
    assert not ev("jsonencode({a = u})", names).is_known
    assert not ev("yamlencode([u])", names).is_known
    assert not ev("base64encode(u)", names).is_known


def test_jsonencode_prints_numbers_as_terraform_does() -> None:
    from tests.engine.terraform.fnhelpers import ev

    assert ev("jsonencode(pow(10, 25))").v == "10000000000000000000000000"
    assert ev("jsonencode(1e-7)").v == "0.0000001"
    assert ev("jsonencode(0.1 + 0.2)").v == "0.3"


def test_base64gzip_round_trips() -> None:
    import base64
    import gzip

    from tests.engine.terraform.fnhelpers import ev

    text = "hello " * 100
    encoded = ev(f'base64gzip("{text}")').v
    assert gzip.decompress(base64.b64decode(encoded)).decode() == text
