"""Use cases behind `sbzoom config`: read, change and list one profile's settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sbzoom.store.config import KEYS, Value, parse_value, spec_for

if TYPE_CHECKING:
    from sbzoom.store.config import ConfigStore, Profile


@dataclass(frozen=True)
class Setting:
    key: str
    value: Value | None
    source: str  # "config" or "default"


def get_value(profile: Profile, key: str) -> Value | None:
    spec_for(key)  # unknown keys are an error, not an empty answer
    return profile.get(key)


def set_value(config: ConfigStore, profile_name: str, key: str, raw: str) -> None:
    """Check ``raw`` against the key's rule, then write it (a profile is created by its first
    setting)."""
    value = parse_value(key, raw)
    config.set(profile_name, key, value)


def unset_value(config: ConfigStore, profile_name: str, key: str) -> None:
    spec_for(key)
    config.update(profile_name, {key: None})


def list_values(profile: Profile) -> list[Setting]:
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
