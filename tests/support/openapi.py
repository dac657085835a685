"""Checking real responses against an OpenAPI 3.1 document: shared by the gateway's and the
engine's document tests."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from openapi_schema_validator import OAS31Validator
from werkzeug.test import TestResponse


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node``, with its ``$ref`` (and theirs) followed within ``document``."""
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def schema_errors(document: dict[str, Any], schema: dict[str, Any], instance: Any) -> list[str]:
    """Why ``instance`` does not match ``schema`` (whose refs point into ``document``)."""
    root = {**schema, "components": document["components"]}
    validator = OAS31Validator(root, format_checker=OAS31Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def header_value(value: str, schema: dict[str, Any]) -> Any:
    """A header's text as the instance its schema describes (digits of an integer: an int)."""
    return int(value) if schema.get("type") == "integer" and value.isdigit() else value


def assert_conforms(
    document: dict[str, Any], method: str, path: str, response: TestResponse
) -> dict[str, Any]:
    """The response is documented for the operation: status, headers, content type, body."""
    operation = document["paths"][path][method]
    status = str(response.status_code)
    where = f"{method.upper()} {path} -> {status}"
    assert status in operation["responses"], f"{where} is not documented"
    spec = resolve(document, operation["responses"][status])
    for name, header in spec.get("headers", {}).items():
        header = resolve(document, header)
        value = response.headers.get(name)
        if value is None:
            assert not header.get("required"), f"{where}: required header {name} is missing"
            continue
        errors = schema_errors(document, header["schema"], header_value(value, header["schema"]))
        assert not errors, f"{where}: header {name}={value!r}: {errors}"
    content = spec.get("content")
    if not content:
        assert response.data == b"", f"{where}: a body where none is documented"
        return {}
    assert response.mimetype in content, f"{where}: undocumented type {response.mimetype}"
    body = response.get_json()
    errors = schema_errors(document, content[response.mimetype]["schema"], body)
    assert not errors, f"{where}: {body!r} does not match: {errors}"
    assert isinstance(body, dict)
    return body


def served_operations(app: Flask, *, skip: tuple[str, ...] = ()) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of each route of ``app``, but for the static files, HEAD and
    OPTIONS, and the endpoints whose names start with one of ``skip``."""
    return {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not rule.endpoint.startswith(skip)
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


def documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    """(path, method) of each operation of ``document``."""
    return {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
