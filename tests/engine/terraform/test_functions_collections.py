"""Terraform's the collection functions: results recorded from Terraform 1.11.4 (values and types,
or the error summary and message), plus the edge cases the recordings cannot show."""

from __future__ import annotations

import pytest

from tests.engine.terraform.fnhelpers import check_error, check_value

pytestmark = pytest.mark.unit

# (expression, value, type) as Terraform 1.11.4 evaluated them
VALUES = [
    ("alltrue([])", True, "bool"),
    ("alltrue([null])", False, "bool"),
    ('alltrue([true, "true"])', True, "bool"),
    ("alltrue([true, false])", False, "bool"),
    ("alltrue(tolist([]))", True, "bool"),
    ("anytrue([])", False, "bool"),
    ('anytrue([false, "true"])', True, "bool"),
    ("anytrue([null, true])", True, "bool"),
    (
        'chunklist(["a", "b", "c", "d", "e"], 2)',
        [["a", "b"], ["c", "d"], ["e"]],
        ["list", ["list", "string"]],
    ),
    ('chunklist(["a", "b"], 0)', [["a", "b"]], ["list", ["list", "string"]]),
    ('chunklist(["a", 1], 1)', [["a"], ["1"]], ["list", ["list", "string"]]),
    ("chunklist([], 3)", [], ["list", ["list", "dynamic"]]),
    ('chunklist(toset(["b", "a"]), 1)', [["a"], ["b"]], ["list", ["list", "string"]]),
    ('coalesce("", "b")', "b", "string"),
    ("coalesce(0, 1)", 0, "number"),
    ('coalesce(1, "a")', "1", "string"),
    ('coalesce([1], ["a"])', ["1"], ["tuple", ["string"]]),
    ('coalesce([], ["a"])', [], ["list", "string"]),
    ('coalesce(null, 1, "a")', "1", "string"),
    ("coalesce(null, false, true)", False, "bool"),
    ('coalesce(tostring(null), "fallback")', "fallback", "string"),
    ('coalesce({a = 1}, tomap({b = "x"}))', {"a": "1"}, ["map", "string"]),
    ('coalescelist(["a"], [1])', ["a"], ["tuple", ["string"]]),
    ('coalescelist([], ["a", "b"])', ["a", "b"], ["tuple", ["string", "string"]]),
    ('coalescelist([], [1], ["x"])', [1], ["tuple", ["number"]]),
    ('coalescelist(tolist([]), ["b"])', ["b"], ["tuple", ["string"]]),
    ('coalescelist(tolist([]), tolist([]), ["x"])', ["x"], ["tuple", ["string"]]),
    ('compact(["a", "", "b", null, "c"])', ["a", "b", "c"], ["list", "string"]),
    ('compact(["a", 1, true])', ["a", "1", "true"], ["list", "string"]),
    ("compact([])", [], ["list", "string"]),
    (
        'concat(["a", ""], ["b", "c"])',
        ["a", "", "b", "c"],
        ["tuple", ["string", "string", "string", "string"]],
    ),
    ('concat(["a"], [1])', ["a", 1], ["tuple", ["string", "number"]]),
    ("concat([], [])", [], ["tuple", []]),
    ('concat(tolist(["a"]), ["b", 1])', ["a", "b", 1], ["tuple", ["string", "string", "number"]]),
    ('concat(tolist(["a"]), tolist(["b"]))', ["a", "b"], ["list", "string"]),
    ('concat(tolist(["a"]), tolist([1]))', ["a", "1"], ["list", "string"]),
    ("concat(tolist([]), tolist([]))", [], ["list", "dynamic"]),
    ('contains(["1", "2"], 1)', False, "bool"),
    ('contains(["a", "b", "c"], "a")', True, "bool"),
    ('contains([1, 2], "1")', False, "bool"),
    ("contains([1, 2], 2.0)", True, "bool"),
    ("contains([[1]], [1])", True, "bool"),
    ("contains([{a = 1}], {a = 1})", True, "bool"),
    ('contains(toset(["a"]), "a")', True, "bool"),
    ('distinct(["a", "A"])', ["a", "A"], ["list", "string"]),
    ('distinct(["a", "b", "a", "c", "d", "b"])', ["a", "b", "c", "d"], ["list", "string"]),
    ('distinct([1, "1"])', ["1"], ["list", "string"]),
    ("distinct([1, 1.0, 1.00])", [1], ["list", "number"]),
    ("distinct([[1], [1], [2]])", [[1], [2]], ["list", ["tuple", ["number"]]]),
    ("distinct([])", [], ["list", "dynamic"]),
    ("distinct([{a = 1}, {a = 1}])", [{"a": 1}], ["list", ["object", {"a": "number"}]]),
    ("distinct(toset([1]))", [1], ["list", "number"]),
    ('element(["a", "b", "c"], -3)', "a", "string"),
    ('element(["a", "b", "c"], 1)', "b", "string"),
    ('element(["a", "b", "c"], 3)', "a", "string"),
    ('element(["a", "b", "c"], 3.0)', "a", "string"),
    ('element(["a", "b", "c"], 7)', "b", "string"),
    ('element([1, "a"], 1)', "a", "string"),
    (
        "flatten([1, [2, [3, [4]]]])",
        [1, 2, 3, 4],
        ["tuple", ["number", "number", "number", "number"]],
    ),
    (
        'flatten([["a", "b"], [], ["c"]])',
        ["a", "b", "c"],
        ["tuple", ["string", "string", "string"]],
    ),
    (
        'flatten([[1], "a", [[[]]], [{}], [tolist([]), toset([2])]])',
        [1, "a", {}, 2],
        ["tuple", ["number", "string", ["object", {}], "number"]],
    ),
    (
        'flatten([[["a", "b"], []], ["c"]])',
        ["a", "b", "c"],
        ["tuple", ["string", "string", "string"]],
    ),
    ("flatten([])", [], ["tuple", []]),
    (
        'flatten([for k, v in {a = ["x", "y"], b = ["z"]} : [for s in v : {group = k, item = s}]])',
        [{"group": "a", "item": "x"}, {"group": "a", "item": "y"}, {"group": "b", "item": "z"}],
        [
            "tuple",
            [
                ["object", {"group": "string", "item": "string"}],
                ["object", {"group": "string", "item": "string"}],
                ["object", {"group": "string", "item": "string"}],
            ],
        ],
    ),
    ("flatten([null, [null]])", [None, None], ["tuple", ["dynamic", "dynamic"]]),
    (
        'flatten([toset(["b", "a"]), ["c"]])',
        ["a", "b", "c"],
        ["tuple", ["string", "string", "string"]],
    ),
    (
        "flatten([{a = 1}, [{b = 2}]])",
        [{"a": 1}, {"b": 2}],
        ["tuple", [["object", {"a": "number"}], ["object", {"b": "number"}]]],
    ),
    (
        "flatten(tolist([tolist([1]), tolist([2, 3])]))",
        [1, 2, 3],
        ["tuple", ["number", "number", "number"]],
    ),
    ("flatten(toset([toset([1])]))", [1], ["tuple", ["number"]]),
    ('index(["a", "b", "b"], "b")', 1, "number"),
    ('index(["a", "b", "c"], "b")', 1, "number"),
    ("index([{a = 1}], {a = 1})", 0, "number"),
    ('index(tolist(["a"]), "a")', 0, "number"),
    ("keys(tomap({b = 1, a = 2}))", ["a", "b"], ["list", "string"]),
    ("keys(tomap({}))", [], ["list", "string"]),
    ("keys({a = 1, c = 2, d = 3})", ["a", "c", "d"], ["tuple", ["string", "string", "string"]]),
    ("keys({b = 1, a = 2})", ["a", "b"], ["tuple", ["string", "string"]]),
    ("keys({})", [], ["tuple", []]),
    ('length("e\\u0301")', 1, "number"),
    ('length("hello")', 5, "number"),
    ('length("é😀")', 2, "number"),
    ('length("👍🏽")', 1, "number"),
    ('length("👨\u200d👩\u200d👧")', 1, "number"),
    ("length([])", 0, "number"),
    ('length(regexall("[0-9]", "a1b22"))', 3, "number"),
    ("length(tomap({a = 1}))", 1, "number"),
    ("length(toset([1, 1, 2]))", 2, "number"),
    ("length(toset([]))", 0, "number"),
    ("length({a = 1, b = 2})", 2, "number"),
    ('lookup(tomap({a = "1"}), "b", 2)', "2", "string"),
    ('lookup(tomap({a = 1}), "b", "2")', 2, "number"),
    ('lookup({a = "ay", b = "bee"}, "a", "what?")', "ay", "string"),
    ('lookup({a = "ay", b = "bee"}, "c", "what?")', "what?", "string"),
    ('lookup({a = 1, b = "x"}, "a")', 1, "number"),
    ('lookup({a = 1}, "a", "x")', 1, "number"),
    ('lookup({a = 1}, "b", "x")', "x", "string"),
    ('lookup({a = {b = 1}}, "a", "x")', {"b": 1}, ["object", {"b": "number"}]),
    ('lookup({a = {n = 1}}, "b", {})', {}, ["object", {}]),
    ('lookup({}, "x", "default")', "default", "string"),
    ('matchkeys(["a", "b"], ["x", "y"], [])', [], ["list", "string"]),
    (
        'matchkeys(["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"])',
        ["i-abc", "i-def"],
        ["list", "string"],
    ),
    ('matchkeys(["x"], [[1]], [["1"]])', ["x"], ["list", "string"]),
    ('matchkeys([1, 2], ["a", "b"], ["b"])', [2], ["list", "number"]),
    ('matchkeys([1, 2], [1, 2], ["2"])', [2], ["list", "number"]),
    ("merge()", {}, ["object", {}]),
    (
        "merge([{a = 1}, {b = 2}, {a = 3}]...)",
        {"a": 3, "b": 2},
        ["object", {"a": "number", "b": "number"}],
    ),
    ("merge(null, null)", {}, ["object", {}]),
    (
        'merge(tomap({a = "1"}), {b = 2})',
        {"a": "1", "b": 2},
        ["object", {"a": "string", "b": "number"}],
    ),
    (
        'merge(tomap({a = 1}), tomap({b = "x"}))',
        {"a": 1, "b": "x"},
        ["object", {"a": "number", "b": "string"}],
    ),
    ("merge(tomap({a = 1}), tomap({b = 2}))", {"a": 1, "b": 2}, ["map", "number"]),
    ('merge(tomap({a = 1}), {a = "x"})', {"a": "x"}, ["object", {"a": "string"}]),
    ("merge(tomap({}), tomap({}))", {}, ["map", "dynamic"]),
    (
        'merge({a = "b", c = "d"}, {e = "f", c = "z"})',
        {"a": "b", "c": "z", "e": "f"},
        ["object", {"a": "string", "c": "string", "e": "string"}],
    ),
    ("merge({a = 1}, null, {b = 2})", {"a": 1, "b": 2}, ["object", {"a": "number", "b": "number"}]),
    (
        'merge({a = 1}, tomap({b = "x"}))',
        {"a": 1, "b": "x"},
        ["object", {"a": "number", "b": "string"}],
    ),
    ('merge({a = 1}, {b = "x"})', {"a": 1, "b": "x"}, ["object", {"a": "number", "b": "string"}]),
    ("merge({a = {b = 1}}, {a = null})", {"a": None}, ["object", {"a": "dynamic"}]),
    (
        "merge({a = {x = 1}}, {a = {y = 2}})",
        {"a": {"y": 2}},
        ["object", {"a": ["object", {"y": "number"}]}],
    ),
    ("merge({}, {})", {}, ["object", {}]),
    ('one(["hello"])', "hello", "string"),
    ('one(tolist(["a"]))', "a", "string"),
    ('one(toset(["x", "x"]))', "x", "string"),
    ('range("3")', [0, 1, 2], ["list", "number"]),
    ("range(-3)", [0, -1, -2], ["list", "number"]),
    ("range(0)", [], ["list", "number"]),
    ("range(0, -1, -0.25)", [0, -0.25, -0.5, -0.75], ["list", "number"]),
    ("range(0, -2.5, -1)", [0, -1, -2], ["list", "number"]),
    ("range(0, 1, 0.3)", [0, 0.3, 0.6, 0.9], ["list", "number"]),
    ("range(1, 10, 3)", [1, 4, 7], ["list", "number"]),
    ("range(1, 2, 0.25)", [1, 1.25, 1.5, 1.75], ["list", "number"]),
    ("range(1, 4)", [1, 2, 3], ["list", "number"]),
    ("range(1.5)", [0, 1], ["list", "number"]),
    ("range(10, 0, -3)", [10, 7, 4, 1], ["list", "number"]),
    ("range(3)", [0, 1, 2], ["list", "number"]),
    ("range(3, 1)", [3, 2], ["list", "number"]),
    ("range(3, 3)", [], ["list", "number"]),
    ('reverse(["a"])', ["a"], ["tuple", ["string"]]),
    ("reverse([1, 2, 3])", [3, 2, 1], ["tuple", ["number", "number", "number"]]),
    ("reverse([])", [], ["tuple", []]),
    ("reverse(tolist([]))", [], ["list", "dynamic"]),
    ('reverse(toset(["b", "a"]))', ["b", "a"], ["list", "string"]),
    ('setintersection(["a", "b"], ["b", "c"], ["b", "d"])', ["b"], ["set", "string"]),
    ('setintersection(["a"], [1])', [], ["set", "string"]),
    ("setintersection([1, 2], [3])", [], ["set", "number"]),
    ("setintersection([], [])", [], ["set", "dynamic"]),
    ('setintersection(toset([]), ["a"])', [], ["set", "string"]),
    (
        'setproduct(["a", "a"], [1])',
        [["a", 1], ["a", 1]],
        ["list", ["tuple", ["string", "number"]]],
    ),
    (
        'setproduct(["a", "b"], [1, 2])',
        [["a", 1], ["a", 2], ["b", 1], ["b", 2]],
        ["list", ["tuple", ["string", "number"]]],
    ),
    (
        'setproduct(["a", 1], ["x"])',
        [["a", "x"], ["1", "x"]],
        ["list", ["tuple", ["string", "string"]]],
    ),
    (
        'setproduct(["a"], [1], [true])',
        [["a", 1, True]],
        ["list", ["tuple", ["string", "number", "bool"]]],
    ),
    ('setproduct(["a"], [])', [], ["list", ["tuple", ["string", "dynamic"]]]),
    (
        'setproduct(["development", "staging"], ["app1", "app2"])',
        [
            ["development", "app1"],
            ["development", "app2"],
            ["staging", "app1"],
            ["staging", "app2"],
        ],
        ["list", ["tuple", ["string", "string"]]],
    ),
    (
        'setproduct([[1], ["a"]], [1])',
        [[["1"], 1], [["a"], 1]],
        ["list", ["tuple", [["tuple", ["string"]], "number"]]],
    ),
    ("setproduct([], [])", [], ["list", ["tuple", ["dynamic", "dynamic"]]]),
    (
        'setproduct(toset(["a"]), toset([1, 2]))',
        [["a", 1], ["a", 2]],
        ["set", ["tuple", ["string", "number"]]],
    ),
    (
        'setproduct(toset(["b", "a"]), [1, 2])',
        [["a", 1], ["a", 2], ["b", 1], ["b", 2]],
        ["set", ["tuple", ["string", "number"]]],
    ),
    ('setsubtract(["a", "b", "c"], ["a", "c"])', ["b"], ["set", "string"]),
    ("setsubtract([1, 2], [2, 3])", [1], ["set", "number"]),
    ("setsubtract([1, 2], [])", [1, 2], ["set", "number"]),
    ("setsubtract([], [1])", [], ["set", "number"]),
    ('setunion(["a", "b"], ["b", "c"], ["d"])', ["a", "b", "c", "d"], ["set", "string"]),
    ('setunion(["a"], [true])', ["a", "true"], ["set", "string"]),
    ('setunion([10, 9], ["1"])', ["1", "10", "9"], ["set", "string"]),
    ('setunion([[1]], [["1"]])', [["1"]], ["set", ["tuple", ["string"]]]),
    ("setunion([], [])", [], ["set", "dynamic"]),
    ("setunion([{a = 1}], [{a = 2}])", [{"a": 1}, {"a": 2}], ["set", ["object", {"a": "number"}]]),
    ('slice(["a", "b", "c", "d"], 1, 3)', ["b", "c"], ["tuple", ["string", "string"]]),
    ('slice(["a", "b", "c"], 1, 1)', [], ["tuple", []]),
    ('slice(["a", "b"], 0, 0)', [], ["tuple", []]),
    ('slice(tolist(["a", "b"]), 0, 0)', [], ["list", "string"]),
    ('slice(tolist(["a", "b"]), 0, 1)', ["a"], ["list", "string"]),
    (
        'sort(["b", "B", "a", "é", "e", "Z", "10", "2"])',
        ["10", "2", "B", "Z", "a", "b", "e", "é"],
        ["list", "string"],
    ),
    (
        'sort(["e", "d", "a", "x", "b", "10", "9"])',
        ["10", "9", "a", "b", "d", "e", "x"],
        ["list", "string"],
    ),
    ("sort([3, 10, 2])", ["10", "2", "3"], ["list", "string"]),
    ("sort([])", [], ["list", "string"]),
    ("sort([true, false])", ["false", "true"], ["list", "string"]),
    ('sum(["1", 2])', 3, "number"),
    ("sum([0.1, 0.2])", 0.3, "number"),
    ("sum([1.5, 2.25])", 3.75, "number"),
    ("sum([10, 13, 6, 4.5])", 33.5, "number"),
    ("sum([1e400, -1e400])", 0, "number"),
    ("sum(tolist([1, 2]))", 3, "number"),
    ("sum(toset([1, 1, 2]))", 3, "number"),
    ('transpose(tomap({a = tolist(["b"])}))', {"b": ["a"]}, ["map", ["list", "string"]]),
    (
        'transpose({a = ["1", "2"], b = ["2", "3"]})',
        {"1": ["a"], "2": ["a", "b"], "3": ["b"]},
        ["map", ["list", "string"]],
    ),
    ('transpose({a = ["x", "x"]})', {"x": ["a", "a"]}, ["map", ["list", "string"]]),
    ('transpose({a = ["x"], b = ["x"]})', {"x": ["a", "b"]}, ["map", ["list", "string"]]),
    ('transpose({a = [], b = ["x"]})', {"x": ["b"]}, ["map", ["list", "string"]]),
    ("transpose({})", {}, ["map", ["list", "string"]]),
    ("values(tomap({b = 1, a = 2}))", [2, 1], ["list", "number"]),
    ("values(tomap({}))", [], ["list", "dynamic"]),
    ("values({a = 3, c = 2, d = 1})", [3, 2, 1], ["tuple", ["number", "number", "number"]]),
    ('values({b = "x", a = 1})', [1, "x"], ["tuple", ["number", "string"]]),
    ("values({})", [], ["tuple", []]),
    ('zipmap(["a", "a"], [1, 2])', {"a": 2}, ["object", {"a": "number"}]),
    (
        'zipmap(["a", "b"], [1, "x"])',
        {"a": 1, "b": "x"},
        ["object", {"a": "number", "b": "string"}],
    ),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}, ["object", {"a": "number", "b": "number"}]),
    ('zipmap(["a", "b"], tolist([1, 2]))', {"a": 1, "b": 2}, ["map", "number"]),
    (
        'zipmap([1, 2], ["a", "b"])',
        {"1": "a", "2": "b"},
        ["object", {"1": "string", "2": "string"}],
    ),
    ("zipmap([], [])", {}, ["object", {}]),
    ("zipmap([], tolist([]))", {}, ["map", "dynamic"]),
    ('zipmap(tolist(["a"]), tolist([1]))', {"a": 1}, ["map", "number"]),
]

# (expression, error summary, part of Terraform's message)
ERRORS = [
    ('alltrue(["a"])', "Invalid function argument", ""),
    ("alltrue([true, 1])", "Invalid function argument", ""),
    (
        'chunklist(["a", "b", "c"], -1)',
        "Error in function call",
        "the size argument must be positive",
    ),
    (
        'chunklist(["a", "b", "c"], 1.5)',
        "Error in function call",
        "invalid size: value must be a whole number, between -9223372036854775808 and 9223372036854",
    ),
    ('coalesce("", "")', "Error in function call", "no non-null, non-empty-string arguments"),
    ("coalesce(1, true)", "Error in function call", "all arguments must have the same type"),
    ('coalesce(null, "", null)', "Error in function call", ""),
    ("coalesce({}, [])", "Error in function call", "all arguments must have the same type"),
    (
        'coalescelist("a")',
        "Error in function call",
        "coalescelist arguments must be lists or tuples",
    ),
    ("coalescelist([], [])", "Error in function call", "no non-null arguments"),
    ("compact([[1]])", "Invalid function argument", ""),
    (
        'concat(["a"], "b")',
        "Invalid function argument",
        'Invalid value for "seqs" parameter: all arguments must be lists or tuples; got string',
    ),
    ('concat(["a"], toset(["c", "b"]))', "Invalid function argument", ""),
    (
        "concat({a = 1})",
        "Invalid function argument",
        'Invalid value for "seqs" parameter: all arguments must be lists or tuples; got object',
    ),
    ('contains("abc", "a")', "Error in function call", "argument must be list, tuple, or set"),
    (
        'contains(["a"], null)',
        "Invalid function argument",
        'Invalid value for "value" parameter: argument must not be null',
    ),
    (
        "contains([null], null)",
        "Invalid function argument",
        'Invalid value for "value" parameter: argument must not be null',
    ),
    ('element(["a", "b", "c"], -1)', "Error in function call", ""),
    ('element(["a", "b"], 1.9)', "Error in function call", ""),
    ("element([], 0)", "Error in function call", ""),
    (
        "element(tolist([]), 0)",
        "Error in function call",
        "cannot use element function with an empty list",
    ),
    ("element({a = 1}, 0)", "Error in function call", "cannot read elements from object"),
    ('flatten("a")', "Error in function call", "can only flatten lists, sets and tuples"),
    ("flatten({a = 1})", "Error in function call", "can only flatten lists, sets and tuples"),
    ('index(["a"], "z")', "Error in function call", ""),
    ('index([1, 2], "2")', "Error in function call", "item not found"),
    ('index(toset(["a"]), "a")', "Error in function call", "argument must be a list or tuple"),
    (
        'keys("a")',
        "Invalid function argument",
        'Invalid value for "inputMap" parameter: must have map or object type',
    ),
    ("length(null)", "Invalid function argument", ""),
    (
        "length(true)",
        "Error in function call",
        "argument must be a string, a collection type, or a structural type",
    ),
    (
        "list()",
        "Error in function call",
        'the "list" function was deprecated in Terraform v0.12 and is no longer available; use toli',
    ),
    (
        "list(1, 2)",
        "Error in function call",
        'the "list" function was deprecated in Terraform v0.12 and is no longer available; use toli',
    ),
    (
        'lookup([1], "a")',
        "Invalid function argument",
        'Invalid value for "inputMap" parameter: lookup() requires a map as the first argument',
    ),
    ('lookup(tomap({a = 1}), "b")', "Error in function call", 'lookup failed to find key "b"'),
    (
        'lookup(tomap({a = 1}), "b", "x")',
        "Invalid function argument",
        'Invalid value for "default" parameter: the default value must have the same type as the ma',
    ),
    (
        'lookup({a = 1}, "a", 1, 2)',
        "Error in function call",
        "lookup() takes two or three arguments, got 4",
    ),
    (
        'lookup({a = 1}, "b")',
        "Invalid function argument",
        'Invalid value for "inputMap" parameter: the given object has no attribute "b"',
    ),
    (
        'map("a", 1)',
        "Error in function call",
        'the "map" function was deprecated in Terraform v0.12 and is no longer available; use tomap',
    ),
    (
        'matchkeys(["x"], ["a"], [[1]])',
        "Error in function call",
        "keys and searchset must be of the same type",
    ),
    (
        'matchkeys([1, 2, 3], ["a", "b"], ["a"])',
        "Error in function call",
        "length of keys and values should be equal",
    ),
    (
        "merge({a = 1}, [1])",
        "Error in function call",
        'arguments must be maps or objects, got "tuple"',
    ),
    (
        'one("a")',
        "Invalid function argument",
        'Invalid value for "list" parameter: must be a list, set, or tuple value with either zero o',
    ),
    (
        'one([1, "a"])',
        "Invalid function argument",
        'Invalid value for "list" parameter: must be a list, set, or tuple value with either zero o',
    ),
    (
        "one(tolist([1, 2]))",
        "Invalid function argument",
        'Invalid value for "list" parameter: must be a list, set, or tuple value with either zero o',
    ),
    ("range()", "Error in function call", "must have one, two, or three arguments"),
    ("range(1, 2, 3, 4)", "Error in function call", "must have one, two, or three arguments"),
    (
        "range(1, 5, -1)",
        "Invalid function argument",
        'Invalid value for "params" parameter: end must be less than start when step is negative',
    ),
    (
        "range(5, 1, 1)",
        "Invalid function argument",
        'Invalid value for "params" parameter: end must be greater than start when step is positive',
    ),
    (
        'reverse("ab")',
        "Invalid function argument",
        'Invalid value for "list" parameter: can only reverse list or tuple values, not string',
    ),
    (
        "reverse({a = 1})",
        "Invalid function argument",
        'Invalid value for "list" parameter: can only reverse list or tuple values, not object',
    ),
    (
        'setproduct(["a"], "b")',
        "Invalid function argument",
        'Invalid value for "sets" parameter: a set or a list is required',
    ),
    (
        'setunion(["a"], [[1]])',
        "Error in function call",
        "given sets must all have compatible element types",
    ),
    (
        'slice("abc", 0, 1)',
        "Invalid function argument",
        'Invalid value for "list" parameter: must be a list or tuple value',
    ),
    ('slice(["a", "b"], 1, 3)', "Invalid function argument", ""),
    (
        'slice(["a"], -1, 1)',
        "Invalid function argument",
        'Invalid value for "start_index" parameter: start index must not be less than zero',
    ),
    (
        'slice(["a"], 0.5, 1)',
        "Invalid function argument",
        'Invalid value for "start_index" parameter: invalid start index: value must be a whole numb',
    ),
    (
        'slice(["a"], 1, 0)',
        "Invalid function argument",
        'Invalid value for "start_index" parameter: start index must not be greater than end index',
    ),
    (
        'slice(toset(["a"]), 0, 1)',
        "Invalid function argument",
        'Invalid value for "list" parameter: cannot slice a set, because its elements do not have i',
    ),
    (
        'sort(["a", null])',
        "Error in function call",
        "given list element 1 is null; a null string cannot be sorted",
    ),
    (
        "sum([1, true])",
        "Invalid function argument",
        'Invalid value for "list" parameter: argument must be list, set, or tuple of number values',
    ),
    (
        "sum([[1]])",
        "Invalid function argument",
        'Invalid value for "list" parameter: argument must be list, set, or tuple of number values',
    ),
    ("sum([])", "Invalid function argument", ""),
    ('transpose({a = "b"})', "Invalid function argument", ""),
    ("values([1])", "Error in function call", "values() requires a map as the first argument"),
    (
        'zipmap(["a", null], [1, 2])',
        "Error in function call",
        "keys list has null value at index 1",
    ),
    (
        'zipmap(["a"], "x")',
        "Error in function call",
        "values argument must be a list or tuple value",
    ),
    (
        'zipmap(["a"], [1, 2])',
        "Error in function call",
        "number of keys (1) does not match number of values (2)",
    ),
]


@pytest.mark.parametrize(("expr", "value", "type_"), VALUES)
def test_value_matches_terraform(expr: str, value: object, type_: object) -> None:
    check_value(expr, value, type_)


@pytest.mark.parametrize(("expr", "summary", "detail"), ERRORS)
def test_error_matches_terraform(expr: str, summary: str, detail: str) -> None:
    check_error(expr, summary, detail)


def test_functions_that_work_on_collections_with_unknown_elements() -> None:
    from engine.terraform import values as v
    from tests.engine.terraform.fnhelpers import ev, unknown

    names = {"u": unknown(v.STRING), "l": unknown(v.ListType(v.STRING))}
    assert ev("length([u, 1])", names).v.as_int() == 2
    assert ev("length(toset([u]))", names).v.as_int() == 1
    assert not ev('length(toset([u, "a"]))', names).is_known  # the two might be equal
    assert not ev("length(l)", names).is_known
    assert [k.v for k in ev("keys({a = u, b = 1})", names).v] == ["a", "b"]
    assert [k.v for k in ev("keys(tomap({a = u}))", names).v] == ["a"]
    values = ev("values({a = u, b = 1})", names)
    assert not values.v[0].is_known and values.v[1].v.as_int() == 1
    assert ev('concat([u], ["a"])', names).v[1].v == "a"
    assert ev('element([u, "b"], 1)', names).v == "b"
    assert ev('lookup({a = u, b = "x"}, "b")', names).v == "x"
    assert ev("merge({a = u}, {b = 1})", names).v["b"].v.as_int() == 1
    assert ev('flatten([[u], ["a"]])', names).v[1].v == "a"
    assert not ev('flatten([l, ["a"]])', names).is_known
    assert ev('slice([u, "a", "b"], 1, 3)', names).is_wholly_known()
    assert ev('contains([u, "a"], "a")', names).v is True
    assert not ev('contains([u, "a"], "b")', names).is_known
    assert not ev('distinct([u, "a"])', names).is_known
    assert not ev('alltrue([u == "", false])', names).is_known  # stops at the unknown
    assert ev('alltrue([false, u == ""])', names).v is False
    assert ev('anytrue([u == "", true])', names).v is True
    sorted_ = ev('sort([u, "a"])', names)  # the order is unknown, the length is not
    assert sorted_.is_known and len(sorted_.v) == 2 and not sorted_.v[0].is_known
    assert ev('index(["a", u], "a")', names).v.as_int() == 0
    assert not ev('index([u, "a"], "a")', names).is_known


def test_unknown_results_keep_the_reason() -> None:
    from engine.terraform import values as v
    from tests.engine.terraform.fnhelpers import ev, unknown

    result = ev("distinct([u])", {"u": unknown(v.STRING, "aws_instance.x.id is unknown")})
    assert result.v.reason == "aws_instance.x.id is unknown"


def test_generated_sizes_are_capped() -> None:
    from tests.engine.terraform.fnhelpers import check_error

    check_error("range(1e9)", "Error in function call", "more than 1024 values")
    check_error("range(0, 1, 1e-9)", "Error in function call", "more than 1024 values")
    check_error(
        "length(setproduct(range(1000), range(1000), range(1000)))",
        "Error in function call",
        "more than this engine allows",
    )


def test_removed_list_and_map_functions() -> None:
    from tests.engine.terraform.fnhelpers import check_error

    check_error("list(1, 2)", "Error in function call", 'the "list" function was deprecated')
    check_error('map("a", 1)', "Error in function call", "use tomap({ ... }) syntax")
