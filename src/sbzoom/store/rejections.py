"""Sign-ins a service refused, remembered so that sbzoom never tries the same credentials twice.

A wrong SimplyBook password in a cron job would otherwise be tried on every run until SimplyBook
locks the login (403 "Too many login attempts"), after which the right password is locked out
too; a Zoom app whose secret was rotated (``invalid_client``) would be asked for a token on every
run. So after a refusal sbzoom keeps a *fingerprint* of the credentials it used, and refuses to
send the same ones again until they change or an admin signs in again with ``sbzoom auth login``.

The fingerprint is scrypt over ``service``, the non-secret identity (company and login, or
account and client id) and the secret, with a random salt made once per data dir: it tells
"the same credentials as last time" from "different ones", and is slow to brute-force.  The
secret itself is never stored.  The file, ``<data dir>/rejected-sign-ins.json``, is written
atomically under a lock, with mode 0600.

A refusal that means "locked for now" (SimplyBook's 403) is remembered for a while only
(``retry_after``); a refusal of the credentials themselves is remembered until they change.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sbzoom.store.files import atomic_write, file_lock
from sbzoom.store.problems import read_text

FILE_NAME = "rejected-sign-ins.json"


@dataclass(frozen=True)
class Rejection:
    service: str  # "simplybook" | "zoom"
    who: str  # what the user recognises: "login 'admin' at company 'acme'", never a secret
    at: datetime
    reason: str  # the service's refusal, as sbzoom reported it
    until: datetime | None  # None: until the credentials change or `auth login` runs


class RejectionMemory:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME

    @property
    def _lock(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def _read(self) -> dict[str, Any]:
        text = read_text(self.path, "the record of refused sign-ins", missing_ok=True)
        if text is None:
            return {}
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return {}  # unreadable: forget it (the worst case is one more try), rewrite on record
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _fingerprint(salt: str, service: str, identity: tuple[str, ...], secret: str) -> str:
        material = "\0".join((service, *identity, secret)).encode("utf-8")
        digest = hashlib.scrypt(material, salt=bytes.fromhex(salt), n=2**14, r=8, p=1, dklen=32)
        return digest.hex()

    def find(
        self, service: str, identity: tuple[str, ...], secret: str, now: datetime
    ) -> Rejection | None:
        """The remembered refusal of exactly these credentials, if one still holds."""
        data = self._read()
        entries = [e for e in data.get("entries", []) if _valid(e) and e["service"] == service]
        salt = data.get("salt")
        if not entries or not isinstance(salt, str):
            return None  # nothing remembered: no hashing at all on the common path
        try:
            mark = self._fingerprint(salt, service, identity, secret)
        except ValueError:
            return None
        for entry in entries:
            if not secrets.compare_digest(entry["fingerprint"], mark):
                continue
            rejection = _rejection(entry)
            if rejection.until is None or now < rejection.until:
                return rejection
        return None

    def record(
        self,
        service: str,
        identity: tuple[str, ...],
        secret: str,
        *,
        who: str,
        reason: str,
        now: datetime,
        retry_after: timedelta | None = None,
    ) -> None:
        with file_lock(self._lock):
            data = self._read()
            salt = data.get("salt")
            if not isinstance(salt, str) or len(salt) != 32:
                salt = secrets.token_hex(16)
                data = {"entries": []}
            mark = self._fingerprint(salt, service, identity, secret)
            kept = [
                e
                for e in data.get("entries", [])
                if _valid(e) and not (e["service"] == service and e["fingerprint"] == mark)
            ]
            kept.append(
                {
                    "service": service,
                    "fingerprint": mark,
                    "who": who,
                    "at": now.isoformat(),
                    "reason": reason,
                    "until": (now + retry_after).isoformat() if retry_after else None,
                }
            )
            self._write({"version": 1, "salt": salt, "entries": kept[-50:]})

    def forget(self, service: str) -> int:
        """Forget every refusal of ``service`` (an admin is signing in again); how many."""
        if not self.path.exists():
            return 0
        with file_lock(self._lock):
            data = self._read()
            entries = [e for e in data.get("entries", []) if _valid(e)]
            kept = [e for e in entries if e["service"] != service]
            if len(kept) != len(entries):
                self._write({**data, "entries": kept})
            return len(entries) - len(kept)

    def _write(self, data: dict[str, Any]) -> None:
        atomic_write(self.path, json.dumps(data, indent=1).encode("utf-8"), mode=0o600)


def _valid(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and all(isinstance(entry.get(k), str) for k in ("service", "fingerprint", "who", "at"))
        and isinstance(entry.get("until"), str | None)
    )


def _rejection(entry: dict[str, Any]) -> Rejection:
    def when(text: object) -> datetime | None:
        try:
            moment = datetime.fromisoformat(str(text))
        except ValueError:
            return None
        return moment if moment.tzinfo is not None else None

    at = when(entry["at"])
    return Rejection(
        service=entry["service"],
        who=entry["who"],
        at=at or datetime.fromisoformat("1970-01-01T00:00:00+00:00"),
        reason=str(entry.get("reason") or ""),
        until=when(entry["until"]) if entry.get("until") else None,
    )
