#!/usr/bin/env python3
"""Cut the part of Zoom's Meeting API OpenAPI spec that sbzoom uses into meeting-api.subset.json.

    python specs/zoom/make_subset.py [FULL_SPEC] [--check]

FULL_SPEC defaults to the first of ``$SBZOOM_ZOOM_SPEC``, ``../shared/specs/zoom-meeting-api.json``
and ``../../shared/specs/zoom-meeting-api.json`` (from the repository root) that exists.
``--check`` writes nothing and exits 1 when the committed subset differs from what the spec makes.

The subset keeps every operation in ``OPERATIONS`` exactly as Zoom wrote it (descriptions too),
with every ``$ref`` replaced by what it points to, so the file stands alone. Standard library only.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SUBSET = HERE / "meeting-api.subset.json"
SPEC_NAME = "zoom-meeting-api.json"

# Every Zoom REST operation sbzoom's client calls or the sandbox serves (path template, method).
# A new call in src/sbzoom/clients/zoom/api.py needs a line here and a re-run of this script.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("/users", "get"),
    ("/users/{userId}", "get"),
    ("/users/{userId}/meetings", "get"),
    ("/users/{userId}/meetings", "post"),
    ("/meetings/{meetingId}", "get"),
    ("/meetings/{meetingId}", "patch"),
    ("/meetings/{meetingId}", "delete"),
    ("/meetings/{meetingId}/registrants", "get"),
    ("/meetings/{meetingId}/registrants", "post"),
    ("/meetings/{meetingId}/registrants/status", "put"),
    ("/meetings/{meetingId}/registrants/{registrantId}", "get"),
    ("/meetings/{meetingId}/registrants/{registrantId}", "delete"),
)

SOURCE_NOTE = (
    "Zoom's public Meeting API OpenAPI document ('Zoom Meeting API', published by Zoom on its "
    "developer portal, developers.zoom.us), as kept in the project's shared/specs/"
    f"{SPEC_NAME}. Cut by specs/zoom/make_subset.py: only the operations listed here, $refs "
    "resolved; nothing else changed. See specs/zoom/README.md."
)


def default_spec() -> Path | None:
    candidates = [os.environ.get("SBZOOM_ZOOM_SPEC", "")]
    candidates += [str(ROOT.parent / "shared" / "specs" / SPEC_NAME)]
    candidates += [str(ROOT.parents[1] / "shared" / "specs" / SPEC_NAME)]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _resolve(node: Any, spec: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith("#/"):
                raise ValueError(f"external $ref not supported: {ref}")
            if ref in seen:
                raise ValueError(f"recursive $ref: {' -> '.join((*seen, ref))}")
            target: Any = spec
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            merged = {**copy.deepcopy(target), **{k: v for k, v in node.items() if k != "$ref"}}
            return _resolve(merged, spec, (*seen, ref))
        return {key: _resolve(value, spec, seen) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item, spec, seen) for item in node]
    return node


def make_subset(spec_bytes: bytes) -> dict[str, Any]:
    spec = json.loads(spec_bytes)
    paths: dict[str, Any] = {}
    for template, method in OPERATIONS:
        item = spec["paths"].get(template)
        if item is None or method not in item:
            raise SystemExit(f"make_subset: {method.upper()} {template} is not in the spec")
        entry = paths.setdefault(template, {})
        if "parameters" in item:  # path-level parameters apply to every method
            entry["parameters"] = _resolve(item["parameters"], spec)
        entry[method] = _resolve(item[method], spec)
    info = dict(spec["info"])
    info["x-sbzoom-subset"] = {
        "source": SOURCE_NOTE,
        "source_title": spec["info"].get("title", ""),
        "source_version": spec["info"].get("version", ""),
        "source_openapi": spec.get("openapi", ""),
        "source_sha256": hashlib.sha256(spec_bytes).hexdigest(),
        "operations": [f"{method.upper()} {template}" for template, method in OPERATIONS],
    }
    return {
        "openapi": spec["openapi"],
        "info": info,
        "servers": spec.get("servers", []),
        "paths": paths,
    }


def render(subset: dict[str, Any]) -> str:
    return json.dumps(subset, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    spec_path = Path(args[0]) if args else default_spec()
    if spec_path is None or not spec_path.is_file():
        print(
            f"make_subset: no full spec found; pass the path to {SPEC_NAME} "
            "(or set SBZOOM_ZOOM_SPEC).",
            file=sys.stderr,
        )
        return 2
    text = render(make_subset(spec_path.read_bytes()))
    if check:
        current = SUBSET.read_text(encoding="utf-8") if SUBSET.exists() else ""
        if current != text:
            print(
                f"make_subset: {SUBSET.relative_to(ROOT)} is stale; "
                "run python specs/zoom/make_subset.py",
                file=sys.stderr,
            )
            return 1
        print(f"make_subset: {SUBSET.relative_to(ROOT)} matches {spec_path}")
        return 0
    SUBSET.write_text(text, encoding="utf-8")
    print(f"make_subset: wrote {SUBSET.relative_to(ROOT)} ({len(OPERATIONS)} operations)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
