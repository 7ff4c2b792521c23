"""Doctor's pure checks of the setup: config, secret store, sign-ins, scopes, rate, time zone,
SimplyBook's reads, ledger, listener and clock. Each takes facts and returns one ``Check``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sbzoom.clients.zoom.scopes import SCOPE_TABLE
from sbzoom.core.doctor.model import (
    FAIL,
    OK,
    WARN,
    BookingSample,
    Check,
    ConfigInfo,
    Findings,
    LedgerInfo,
    ListenerInfo,
    SecretInfo,
    ServerTime,
    SimplyBookLogin,
    ZoomLogin,
)
from sbzoom.store.config import Profile

CLOCK_WARN_SECONDS = 60.0
CLOCK_FAIL_SECONDS = 300.0
CLOCK_RESOLUTION = 2.0
CLOCK_FIX = (
    "Turn on network time sync: 'sudo timedatectl set-ntp true' (Linux), or System Settings → "
    "General → Date & Time → Set time automatically (macOS)."
)
SCOPE_FIX = (
    "Add them to the app in the Zoom Marketplace (Manage → your app → Scopes), then sign in "
    "again with 'sbzoom auth login zoom' (Server-to-Server apps: 'sbzoom auth login zoom --s2s', "
    "or just run again when the credentials come from SBZOOM_ZOOM_*)."
)

# The scopes sbzoom's calls use come from one table (clients/zoom/scopes.py), shared with the
# client that names a missing scope: doctor never asks for a scope nothing uses.
NEEDED_SCOPES: dict[str, tuple[str, ...]] = {
    need.granular: tuple(a for a in need.any_of if a != need.granular) for need in SCOPE_TABLE
}
# Scopes that only cover the signed-in user's own meetings and users.
USER_LEVEL = frozenset(scope for need in SCOPE_TABLE for scope in need.user_level)


def check_config(info: ConfigInfo) -> Check:
    where = f"{info.path}, profile '{info.profile.name}'"
    if not info.file_exists:
        return Check(
            "config",
            WARN,
            f"There is no config file at {info.path} yet.",
            "Sign in with 'sbzoom auth login simplybook' and 'sbzoom auth login zoom': "
            "they create it.",
        )
    if info.other_problems:
        return Check(
            "config",
            WARN,
            f"{where} is valid, but another profile is not: {'; '.join(info.other_problems)}",
            "Fix that profile with 'sbzoom --profile NAME config unset KEY', or edit the file.",
        )
    if not info.profile.exists:
        return Check(
            "config",
            WARN,
            f"{info.path} has no settings for profile '{info.profile.name}'.",
            "Sign in with 'sbzoom auth login simplybook' and 'sbzoom auth login zoom'.",
        )
    return Check("config", OK, f"{where}: {len(info.profile.values)} settings, all valid")


def check_secrets(info: SecretInfo) -> Check:
    if info.backend != "file":
        return Check("secret store", OK, "the system keyring")
    where = f"the file {info.path}"
    if info.mode is not None and info.mode & 0o077:
        return Check(
            "secret store",
            FAIL,
            f"{where} can be read by other users (mode {info.mode:04o}).",
            f"Run 'chmod 600 {info.path}'.",
        )
    if info.chosen:
        return Check("secret store", OK, f"{where} (chosen with SBZOOM_SECRET_BACKEND=file)")
    return Check(
        "secret store",
        WARN,
        f"No system keyring works here, so secrets are in the fallback {where} (mode 0600).",
        "Install or unlock a keyring (Secret Service such as gnome-keyring, or macOS Keychain), "
        "or set SBZOOM_SECRET_BACKEND=file to choose the file on purpose.",
    )


NOT_SIGNED_IN_ZOOM = Check(
    "zoom sign-in",
    FAIL,
    "Not signed in to Zoom.",
    "Run 'sbzoom auth login zoom' (or 'sbzoom auth login zoom --s2s'), or set "
    "SBZOOM_ZOOM_ACCOUNT_ID, SBZOOM_ZOOM_CLIENT_ID and SBZOOM_ZOOM_CLIENT_SECRET.",
)


def check_zoom(login: ZoomLogin | None) -> Check:
    if login is None:
        return NOT_SIGNED_IN_ZOOM
    who = f" as {login.user}" if login.user else ""
    mode = "Server-to-Server" if login.mode == "s2s" else "OAuth"
    return Check("zoom sign-in", OK, f"{mode} ({login.mode}){who}; credentials from {login.source}")


def missing_scopes(granted: Iterable[str]) -> tuple[list[str], list[str]]:
    """(needed scopes nothing grants, needed scopes only user-level scopes grant)."""
    have = set(granted)
    missing, user_level = [], []
    for needed, alternatives in NEEDED_SCOPES.items():
        if needed in have or f"{needed.removesuffix(':admin')}:master" in have:
            continue
        others = [a for a in alternatives if a in have]
        if not others:
            missing.append(needed)
        elif all(a in USER_LEVEL for a in others):
            user_level.append(needed)
    return missing, user_level


def check_scopes(login: ZoomLogin) -> Check:
    if not login.scopes:
        return Check(
            "zoom scopes",
            WARN,
            "Zoom did not say which scopes the token has.",
            "Run 'sbzoom auth status' to see the sign-in; sign in again with "
            "'sbzoom auth login zoom' if commands fail with a missing scope.",
        )
    missing, user_level = missing_scopes(login.scopes)
    if missing:
        return Check(
            "zoom scopes",
            FAIL,
            f"The Zoom app lacks {len(missing)} needed scope(s): {', '.join(missing)}.",
            SCOPE_FIX,
        )
    if user_level:
        return Check(
            "zoom scopes",
            WARN,
            "Some scopes cover only the signed-in user's own meetings, so providers mapped to "
            f"other Zoom users cannot host: {', '.join(user_level)} (granted as user-level).",
            "If several Zoom users host, add the ':admin' scopes to the app, then sign in again "
            "with 'sbzoom auth login zoom'.",
        )
    return Check("zoom scopes", OK, f"all {len(NEEDED_SCOPES)} needed scopes are granted")


NOT_SIGNED_IN_SIMPLYBOOK = Check(
    "simplybook sign-in",
    FAIL,
    "Not signed in to SimplyBook.",
    "Run 'sbzoom auth login simplybook', or set SBZOOM_SIMPLYBOOK_COMPANY, "
    "SBZOOM_SIMPLYBOOK_LOGIN and SBZOOM_SIMPLYBOOK_PASSWORD.",
)


def check_simplybook(login: SimplyBookLogin | None) -> Check:
    if login is None:
        return NOT_SIGNED_IN_SIMPLYBOOK
    name = f" ({login.company_name})" if login.company_name else ""
    return Check(
        "simplybook sign-in",
        OK,
        f"company {login.company}{name} as {login.login} at {login.api_url}; "
        f"credentials from {login.source}",
    )


# Zoom's per-second limits for Medium endpoints (create meeting, list meetings, list registrants),
# per account and plan (Zoom "Rate limits" page, restated in zoom-api-notes.md §4): Free 2/s,
# Pro 20/s, Business and higher 60/s. Light endpoints allow 4/30/80.
PLAN_MEDIUM_RPS = (("Free", 2.0), ("Pro", 20.0), ("Business or higher", 60.0))


def check_rate(profile: Profile) -> Check:
    """Which Zoom plan ``zoom.max_rps`` assumes: above a plan's ceiling, that plan's accounts
    answer 429s (shared with every other app on the account)."""
    value = profile.get("zoom.max_rps")
    rps = float(value) if isinstance(value, int | float) else 0.0
    fits = [plan for plan, ceiling in PLAN_MEDIUM_RPS if rps <= ceiling]
    if len(fits) == len(PLAN_MEDIUM_RPS):
        return Check("zoom rate", OK, f"zoom.max_rps {rps:g} is within every Zoom plan's limits")
    if not fits:
        return Check(
            "zoom rate",
            WARN,
            f"zoom.max_rps {rps:g} is above every Zoom plan's per-second limit (60/s on "
            "Business and higher); Zoom will answer 429s.",
            "Run 'sbzoom config set zoom.max_rps 20' (Pro) or '60' (Business or higher).",
        )
    return Check(
        "zoom rate",
        OK,
        f"zoom.max_rps {rps:g} assumes a {fits[0]} Zoom plan or higher (Free accounts allow 2 "
        "requests per second on meeting and registrant lists and creates)",
        "On a Free Zoom account run 'sbzoom config set zoom.max_rps 2'; on a bigger plan you may "
        "raise it (Pro 20, Business 60).",
    )


def check_timezone(profile: Profile, login: SimplyBookLogin | None) -> Check:
    configured = profile.text("simplybook.timezone")
    reported = login.timezone if login else None
    fix_to = reported or "<IANA zone, e.g. Europe/Copenhagen>"
    if configured and reported and configured != reported:
        return Check(
            "time zone",
            WARN,
            f"The config says {configured}, but SimplyBook says the company is in {reported}; "
            f"booking times are read as {configured}.",
            f"If SimplyBook is right, run 'sbzoom config set simplybook.timezone {reported}'.",
        )
    if configured:
        return Check("time zone", OK, f"{configured} (config)")
    if reported:
        return Check("time zone", OK, f"{reported} (SimplyBook company info)")
    if login is None:
        return Check(
            "time zone",
            WARN,
            "Not in the config, and SimplyBook could not be asked (see its sign-in above).",
            "Set it with 'sbzoom config set simplybook.timezone <IANA zone>'.",
        )
    return Check(
        "time zone",
        FAIL,
        "The company time zone is neither in the config nor in SimplyBook's company info, so "
        "booking times cannot be read.",
        f"Run 'sbzoom config set simplybook.timezone {fix_to}'.",
    )


def check_ledger(info: LedgerInfo) -> Check:
    if not info.exists:
        return Check("ledger", OK, f"none yet at {info.path} ('sbzoom bookings link' creates it)")
    if not info.writable:
        return Check(
            "ledger",
            FAIL,
            f"{info.path} is readable but not writable, so 'bookings link' cannot record meetings.",
            f"Give your user write access: 'chmod u+w {info.path}' (and check its owner).",
        )
    return Check("ledger", OK, f"{info.path} is readable")


STUCK_SECONDS = 300.0  # an event waiting this long: the worker is not getting through


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


def check_listener(info: ListenerInfo, profile: str) -> Check:
    """Reachable, recent events, queue not stuck. Not using it at all is fine (cron only)."""
    name = "listener"
    service = f"sbzoom-listen@{profile}"
    if info.queued is None and info.health is None:
        return Check(name, OK, "not in use ('sbzoom listen' is optional; cron links bookings)")
    if info.health is None:
        return Check(
            name,
            WARN,
            f"'sbzoom listen' handled events before but does not answer at {info.url} "
            f"({info.problem or 'no answer'}); callbacks are not being received.",
            f"Start it ('systemctl start {service}' or 'sbzoom listen'), or set "
            "listen.public_url to where it runs.",
        )
    health = info.health
    waiting = info.queued or 0
    oldest = info.oldest_waiting_age
    if oldest is not None and oldest > STUCK_SECONDS and waiting:
        return Check(
            name,
            FAIL,
            f"the queue is stuck: {waiting} event(s) waiting, the oldest for {_age(oldest)}.",
            f"Read its log lines ('journalctl -u {service}' or its stderr) for the reason "
            "(often a sign-in or a service down: the checks above say which); "
            "'sbzoom bookings link' repairs the bookings meanwhile.",
        )
    last = info.last_event_age
    detail = f"answers at {info.url}; " + (
        f"last event handled {_age(last)} ago" if last is not None else "no event handled yet"
    )
    detail += f", {waiting} waiting"
    if not health.get("zoom_webhooks"):
        return Check(
            name,
            WARN,
            detail + "; Zoom webhooks are off (meetings deleted or moved in Zoom wait for cron)",
            "Give the Zoom app's secret token: 'sbzoom listen --zoom-secret-stdin' (or "
            "SBZOOM_ZOOM_WEBHOOK_SECRET), then restart the listener.",
        )
    if info.failed:
        return Check(
            name,
            WARN,
            detail + f"; {info.failed} event(s) failed",
            "Their bookings are repaired by the next 'sbzoom bookings link' run; the listener's "
            "log lines say why they failed.",
        )
    return Check(name, OK, detail)


def check_clock(times: Sequence[ServerTime]) -> Check:
    if not times:
        return Check(
            "clock",
            WARN,
            "Not compared: neither Zoom nor SimplyBook is signed in.",
            "Sign in first ('sbzoom auth login ...'), then run 'sbzoom doctor' again.",
        )
    measured = [(t.service, (t.server - t.local).total_seconds()) for t in times if t.server]
    if not measured:
        problems = "; ".join(f"{t.service}: {t.problem or 'no Date header'}" for t in times)
        return Check(
            "clock",
            WARN,
            f"Could not read the servers' time ({problems}).",
            "Check the network connection, then run 'sbzoom doctor' again.",
        )
    parts = []
    for service, skew in measured:
        if abs(skew) < CLOCK_RESOLUTION:  # Date has whole seconds: closer cannot be told apart
            parts.append(f"in step with {service}")
        else:
            direction = "behind" if skew > 0 else "ahead of"
            parts.append(f"{abs(skew):.0f} s {direction} {service}")
    worst = max(abs(skew) for _, skew in measured)
    detail = "this machine's clock is " + ", ".join(parts)
    if worst > CLOCK_FAIL_SECONDS:
        return Check("clock", FAIL, detail + " (more than 5 minutes off).", CLOCK_FIX)
    if worst > CLOCK_WARN_SECONDS:
        return Check("clock", WARN, detail + " (more than a minute off).", CLOCK_FIX)
    return Check("clock", OK, detail)


def check_simplybook_reads(profile: Profile, sample: BookingSample) -> Check:
    """Check, with reads only, the SimplyBook semantics sbzoom could not confirm from docs."""
    found = Findings()
    outside = [d for d in sample.starts if not sample.first <= d <= sample.last]
    if outside:
        found.add(
            FAIL,
            f"SimplyBook's date filter returned bookings starting outside {sample.first} .. "
            f"{sample.last} (e.g. {outside[0]}): it does not select by appointment date",
            "sbzoom keeps only bookings that start in the window, but may miss others: "
            "report this SimplyBook behaviour, and link by booking id meanwhile.",
        )
    if profile.get("write_back") == "comment" and sample.details_have_comment is False:
        found.add(
            WARN,
            "SimplyBook's booking details carry no comment field, so write-back cannot keep "
            "what is already in a comment and writes nothing",
            "Run 'sbzoom config set write_back none'.",
        )
    return found.check(
        "simplybook reads",
        "the date filter selects by appointment date"
        + ("; booking details carry the comment" if sample.details_have_comment else ""),
    )
