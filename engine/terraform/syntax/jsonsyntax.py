"""Terraform's JSON configuration syntax (``.tf.json``), mapped onto the native syntax tree.

In JSON syntax every string is a template (``"${var.x}-a"``), numbers, bools and null are
literals, arrays are tuples and objects are object constructors whose keys are templates too.
Which properties are *blocks* rather than attributes depends on the schema; at the top level
Terraform knows it (``resource``, ``variable``...), and inside resources the blocks that matter
to a static evaluator (``dynamic``, ``lifecycle``, ``provisioner``, ``connection``) are mapped
to blocks while everything else stays an attribute. A nested block written as a JSON object
(``"root_block_device": {...}``) therefore arrives as an object value, which pricing reads the
same way as a block.

A few arguments are not templates in JSON: a variable's ``default`` is a literal value, and
``type``, ``provider``, ``depends_on`` and ``providers`` values are expression source text.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from engine.terraform import values as v
from engine.terraform.syntax import ast
from engine.terraform.syntax.parser import HclSyntaxError, parse_expression, parse_template

# Labels of each top-level block type.
_TOP_LABELS = {
    "resource": 2,
    "data": 2,
    "ephemeral": 2,
    "module": 1,
    "variable": 1,
    "output": 1,
    "provider": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
    "check": 1,
}
_NESTED_BLOCKS = {"dynamic": 1, "lifecycle": 0, "provisioner": 1, "connection": 0, "content": 0}
# Arguments whose JSON string holds expression source, not a template.
_EXPRESSION_TEXT = frozenset({"type", "provider", "depends_on", "providers"})
MAX_DEPTH = 64


class _Pairs(dict[str, Any]):
    """A JSON object that remembers the names it had more than once."""

    duplicates: list[str]

    @classmethod
    def of(cls, pairs: list[tuple[str, Any]]) -> _Pairs:
        obj = cls(pairs)
        obj.duplicates = [name for i, (name, _) in enumerate(pairs) if name in dict(pairs[:i])]
        return obj


def parse_json_config(path: str, data: bytes) -> ast.Body:
    try:
        document = json.loads(data, parse_float=Fraction, object_pairs_hook=_Pairs.of)
    except (ValueError, RecursionError) as exc:
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise HclSyntaxError(path, 1, 1, f"invalid JSON: {message}") from exc
    if not isinstance(document, dict):
        raise HclSyntaxError(path, 1, 1, "the top level of a .tf.json file must be an object")
    return _Converter(path).top(document)


class _Converter:
    def __init__(self, path: str) -> None:
        self.path = path
        self.source = ast.Source(path, "")

    def error(self, message: str) -> HclSyntaxError:
        return HclSyntaxError(self.path, 1, 1, message)

    def top(self, document: dict[str, Any]) -> ast.Body:
        body = ast.Body()
        for kind, content in document.items():
            if kind == "//":
                continue
            labels = _TOP_LABELS.get(kind)
            if labels is None:
                continue
            for entry in content if isinstance(content, list) else [content]:
                self._blocks(body, kind, labels, entry, (), kind)
        return body

    def _blocks(
        self,
        body: ast.Body,
        kind: str,
        remaining: int,
        value: Any,
        labels: tuple[str, ...],
        context: str,
    ) -> None:
        if remaining == 0:
            for item in value if isinstance(value, list) else [value]:
                if not isinstance(item, dict):
                    raise self.error(f"a {kind} block must be a JSON object")
                body.blocks.append(
                    ast.Block(kind, labels, self.body(item, kind, 1), self.source, 0, 0)
                )
            return
        if not isinstance(value, dict):
            raise self.error(f"a {kind} block needs {remaining} more label(s)")
        for label, inner in value.items():
            if label == "//":
                continue
            self._blocks(body, kind, remaining - 1, inner, (*labels, label), context)

    def body(self, content: dict[str, Any], kind: str, depth: int) -> ast.Body:
        if depth > MAX_DEPTH:
            raise self.error("JSON nested too deeply")
        body = ast.Body()
        duplicates = getattr(content, "duplicates", [])
        if duplicates:
            raise self.error(f"Duplicate argument: {duplicates[0]!r} is set more than once")
        if kind == "locals":
            for name, item in content.items():
                if name != "//":
                    body.attributes[name] = self.attribute(name, item, depth)
            return body
        for name, item in content.items():
            if name == "//":
                continue
            if name in _NESTED_BLOCKS and kind not in ("variable", "output", "locals"):
                self._blocks(body, name, _NESTED_BLOCKS[name], item, (), kind)
                continue
            if kind == "variable" and name == "default":
                body.attributes[name] = self.attr_node(name, self.literal(item, depth))
                continue
            if kind == "variable" and name == "validation":
                continue
            if kind == "terraform" and isinstance(item, dict | list) and name != "required_version":
                for entry in item if isinstance(item, list) else [item]:
                    if isinstance(entry, dict):
                        body.blocks.append(
                            ast.Block(
                                name, (), self.body(entry, name, depth + 1), self.source, 0, 0
                            )
                        )
                continue
            if name in _EXPRESSION_TEXT and kind != "locals":
                body.attributes[name] = self.attr_node(name, self.expression_text(item, depth))
                continue
            body.attributes[name] = self.attribute(name, item, depth)
        return body

    def attr_node(self, name: str, expr: ast.Expr) -> ast.Attribute:
        return ast.Attribute(name, expr, self.source, 0, 0)

    def attribute(self, name: str, item: Any, depth: int) -> ast.Attribute:
        return self.attr_node(name, self.expression(item, depth))

    def expression(self, item: Any, depth: int) -> ast.Expr:
        if depth > MAX_DEPTH:
            raise self.error("JSON nested too deeply")
        if isinstance(item, str):
            try:
                return parse_template(item, self.path)
            except HclSyntaxError as exc:
                raise self.error(f"invalid template {item[:60]!r}: {exc.message}") from exc
        if isinstance(item, list):
            source = ast.Source(self.path, "")
            return ast.TupleCons(source, 0, 0, [self.expression(x, depth + 1) for x in item])
        if isinstance(item, dict):
            source = ast.Source(self.path, "")
            items: list[tuple[ast.Expr, ast.Expr]] = []
            for key, value in item.items():
                if key == "//":
                    continue
                items.append((self.expression(key, depth + 1), self.expression(value, depth + 1)))
            return ast.ObjectCons(source, 0, 0, items)
        return self.literal(item, depth)

    def literal(self, item: Any, depth: int) -> ast.Expr:
        if depth > MAX_DEPTH:
            raise self.error("JSON nested too deeply")
        text = (str(item) if isinstance(item, Fraction) else json.dumps(item))[:200]
        return ast.Literal(ast.Source(self.path, text), 0, len(text), v.from_python(item))

    def expression_text(self, item: Any, depth: int) -> ast.Expr:
        """``"type": "list(string)"``, ``"provider": "aws.west"``, ``"depends_on": [...]``."""
        if isinstance(item, str):
            text = item[2:-1] if item.startswith("${") and item.endswith("}") else item
            try:
                return parse_expression(text, self.path)
            except HclSyntaxError as exc:
                raise self.error(f"invalid expression {item[:60]!r}: {exc.message}") from exc
        if isinstance(item, list):
            source = ast.Source(self.path, "")
            return ast.TupleCons(source, 0, 0, [self.expression_text(x, depth + 1) for x in item])
        if isinstance(item, dict):
            source = ast.Source(self.path, "")
            pairs: list[tuple[ast.Expr, ast.Expr]] = [
                (
                    ast.ObjectKey(source, 0, 0, parse_expression(key, self.path), False),
                    self.expression_text(value, depth + 1),
                )
                for key, value in item.items()
                if key != "//"
            ]
            return ast.ObjectCons(source, 0, 0, pairs)
        return self.literal(item, depth)
