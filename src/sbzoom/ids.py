"""Numeric ids as people type them: ASCII digits only.

``str.isdigit`` and ``int`` accept far more than ``0-9``: Arabic-Indic '١٢', fullwidth '１２',
superscripts. An id typed with those would silently name booking 12 (or fail deep inside), so
every id sbzoom reads from a person goes through :func:`parse_id`, which says what is wrong.
"""

from __future__ import annotations

import re
import unicodedata

ASCII_ID = re.compile(r"[0-9]{1,18}")


def parse_id(text: str) -> int | None:
    """The id ``text`` spells with ASCII digits (spaces around it allowed), else None."""
    value = text.strip()
    return int(value) if ASCII_ID.fullmatch(value) else None


def id_problem(text: str) -> str | None:
    """Why ``text`` is not an id, when it looks like a try at one; None when it is one, or when
    it is plainly something else (a name)."""
    value = text.strip()
    if ASCII_ID.fullmatch(value):
        return None
    body = value[1:] if value[:1] in "-+−" else value
    if body and all(unicodedata.category(c) == "Nd" or c in "_," for c in body):
        ascii_digits = "".join(str(unicodedata.digit(c)) for c in body if c not in "_,")
        if value[:1] in "-−":
            return f"'{text}' is negative: ids are whole numbers from 0 up"
        if not body.isascii():
            return (
                f"'{text}' is written with digits other than 0-9; type it with ASCII digits "
                f"({ascii_digits})"
            )
        if value[:1] == "+" or not body.isdigit():
            return f"'{text}' is not a plain number; write it as {ascii_digits}"
        return f"'{text}' is too long to be an id"
    return None
