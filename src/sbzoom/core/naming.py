"""Naming SimplyBook providers and services on the command line: `providers`, `services` and
`report --provider/--service` all resolve names the same way.

A PROVIDER or SERVICE is its SimplyBook id, else its exact name; when no name matches exactly, a
name equal but for letter case is accepted if it is the only one. Two providers (or services)
sharing the name are ambiguous: the error lists them with their ids. Several names are all
resolved before anything is written; one bad name and nothing changes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import TypeVar

from sbzoom.clients.simplybook import Provider, Service
from sbzoom.errors import NotFoundError, UsageError
from sbzoom.ids import id_problem, parse_id

MAX_CANDIDATES = 20

Named = TypeVar("Named", Provider, Service)


def matching(ref: str, items: Sequence[Named]) -> list[Named]:
    """The items ``ref`` names: by id, else by exact name, else by name in any case."""
    text = ref.strip()
    number = parse_id(text)
    if number is not None:
        by_id = [item for item in items if item.id == number]
        if by_id:
            return by_id
    exact = [item for item in items if item.name == text]
    if exact:
        return exact
    return [item for item in items if item.name.casefold() == text.casefold()]


def describe(item: Provider | Service) -> str:
    return f"{item.id} {item.name}"


def _candidates(refs: Iterable[str], items: Sequence[Named]) -> list[str]:
    """Everything when the list is short; otherwise the names close to what was typed."""
    ordered = sorted(items, key=lambda i: i.id)
    if len(ordered) <= MAX_CANDIDATES:
        return [describe(i) for i in ordered]
    names = [i.name for i in ordered]
    close: list[str] = []
    for ref in refs:
        for name in difflib.get_close_matches(ref, names, n=MAX_CANDIDATES, cutoff=0.5):
            if name not in close:
                close.append(name)
    chosen = [i for i in ordered if i.name in close] or ordered[:MAX_CANDIDATES]
    return [describe(i) for i in chosen[:MAX_CANDIDATES]]


def resolve_all(refs: Sequence[str], items: Sequence[Named], kind: str) -> list[Named]:
    """Each ref as one item (duplicates once, in order), or one NotFoundError naming every bad
    ref: ``kind`` is "provider" or "service"."""
    found: list[Named] = []
    unknown: list[str] = []
    ambiguous: list[tuple[str, list[Named]]] = []
    for ref in refs:
        hits = matching(ref, items)
        if not hits:
            unknown.append(ref)
        elif len(hits) > 1:
            ambiguous.append((ref, hits))
        elif hits[0] not in found:
            found.append(hits[0])
    if not unknown and not ambiguous:
        return found
    problems: list[str] = []
    for ref in unknown:
        why = id_problem(ref)
        if why:  # '-3', '١٢': a try at an id, not a name nobody has
            raise UsageError(f"{kind.capitalize()} id {why}.", f"Name a {kind} by its id or name.")
    if unknown:
        quoted = ", ".join(f"'{r}'" for r in unknown)
        problems.append(
            f"No {kind} has the id or exact name {quoted}."
            if len(unknown) == 1
            else f"No {kind}s have the ids or exact names {quoted}."
        )
    for ref, hits in ambiguous:
        ids = ", ".join(str(h.id) for h in hits)
        problems.append(f"'{ref}' matches {len(hits)} {kind}s (ids {ids}).")
    if unknown:
        candidates = _candidates(unknown, items)
        hint = f"Name a {kind} by its id or exact name; 'sbzoom {kind}s list' shows them all."
    else:
        candidates = [describe(h) for _, hits in ambiguous for h in hits]
        hint = "Use the id to say which one."
    if ambiguous and unknown:
        hint += " Where a name is shared, use the id."
    raise NotFoundError(" ".join(problems), hint, candidates)


def resolve_one(ref: str, items: Sequence[Named], kind: str) -> Named:
    return resolve_all([ref], items, kind)[0]
