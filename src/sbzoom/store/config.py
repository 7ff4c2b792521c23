"""The config file: one TOML table per profile, validated key by key, written atomically.

Layout on disk (``[profile.section]`` tables)::

    [default.simplybook]
    company = "acme"
    timezone = "Europe/Copenhagen"

    [default.providers]
    "3" = "zoom-user-id"

    [default.services]
    "7" = "class"

Keys are addressed with dots, without the profile: ``simplybook.timezone``, ``providers.3``.
Secrets never live here: the schema has no key for them, so they cannot be set by mistake.
"""

from __future__ import annotations

import re
import stat
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomli_w

from sbzoom.errors import ConfigError, UsageError
from sbzoom.store.files import atomic_write, file_lock, make_dir
from sbzoom.store.problems import CONFIG_MOVE, check_writable, read_text

Value = str | int | float | bool


@dataclass(frozen=True)
class KeySpec:
    kind: type  # str, bool, float
    help: str
    default: Value | None = None
    check: Callable[[Value], str | None] | None = None  # returns a problem, or None


def _timezone(value: Value) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        return "is not an IANA time zone (for example Europe/Copenhagen or America/New_York)"
    return None


def masked(value: Value) -> str:
    """``repr(value)`` for a message, with any password in a URL (``//user:pw@``) hidden."""
    return re.sub(r"//[^/@\s]*@", "//***@", repr(value))


def url_problem(value: Value) -> str | None:
    text = str(value)
    if text != text.strip() or any(c.isspace() or ord(c) < 32 for c in text):
        return "must be an http(s) URL without spaces"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http(s) URL such as https://api.zoom.us/v2"
    if parts.username is not None or parts.password is not None:
        return "must not carry a user name or password (secrets never live in the config file)"
    if parts.query or parts.fragment:
        return "must be a base URL, without ?query or #fragment"
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number in 0..65535)
    except ValueError:
        return "has a port that is not a number from 1 to 65535"
    return None


def _one_of(*choices: str) -> Callable[[Value], str | None]:
    def check(value: Value) -> str | None:
        return None if value in choices else "must be one of " + ", ".join(choices)

    return check


# Request rates: below this a run would wait minutes between calls (1e-9 would never finish);
# above it the pacing stops meaning anything.
MIN_RPS, MAX_RPS = 0.1, 10000.0


def _rate(value: Value) -> str | None:
    rate = float(value)
    if not MIN_RPS <= rate <= MAX_RPS:  # also refuses nan and inf
        return f"must be a number of requests per second from {MIN_RPS:g} to {MAX_RPS:g}"
    return None


def _name(value: Value) -> str | None:
    """A login, id or name: not empty, no surrounding spaces, no control characters."""
    text = str(value)
    if not text.strip():
        return "must not be empty"
    if text != text.strip() or any(ord(c) < 32 or ord(c) == 127 for c in text):
        return "must not have spaces around it or control characters in it"
    return None


# The placeholders meeting templates may use: plain names, nothing else (no {service.upper},
# {client[0]}, {code!r} or format specs: those would put Python internals into a topic).
PLACEHOLDERS = ("service", "provider", "client", "code", "booking_id", "date", "time")


def _meeting_template(value: Value) -> str | None:
    return template_problem(str(value), PLACEHOLDERS)


def _seconds(value: Value) -> str | None:
    number = float(value)
    ok = 0 <= number <= 86400  # False for NaN too
    return None if ok else "must be a number of seconds from 0 to 86400"


def _passcode(value: Value) -> str | None:
    text = str(value)
    if text in ("auto", "none") or re.fullmatch(r"[A-Za-z0-9@\-_*]{1,10}", text):
        return None
    return "must be auto, none, or up to 10 characters of A-Z a-z 0-9 @ - _ *"


# What a notice template may use: the meeting.topic placeholders plus the link and passcode.
NOTICE_PLACEHOLDERS = (
    "service", "provider", "client", "code", "booking_id", "date", "time", "join_url", "passcode",
)  # fmt: skip


def template_problem(text: str, allowed: tuple[str, ...]) -> str | None:
    """Why a ``str.format`` template is unsafe or unfillable, or None.

    Only bare documented names are allowed: ``{join_url}``, never ``{join_url.__class__}``,
    ``{client[0]}``, a conversion or a format spec (the admin's text is not code).
    """
    import string

    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        return f"is not a valid template ({exc}; write a literal brace as {{{{ or }}}})"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            names = " ".join("{" + a + "}" for a in allowed)
            return f"uses {shown}; only {names} are allowed"
    return None


def _notice_template(value: Value) -> str | None:
    return template_problem(str(value), NOTICE_PLACEHOLDERS)


def _email(value: Value) -> str | None:
    ok = re.fullmatch(r"[^@\s<>\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", str(value))
    return None if ok else "must be an e-mail address such as bookings@example.com"


def _port(value: Value) -> str | None:
    return None if 0 < int(value) < 65536 else "must be a port number (1-65535)"


def _domain(value: Value) -> str | None:
    ok = re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", str(value))
    return None if ok else "must be a domain such as simplybook.me or simplybook.it"


# zoom.max_rps is the Medium-category ceiling sbzoom keeps under (Light gets 4/3 of it; see
# clients/zoom/api.py). Zoom's Medium limit is 2/s on Free, 20/s on Pro, 60/s on Business+, per
# account and shared by every app installed on it (developers.zoom.us/docs/api/rate-limits/).
# The default, 10/s, is half of Pro's: Pro is the cheapest plan whose licensed users can host
# class meetings with registration, and the other half stays free for the account's other apps
# (SimplyBook's own Zoom feature, calendar sync…). A Free account needs 'zoom.max_rps 2';
# Business+ accounts may raise it to 30-60. Creates are Medium, so this is also about the most
# bookings per second a first run links.
DEFAULT_ZOOM_MAX_RPS = 10.0

KEYS: dict[str, KeySpec] = {
    "simplybook.company": KeySpec(str, "SimplyBook company login", None, _name),
    "simplybook.login": KeySpec(str, "SimplyBook user login", None, _name),
    "simplybook.domain": KeySpec(str, "regional domain", "simplybook.me", _domain),
    "simplybook.api_url": KeySpec(str, "REST API base URL (overrides domain)", None, url_problem),
    "simplybook.timezone": KeySpec(str, "company time zone (IANA)", None, _timezone),
    "simplybook.max_rps": KeySpec(float, "request rate ceiling", 2.0, _rate),
    "zoom.mode": KeySpec(str, "oauth or s2s", None, _one_of("oauth", "s2s")),
    "zoom.account_id": KeySpec(str, "Zoom account id (s2s)", None, _name),
    "zoom.client_id": KeySpec(str, "Zoom app client id", None, _name),
    "zoom.api_url": KeySpec(str, "Zoom REST base URL", "https://api.zoom.us/v2", url_problem),
    "zoom.oauth_url": KeySpec(str, "Zoom OAuth base URL", "https://zoom.us", url_problem),
    "zoom.max_rps": KeySpec(
        float, "Medium-category requests/s (Light: 4/3 of it)", DEFAULT_ZOOM_MAX_RPS, _rate
    ),
    "meeting.topic": KeySpec(
        str, "topic template (empty: the default)", "{service} with {provider}", _meeting_template
    ),
    "meeting.agenda": KeySpec(
        str, "agenda template", "Booking {code} for {client}", _meeting_template
    ),
    "meeting.waiting_room": KeySpec(bool, "waiting room on", True),
    "meeting.passcode": KeySpec(str, "auto, none or a fixed passcode", "auto", _passcode),
    "meeting.auto_recording": KeySpec(
        str, "none, local or cloud", "none", _one_of("none", "local", "cloud")
    ),
    "meeting.join_before_host": KeySpec(bool, "let clients join before the host", False),
    "write_back": KeySpec(str, "none or comment", "none", _one_of("none", "comment")),
    "link.lock_timeout": KeySpec(
        float, "seconds `bookings link` waits for another run of the profile", 300.0, _seconds
    ),
    "smtp.host": KeySpec(str, "SMTP server that sends the notices"),
    "smtp.port": KeySpec(int, "SMTP port (default by security: 587, 465 or 25)", None, _port),
    "smtp.security": KeySpec(
        str, "starttls, ssl or none", "starttls", _one_of("starttls", "ssl", "none")
    ),
    "smtp.username": KeySpec(str, "SMTP login (password: secret store or SBZOOM_SMTP_PASSWORD)"),
    "smtp.from": KeySpec(str, "sender address of the notices", None, _email),
    "notify.email": KeySpec(bool, "e-mail each client and provider their link and invite", False),
    "notify.class_via": KeySpec(
        str, "email (sbzoom) or zoom (Zoom's registrant e-mail)", "email", _one_of("email", "zoom")
    ),
    "notify.client_subject": KeySpec(
        str,
        "client e-mail subject template",
        "{service} with {provider} on {date} at {time}",
        _notice_template,
    ),
    "notify.client_body": KeySpec(
        str,
        "client e-mail body template",
        "Hello {client},\n\nyour {service} with {provider} is on {date} at {time}.\n\n"
        "Join the video meeting: {join_url}\nPasscode: {passcode}\n\n"
        "The calendar invite is attached.\n",
        _notice_template,
    ),
    "notify.provider_subject": KeySpec(
        str,
        "provider e-mail subject template",
        "{service} on {date} at {time}: {client}",
        _notice_template,
    ),
    "notify.provider_body": KeySpec(
        str,
        "provider e-mail body template",
        "Hello {provider},\n\n{service} on {date} at {time} with {client}.\n\n"
        "Start the meeting by signing in to Zoom as its host; the link for clients is "
        "{join_url} (passcode {passcode}).\n\nThe calendar invite is attached.\n",
        _notice_template,
    ),
    "listen.public_url": KeySpec(
        str, "public base URL of 'sbzoom listen' (what SimplyBook and Zoom call)", None, url_problem
    ),
}

# Families of keys whose last part is an id: ``providers.<id>`` and ``services.<id>``.
FAMILIES: dict[str, KeySpec] = {
    "providers": KeySpec(
        str, "Zoom user id hosting this SimplyBook provider's meetings", None, _name
    ),
    "services": KeySpec(str, "online or class", None, _one_of("online", "class")),
}

PROFILE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def spec_for(key: str) -> KeySpec:
    if key in KEYS:
        return KEYS[key]
    family, _, ident = key.partition(".")
    if family in FAMILIES and ident:
        from sbzoom.ids import id_problem, parse_id

        number = parse_id(ident)
        if number is None or str(number) != ident:
            why = id_problem(ident)
            raise UsageError(
                f"'{key}': the part after '{family}.' must be a numeric id"
                + (f" ({why})." if why else " written with the digits 0-9, without leading zeros."),
                f"For example '{family}.{number if number is not None else 3}'.",
            )
        return FAMILIES[family]
    known = ", ".join([*KEYS, "providers.<id>", "services.<id>"])
    raise UsageError(f"Unknown config key '{key}'.", f"Known keys: {known}.")


def parse_value(key: str, raw: str) -> Value:
    """Turn a command-line string into the key's type, or raise naming the key and the rule."""
    spec = spec_for(key)
    value: Value
    if spec.kind is bool:
        lowered = raw.strip().lower()
        if lowered in ("true", "yes", "on", "1"):
            value = True
        elif lowered in ("false", "no", "off", "0"):
            value = False
        else:
            raise UsageError(f"'{key}' must be true or false, not '{raw}'.")
    elif spec.kind is int:
        try:
            value = int(raw)
        except ValueError:
            raise UsageError(f"'{key}' must be a whole number, not '{raw}'.") from None
    elif spec.kind is float:
        try:
            value = float(raw)
        except ValueError:
            raise UsageError(f"'{key}' must be a number, not '{raw}'.") from None
    else:
        value = raw
    _check(key, spec, value, UsageError)
    return value


def _check(key: str, spec: KeySpec, value: object, error: type[Exception]) -> None:
    kind_ok = isinstance(value, spec.kind) and not (
        spec.kind is not bool and isinstance(value, bool)
    )
    if spec.kind is float and isinstance(value, int) and not isinstance(value, bool):
        kind_ok = True
    if not kind_ok:
        raise error(f"'{key}' must be a {spec.kind.__name__}, not {type(value).__name__}.")
    if spec.check is not None:
        assert isinstance(value, str | int | float | bool)
        problem = spec.check(value)
        if problem:
            raise error(f"'{key}' = {masked(value)} {problem}.")


@dataclass
class Profile:
    """The settings of one profile, flattened to dotted keys."""

    name: str
    values: dict[str, Value] = field(default_factory=dict)
    exists: bool = True

    def get(self, key: str) -> Value | None:
        if key in self.values:
            return self.values[key]
        return spec_for(key).default

    def text(self, key: str) -> str | None:
        value = self.get(key)
        return None if value is None else str(value)

    def family(self, name: str) -> dict[str, str]:
        prefix = name + "."
        return {k[len(prefix) :]: str(v) for k, v in self.values.items() if k.startswith(prefix)}


class ConfigStore:
    """Reads and writes ``config.toml``; a write re-reads under a lock, then replaces atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def _lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def _read_document(self) -> dict[str, Any]:
        text = read_text(self.path, "the config file", missing_ok=True)
        if text is None:
            return {}
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                f"Config file {self.path} is not valid TOML: {exc}.",
                "Fix that line in an editor; sbzoom has not changed the file.",
            ) from None

    def profiles(self) -> list[str]:
        return sorted(self._read_document())

    def load(self, name: str) -> Profile:
        document = self._read_document()
        if name not in document:
            return Profile(name, {}, exists=False)
        return Profile(name, self._flatten(name, document[name]), exists=True)

    def _flatten(self, name: str, table: object) -> dict[str, Value]:
        where = f"in {self.path}, profile [{name}]"
        if not isinstance(table, dict):
            raise ConfigError(f"'{name}' {where} must be a table of settings.")
        flat: dict[str, Value] = {}
        for key, value in _walk(table):
            try:
                spec = spec_for(key)
                _check(key, spec, value, ConfigError)
            except (UsageError, ConfigError) as exc:
                raise ConfigError(
                    f"{exc.message.rstrip('.')} {where}{_line_of(self.path, key)}.",
                    f"Fix or remove it with 'sbzoom --profile {name} config unset {key}' "
                    "or by editing the file.",
                ) from None
            assert isinstance(value, str | int | float | bool)
            flat[key] = float(value) if spec.kind is float else value
        return flat

    def set(self, name: str, key: str, value: Value) -> None:
        self.update(name, {key: value})

    def update(self, name: str, changes: Mapping[str, Value | None]) -> None:
        """Apply several changes at once (``None`` removes a key): all of them land, or none."""
        if not PROFILE_NAME.fullmatch(name):
            raise UsageError(f"Profile name '{name}' may only hold letters, digits, - and _.")
        for key, value in changes.items():
            spec = spec_for(key)
            if value is not None:
                _check(key, spec, value, UsageError)
        make_dir(self.path.parent, "the config file", move=CONFIG_MOVE)
        with file_lock(self._lock_path):
            document = self._read_document()
            table = document.setdefault(name, {})
            # Refuse to rewrite a profile that is already broken, unless the change only
            # removes keys (the fix the error suggests) and leaves the profile valid.
            mending = isinstance(table, dict) and all(v is None for v in changes.values())
            if not mending:
                self._flatten(name, table)
            for key, value in changes.items():
                section, _, leaf = key.rpartition(".")
                node = table
                for part in section.split(".") if section else []:
                    node = node.setdefault(part, {})
                if value is None:
                    node.pop(leaf, None)
                else:
                    node[leaf] = value
            _prune(table)
            self._flatten(name, table)
            if not table:
                document.pop(name, None)
            check_writable(self.path, "the config file")
            atomic_write(
                self.path,
                tomli_w.dumps(document).encode("utf-8"),
                mode=_mode_of(self.path, default=0o644),
                what="the config file",
            )


def _mode_of(path: Path, default: int) -> int:
    """The file's permission bits, kept across a rewrite (a 0600 config stays 0600)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return default


def _walk(table: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, object]]:
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and dotted not in KEYS:
            yield from _walk(value, dotted + ".")
        else:
            yield dotted, value


def _prune(table: dict[str, Any]) -> None:
    for key in list(table):
        if isinstance(table[key], dict):
            _prune(table[key])
            if not table[key]:
                del table[key]


def _line_of(path: Path, key: str) -> str:
    """Best-effort ', line N' for where a key's leaf is assigned, to point the user at it."""
    leaf = key.rpartition(".")[2]
    pattern = re.compile(rf"^\s*\"?{re.escape(leaf)}\"?\s*=")
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.match(line):
                return f", line {number}"
    except OSError:
        pass
    return ""
