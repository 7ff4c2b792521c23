"""Zoom's own OpenAPI spec (the subset in ``specs/zoom/``) as a judge of requests and responses.

``ZoomContract().check(exchange)`` returns the ways one sandbox exchange breaks the spec: the path
and method exist; every query parameter is declared and its value fits its schema; the request
body fits the request schema (lengths, enums, formats, and no field the spec does not know); the
response fits the schema of its status. Schemas are checked by ``jsonschema`` (Draft 4: OpenAPI
3.0's schema dialect is Draft 4's, plus ``nullable``), never by hand.

The spec's own mistakes we correct, and why, are in ``specs/zoom/README.md`` ("Known quirks"),
each one a function in ``QUIRKS`` below.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
from jsonschema import Draft4Validator, FormatChecker

from sbzoom.sandbox import Exchange

ROOT = Path(__file__).resolve().parents[2]
SUBSET = ROOT / "specs" / "zoom" / "meeting-api.subset.json"
API_PREFIX = "/zoom/v2"  # the sandbox serves Zoom's https://api.zoom.us/v2 here

Schema = dict[str, Any]


@dataclass(frozen=True)
class Violation:
    """One way an exchange breaks the spec: which operation, which part, which field, which rule."""

    operation: str  # "POST /users/{userId}/meetings"
    part: str  # path | query | request body | response 201 | ...
    field: str  # "settings.approval_type", "page_size", "" for the whole part
    rule: str  # "maxLength 200: 'aaaa…' is too long"

    def __str__(self) -> str:
        where = f"{self.part} {self.field}" if self.field else self.part
        return f"{self.operation}: {where}: {self.rule}"


# -- the spec's quirks, corrected (see specs/zoom/README.md) --------------------------------------


def _quirk_topic_limit(spec: dict[str, Any]) -> None:
    """Zoom caps ``topic`` at 200 characters but writes the cap only on the 201 response schema;
    a request over it is refused all the same, so requests get the cap too."""
    for template, method in (
        ("/users/{userId}/meetings", "post"),
        ("/meetings/{meetingId}", "patch"),
    ):
        schema = _request_schema(spec["paths"][template][method])
        if schema is not None:
            schema["properties"]["topic"].setdefault("maxLength", 200)


def _quirk_user_id_one_of(spec: dict[str, Any]) -> None:
    """``userId`` is ``oneOf`` [string, email string, "me"]: "me" and every e-mail match two
    branches, so a strict ``oneOf`` refuses the very values the description asks for. Read it
    as ``anyOf``."""
    for item in spec["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if "oneOf" in schema:
                    schema["anyOf"] = schema.pop("oneOf")


QUIRKS: tuple[Callable[[dict[str, Any]], None], ...] = (_quirk_topic_limit, _quirk_user_id_one_of)


# -- OpenAPI 3.0 schema -> JSON Schema Draft 4 -----------------------------------------------------


def _draft4(schema: Any, *, strict_objects: bool) -> Any:
    """OpenAPI 3.0 schema object to Draft 4: ``nullable`` becomes a null type; with
    ``strict_objects`` an object listing ``properties`` accepts no others (for requests: a field
    Zoom does not know is silently ignored by Zoom, so sending one is a bug in sbzoom)."""
    if isinstance(schema, list):
        return [_draft4(item, strict_objects=strict_objects) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _draft4(value, strict_objects=strict_objects) for key, value in schema.items()}
    if "properties" in schema:  # property names are not schemas' keywords: rebuild them
        out["properties"] = {
            name: _draft4(sub, strict_objects=strict_objects)
            for name, sub in schema["properties"].items()
        }
        if strict_objects and "additionalProperties" not in schema:
            out["additionalProperties"] = False
    if isinstance(schema.get("enum"), list):
        # Zoom repeats values in some enums (registrant status: approved, denied, pending twice),
        # which Draft 4 forbids; the set of allowed values is the same without the repeats.
        out["enum"] = list(dict.fromkeys(out["enum"]))
    if schema.get("nullable") is True and "type" in schema:
        out["type"] = [schema["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


# Formats we check. The rest (``url``, ``string``...) are annotations only, as JSON Schema allows.
FORMATS = FormatChecker(formats=())
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


@FORMATS.checks("date-time")
def _date_time(value: object) -> bool:
    """RFC 3339, except that Zoom's requests may leave the offset out (local time in
    ``timezone``): the start_time description says so."""
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@FORMATS.checks("email")
def _email(value: object) -> bool:
    return not isinstance(value, str) or bool(_EMAIL.match(value))


@FORMATS.checks("int64")
def _int64(value: object) -> bool:
    return not isinstance(value, int) or -(2**63) <= value < 2**63


@FORMATS.checks("int32")
def _int32(value: object) -> bool:
    return not isinstance(value, int) or -(2**31) <= value < 2**31


# -- the contract ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    template: str
    method: str
    pattern: re.Pattern[str]
    spec: dict[str, Any]
    parameters: dict[tuple[str, str], dict[str, Any]]  # (in, name) -> parameter

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.template}"


def _request_schema(operation: Mapping[str, Any]) -> Schema | None:
    body = operation.get("requestBody")
    if not body:
        return None
    content = body.get("content", {}).get("application/json")
    return None if content is None else content.get("schema")


def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join(
        f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part) for part in parts
    )
    return re.compile(f"^{regex}$")


def _json_path(error: jsonschema.ValidationError) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path]
    return "".join(parts).lstrip(".")


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rule(error: jsonschema.ValidationError) -> str:
    keyword = str(error.validator)
    limit = error.validator_value
    instance = error.instance
    if keyword in ("maxLength", "minLength") and isinstance(instance, str):
        return f"{keyword} {limit}: {len(instance)} characters ({_short(instance)})"
    if keyword == "enum":
        return f"enum {_short(limit, 300)}: {_short(instance)} is not one of them"
    if keyword == "additionalProperties":
        return f"not in the spec: {error.message}"
    if keyword in ("type", "format", "required", "maximum", "minimum", "maxItems", "minItems"):
        return f"{keyword} {_short(limit)}: {error.message}"
    return f"{keyword}: {error.message}"


class ZoomContract:
    """The subset spec, quirks corrected, ready to judge exchanges."""

    def __init__(self, spec: Mapping[str, Any] | None = None) -> None:
        raw = copy.deepcopy(dict(spec) if spec is not None else load_subset())
        for quirk in QUIRKS:
            quirk(raw)
        self.spec = raw
        self.operations: list[Operation] = []
        for template, item in raw["paths"].items():
            shared = item.get("parameters", [])
            for method, operation in item.items():
                if method == "parameters":
                    continue
                parameters = {(p["in"], p["name"]): p for p in shared}
                parameters.update(
                    {(p["in"], p["name"]): p for p in operation.get("parameters", [])}
                )
                self.operations.append(
                    Operation(template, method, _compile(template), operation, parameters)
                )
        # Literal segments win over templated ones: /registrants/status before /{registrantId}.
        self.operations.sort(key=lambda op: op.template.count("{"))
        self._validators: dict[tuple[int, bool], Draft4Validator] = {}

    # -- lookup --------------------------------------------------------------------------------

    def find(self, method: str, api_path: str) -> tuple[Operation, dict[str, str]] | None:
        for operation in self.operations:
            if operation.method != method.lower():
                continue
            match = operation.pattern.match(api_path)
            if match:
                return operation, {k: unquote(v) for k, v in match.groupdict().items()}
        return None

    def _validator(self, schema: Schema, *, strict_objects: bool) -> Draft4Validator:
        key = (id(schema), strict_objects)  # schemas live as long as self.spec
        validator = self._validators.get(key)
        if validator is None:
            converted = _draft4(schema, strict_objects=strict_objects)
            Draft4Validator.check_schema(converted)
            validator = Draft4Validator(converted, format_checker=FORMATS)
            self._validators[key] = validator
        return validator

    def _schema_errors(
        self, label: str, part: str, schema: Schema, instance: Any, *, strict_objects: bool
    ) -> Iterator[Violation]:
        validator = self._validator(schema, strict_objects=strict_objects)
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
            yield Violation(label, part, _json_path(error), _rule(error))

    # -- requests ------------------------------------------------------------------------------

    def check_request(
        self,
        method: str,
        api_path: str,
        query: Mapping[str, list[str]],
        content_type: str,
        body: bytes,
    ) -> list[Violation]:
        found = self.find(method, api_path)
        if found is None:
            known = sorted({op.label for op in self.operations if op.pattern.match(api_path)})
            rule = (
                f"the spec has no {method.upper()} here (it has {', '.join(known)})"
                if known
                else "no such path in the spec"
            )
            return [Violation(f"{method.upper()} {api_path}", "path", "", rule)]
        operation, path_values = found
        label = operation.label
        problems: list[Violation] = []
        for name, value in path_values.items():
            parameter = operation.parameters.get(("path", name))
            if parameter is None:
                problems.append(Violation(label, "path", name, "parameter not declared"))
                continue
            problems += self._parameter(label, "path", parameter, [value])
        for name, values in query.items():
            parameter = operation.parameters.get(("query", name))
            if parameter is None:
                problems.append(Violation(label, "query", name, "parameter not in the spec"))
                continue
            problems += self._parameter(label, "query", parameter, values)
        for (where, name), parameter in operation.parameters.items():
            if where == "query" and parameter.get("required") and name not in query:
                problems.append(Violation(label, "query", name, "required parameter missing"))
        problems += self._request_body(operation, content_type, body)
        return problems

    def _parameter(
        self, label: str, where: str, parameter: Mapping[str, Any], values: list[str]
    ) -> list[Violation]:
        name = parameter["name"]
        schema = parameter.get("schema", {})
        if len(values) > 1 and schema.get("type") != "array":
            return [Violation(label, where, name, f"sent {len(values)} times; the spec takes one")]
        value = _coerce(values[0], schema)
        if isinstance(value, _Unparsable):
            return [Violation(label, where, name, f"type {schema.get('type')}: {value}")]
        errors = self._schema_errors(label, where, schema, value, strict_objects=False)
        return [Violation(label, where, name, v.rule) for v in errors]

    def _request_body(
        self, operation: Operation, content_type: str, body: bytes
    ) -> list[Violation]:
        label = operation.label
        declared = operation.spec.get("requestBody")
        if not declared:
            if body.strip():
                return [Violation(label, "request body", "", "the spec takes no body here")]
            return []
        if not body.strip():
            if declared.get("required"):
                return [Violation(label, "request body", "", "required body missing")]
            return []
        if content_type.split(";", maxsplit=1)[0].strip().lower() != "application/json":
            return [
                Violation(label, "request body", "", f"content type {content_type!r}, not JSON")
            ]
        try:
            data = json.loads(body)
        except ValueError as exc:
            return [Violation(label, "request body", "", f"not JSON: {exc}")]
        schema = _request_schema(operation.spec)
        if schema is None:
            return []
        return list(self._schema_errors(label, "request body", schema, data, strict_objects=True))

    # -- responses -----------------------------------------------------------------------------

    def check_response(
        self, method: str, api_path: str, status: int, content_type: str, body: bytes
    ) -> list[Violation]:
        """The response against the schema for its status. Error statuses the spec leaves out
        (401, 429, 5xx: common to every Zoom call) are not judged; an undocumented success is."""
        found = self.find(method, api_path)
        if found is None:
            return []  # the request check already says so
        operation, _ = found
        label = operation.label
        part = f"response {status}"
        responses = operation.spec.get("responses", {})
        declared = responses.get(str(status)) or responses.get(f"{status // 100}XX")
        if declared is None:
            if status < 400:
                documented = ", ".join(sorted(responses))
                return [Violation(label, part, "", f"status not in the spec ({documented})")]
            return []
        content = declared.get("content", {})
        if not content:
            if body.strip() and status < 400:
                return [Violation(label, part, "", "the spec has no body for this status")]
            return []
        schema = content.get("application/json", {}).get("schema")
        if schema is None:
            return []
        if not content_type.lower().startswith("application/json"):
            return [Violation(label, part, "", f"content type {content_type!r}, not JSON")]
        try:
            data = json.loads(body)
        except ValueError as exc:
            return [Violation(label, part, "", f"not JSON: {exc}")]
        return list(self._schema_errors(label, part, schema, data, strict_objects=False))

    # -- exchanges -----------------------------------------------------------------------------

    def check(self, exchange: Exchange, *, requests: bool = True) -> list[Violation]:
        """Everything wrong with one Zoom REST exchange; nothing for OAuth or link pages."""
        if exchange.service != "zoom" or is_root_probe(exchange):
            return []
        if not exchange.path.startswith(API_PREFIX + "/"):
            if not requests:
                return []
            where = f"{exchange.method} {exchange.path}"
            return [Violation(where, "path", "", f"not under the REST API ({API_PREFIX})")]
        api_path = exchange.path[len(API_PREFIX) :]
        problems: list[Violation] = []
        if requests:
            problems += self.check_request(
                exchange.method,
                api_path,
                exchange.query,
                exchange.request_content_type,
                exchange.request_body,
            )
        if exchange.status and exchange.fault is None:
            problems += self.check_response(
                exchange.method,
                api_path,
                exchange.status,
                exchange.response_content_type,
                exchange.response_body,
            )
        return problems

    def operation_label(self, exchange: Exchange) -> str | None:
        if exchange.service != "zoom" or not exchange.path.startswith(API_PREFIX + "/"):
            return None
        found = self.find(exchange.method, exchange.path[len(API_PREFIX) :])
        return found[0].label if found else None


def is_root_probe(exchange: Exchange) -> bool:
    """``doctor``'s clock check: an unauthenticated GET of the API root, read only for its
    ``Date`` header (any status will do). Not an API operation, so not in the spec."""
    return (
        exchange.method == "GET"
        and exchange.path.rstrip("/") == API_PREFIX
        and not exchange.query
        and not exchange.request_body
    )


class _Unparsable(str):
    """A query value that cannot be read as its schema's type."""


def _coerce(value: str, schema: Mapping[str, Any]) -> Any:
    """A query or path string as the JSON value its schema describes (Zoom reads them so)."""
    kind = schema.get("type")
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            return _Unparsable(f"{value!r} is not an integer")
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            return _Unparsable(f"{value!r} is not a number")
    if kind == "boolean":
        if value in ("true", "false"):
            return value == "true"
        return _Unparsable(f"{value!r} is not true or false")
    return value


@cache
def load_subset() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SUBSET.read_text(encoding="utf-8"))
    return data


@cache
def contract() -> ZoomContract:
    return ZoomContract()


def format_violations(violations: Iterable[tuple[Violation, str]]) -> str:
    """One line per distinct violation, with how often and one request that showed it."""
    counts: dict[Violation, list[str]] = {}
    for violation, request in violations:
        counts.setdefault(violation, []).append(request)
    lines = []
    for violation, requests in counts.items():
        times = f" (x{len(requests)})" if len(requests) > 1 else ""
        lines.append(f"  - {violation}{times}\n      e.g. {requests[0]}")
    return "\n".join(lines)
