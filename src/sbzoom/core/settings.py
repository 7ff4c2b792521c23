"""Use cases behind `sbzoom config`: read, change and list one profile's settings."""

from __future__ import annotations

from dataclasses import dataclass

from sbzoom.context import Context
from sbzoom.store.config import KEYS, Value, parse_value, spec_for


@dataclass(frozen=True)
class Setting:
    key: str
    value: Value | None
    source: str  # "config" or "default"


def format_value(value: Value | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def get_value(context: Context, key: str) -> Value | None:
    spec_for(key)  # unknown keys are an error, not an empty answer
    return context.profile.get(key)


def set_value(context: Context, key: str, raw: str) -> None:
    value = parse_value(key, raw)
    context.config.set(context.profile_name, key, value)
    context.reload_profile()


def unset_value(context: Context, key: str) -> None:
    spec_for(key)
    context.config.update(context.profile_name, {key: None})
    context.reload_profile()


def list_values(context: Context) -> list[Setting]:
    profile = context.profile
    rows = [
        Setting(
            key,
            profile.values.get(key, spec.default),
            "config" if key in profile.values else "default",
        )
        for key, spec in KEYS.items()
    ]
    rows += [
        Setting(key, value, "config")
        for key, value in sorted(profile.values.items())
        if key not in KEYS
    ]
    return rows
