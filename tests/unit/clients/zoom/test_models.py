"""Zoom's typed values: request bodies, what a listing leaves unknown, text cut to limits."""

from __future__ import annotations

from datetime import datetime

import pytest

from sbzoom.clients.zoom import Meeting, MeetingRequest, cut_text


def test_naive_times_are_refused_before_anything_is_sent() -> None:
    with pytest.raises(ValueError, match="aware"):
        MeetingRequest(start_time=datetime(2026, 3, 10, 8, 0)).to_json()


def test_listing_answers_without_settings_leave_registration_unknown() -> None:
    assert Meeting(id=1).registration is None
    assert Meeting(id=1, approval_type=2).registration is False


def test_cut_text_never_splits_a_letter_from_its_accent() -> None:
    assert cut_text("abc", 5) == "abc"
    assert cut_text("ab e\u0301f", 4) == "ab"  # 'e' + accent would be torn at 4
    assert cut_text("abcde\u0301", 5) == "abcd"
    assert cut_text("x" * 300, 200) == "x" * 200
