"""Naming providers and services on the command line (core.naming)."""

from __future__ import annotations

import pytest

from sbzoom.clients.simplybook import Provider
from sbzoom.core.naming import resolve_all, resolve_one
from sbzoom.errors import ExitCode, NotFoundError
from tests.unit.core.studio import ALICE, BEN, CHLOE, INTRO, NUTRITION, provider, service


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("2", BEN),  # an id
        ("Ben Okafor", BEN),  # the exact name
        ("  Ben Okafor ", BEN),  # surrounding blanks do not count
        ("ben okafor", BEN),  # the only name equal but for case
    ],
)
def test_a_provider_is_named_by_id_or_exact_name(ref: str, expected: Provider) -> None:
    assert resolve_one(ref, [ALICE, BEN, CHLOE], "provider") == expected


def test_an_id_wins_over_a_name_made_of_digits() -> None:
    digits = provider(9, "2", None)
    assert resolve_one("2", [BEN, digits], "provider") == BEN
    assert resolve_one("9", [BEN, digits], "provider") == digits


def test_an_exact_name_wins_over_one_that_differs_in_case() -> None:
    lower, upper = service(1, "yoga"), service(2, "Yoga")
    assert resolve_one("Yoga", [lower, upper], "service") == upper


def test_a_part_of_a_name_is_not_a_name() -> None:
    with pytest.raises(NotFoundError) as caught:
        resolve_one("Ben", [ALICE, BEN], "provider")
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.candidates == ["1 Alice Romero", "2 Ben Okafor"]


def test_a_shared_name_is_ambiguous_and_lists_only_the_namesakes() -> None:
    twin = provider(8, "Ben Okafor", "other@example.com")
    with pytest.raises(NotFoundError) as caught:
        resolve_one("Ben Okafor", [ALICE, BEN, twin], "provider")
    assert "matches 2 providers (ids 2, 8)" in caught.value.message
    assert caught.value.candidates == ["2 Ben Okafor", "8 Ben Okafor"]
    assert caught.value.hint is not None and "id" in caught.value.hint


def test_every_bad_name_is_reported_at_once() -> None:
    with pytest.raises(NotFoundError) as caught:
        resolve_all(["1", "Nope", "Yoga!"], [INTRO, NUTRITION], "service")
    assert "'Nope', 'Yoga!'" in caught.value.message


def test_a_long_list_offers_the_close_names_as_candidates() -> None:
    many = [service(i, f"Service number {i}") for i in range(1, 60)]
    many.append(service(99, "Pilates Reformer"))
    with pytest.raises(NotFoundError) as caught:
        resolve_one("Pilates Reformr", many, "service")
    assert caught.value.candidates == ["99 Pilates Reformer"]


def test_repeated_names_resolve_once() -> None:
    assert resolve_all(["1", "Intro Consultation"], [INTRO], "service") == [INTRO]
