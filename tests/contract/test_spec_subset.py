"""The committed subset of Zoom's spec: where it came from, that it is current, that it covers
every Zoom REST route the sandbox serves (so every call the client can make is judged)."""

from __future__ import annotations

import importlib.util
import json
import re
from types import ModuleType

import pytest

from sbzoom.sandbox import Sandbox
from tests.contract.zoom_spec import ROOT, SUBSET, load_subset

SCRIPT = ROOT / "specs" / "zoom" / "make_subset.py"


def make_subset_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_subset", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_subset_is_what_the_script_cuts_from_the_full_spec() -> None:
    script = make_subset_module()
    full = script.default_spec()
    if full is None:
        pytest.skip("Zoom's full spec (shared/specs/zoom-meeting-api.json) is not beside the repo")
    made = script.render(script.make_subset(full.read_bytes()))
    assert SUBSET.read_text(encoding="utf-8") == made, (
        "specs/zoom/meeting-api.subset.json is stale: run python specs/zoom/make_subset.py"
    )


def test_the_subset_says_where_it_came_from() -> None:
    info = load_subset()["info"]
    note = info["x-sbzoom-subset"]
    assert info["title"] == "Zoom Meeting API" and note["source_version"] == info["version"]
    assert re.fullmatch(r"[0-9a-f]{64}", note["source_sha256"])
    assert "shared/specs/zoom-meeting-api.json" in note["source"]
    assert len(note["operations"]) == len(make_subset_module().OPERATIONS)


def test_the_subset_stands_alone() -> None:
    assert '"$ref"' not in SUBSET.read_text(encoding="utf-8")


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")


def test_every_sandbox_zoom_rest_route_is_an_operation_of_the_subset_and_back() -> None:
    """A route (so a client call) the spec does not have would go unjudged: refuse it here."""
    zoom = Sandbox().zoom  # never started: only its routing table is read
    routes = [r for r in zoom.routes if r.pattern.pattern.startswith("^/v2/")]
    operations = [
        (template, method.upper())
        for template, item in load_subset()["paths"].items()
        for method in item
        if method != "parameters"
    ]
    # Instantiate each route's regex with a sample and find the spec template that matches it.
    samples = {r"([^/]+)": "12345", r"(\d+)": "12345"}
    served = set()
    for route in routes:
        sample = route.pattern.pattern[len("^/v2") : -1]
        for regex, value in samples.items():
            sample = sample.replace(regex, value)
        matching = [
            (t, m) for t, m in operations if m == route.method and _template_regex(t).match(sample)
        ]
        # Literal segments first, as Zoom routes them: /registrants/status before /{registrantId}
        matching.sort(key=lambda op: op[0].count("{"))
        assert matching, f"sandbox route {route.name} ({route.method} {sample}) is not in the spec"
        served.add(matching[0])
    assert served == set(operations), f"in the subset but not served: {set(operations) - served}"


def test_the_subset_is_valid_json_with_only_the_listed_operations() -> None:
    subset = json.loads(SUBSET.read_text(encoding="utf-8"))
    listed = {
        f"{method.upper()} {template}"
        for template, item in subset["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert listed == set(subset["info"]["x-sbzoom-subset"]["operations"])
