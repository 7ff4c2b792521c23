"""The memory of refused sign-ins (store/rejections.py) and the id and template rules."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sbzoom.ids import id_problem, parse_id
from sbzoom.store.config import PLACEHOLDERS, template_problem
from sbzoom.store.rejections import RejectionMemory

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
WHO = ("acme", "admin")


def test_a_refusal_is_found_for_the_same_credentials_only(tmp_path: Path) -> None:
    memory = RejectionMemory(tmp_path)
    assert memory.find("simplybook", WHO, "wrong", NOW) is None  # nothing yet, no file
    assert not memory.path.exists()
    memory.record("simplybook", WHO, "wrong", who="login 'admin'", reason="No.", now=NOW)
    found = memory.find("simplybook", WHO, "wrong", NOW + timedelta(days=30))
    assert found is not None and found.who == "login 'admin'" and found.until is None
    assert memory.find("simplybook", WHO, "right", NOW) is None  # a new password is tried
    assert memory.find("simplybook", ("acme", "other"), "wrong", NOW) is None
    assert memory.find("zoom", WHO, "wrong", NOW) is None


def test_the_secret_is_never_stored_and_the_file_is_private(tmp_path: Path) -> None:
    memory = RejectionMemory(tmp_path)
    memory.record("zoom", ("s2s", "acc", "cid"), "hunter2-secret", who="app", reason="x", now=NOW)
    text = memory.path.read_text()
    assert "hunter2" not in text and "secret" not in text
    assert stat.S_IMODE(memory.path.stat().st_mode) == 0o600
    salt = json.loads(text)["salt"]
    other = RejectionMemory(tmp_path / "elsewhere")
    other.record("zoom", ("s2s", "acc", "cid"), "hunter2-secret", who="app", reason="x", now=NOW)
    # A salt per data dir: the same secret leaves different fingerprints in two places.
    assert json.loads(other.path.read_text())["salt"] != salt
    mine = json.loads(text)["entries"][0]["fingerprint"]
    assert json.loads(other.path.read_text())["entries"][0]["fingerprint"] != mine


def test_a_lock_out_is_remembered_for_a_while_only(tmp_path: Path) -> None:
    memory = RejectionMemory(tmp_path)
    memory.record(
        "simplybook", WHO, "pw", who="w", reason="locked", now=NOW,
        retry_after=timedelta(minutes=15),
    )  # fmt: skip
    assert memory.find("simplybook", WHO, "pw", NOW + timedelta(minutes=14)) is not None
    assert memory.find("simplybook", WHO, "pw", NOW + timedelta(minutes=15)) is None


def test_forget_clears_one_service(tmp_path: Path) -> None:
    memory = RejectionMemory(tmp_path)
    memory.record("simplybook", WHO, "a", who="w", reason="r", now=NOW)
    memory.record("zoom", WHO, "a", who="w", reason="r", now=NOW)
    assert memory.forget("simplybook") == 1
    assert memory.find("simplybook", WHO, "a", NOW) is None
    assert memory.find("zoom", WHO, "a", NOW) is not None


def test_an_unreadable_memory_is_forgotten_not_fatal(tmp_path: Path) -> None:
    memory = RejectionMemory(tmp_path)
    memory.path.write_text("{half")
    assert memory.find("simplybook", WHO, "a", NOW) is None
    memory.record("simplybook", WHO, "a", who="w", reason="r", now=NOW)  # rewritten whole
    assert memory.find("simplybook", WHO, "a", NOW) is not None


@pytest.mark.parametrize(
    ("text", "number", "problem"),
    [
        ("12", 12, None),
        (" 7 ", 7, None),
        ("١٢", None, "digits other than 0-9"),
        ("１２", None, "digits other than 0-9"),
        ("-3", None, "negative"),
        ("−3", None, "negative"),
        ("+4", None, "not a plain number"),
        ("1_000", None, "not a plain number"),
        ("9" * 30, None, "too long"),
        ("Ben Okafor", None, None),
        ("²", None, None),
    ],
)
def test_ids_are_ascii_digits(text: str, number: int | None, problem: str | None) -> None:
    assert parse_id(text) == number
    found = id_problem(text)
    assert (found is None) if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize(
    "template",
    ["{service} with {provider}", "", "{date} {time} {code} {booking_id} {client}", "{{x}}"],
)
def test_templates_with_documented_placeholders_pass(template: str) -> None:
    assert template_problem(template, PLACEHOLDERS) is None


@pytest.mark.parametrize(
    "template",
    ["{service.upper}", "{client[0]}", "{code!r}", "{service:>9}", "{}", "{0}", "{x}", "{", "}"],
)
def test_templates_with_anything_else_are_refused(template: str) -> None:
    assert template_problem(template, PLACEHOLDERS) is not None
