"""Secret hygiene after a whole working session (PRODUCT.md §3 and §5).

A session as an admin would have it: sign-ins to both services (OAuth with PKCE, Server-to-Server,
a password and an API user key on stdin, a 2FA code), mappings, `bookings link`, `bookings show`,
`report meetings` to a file, `auth status`, `doctor`, many of them with `--debug`, tokens expiring
and renewed in the middle, and failing runs (a wrong password, a wrong client secret, a
refresh token SimplyBook no longer takes, a Zoom that answers an HTML page), then a logout.

Then every secret the sandbox ever issued or accepted — the Zoom client secret, the SimplyBook
password and API user key, every Zoom access and refresh token and authorization code, every
SimplyBook token and refresh token, and the wrong secrets typed by mistake — is looked for in
every file under the test's home and in everything the processes printed. Only the secret store
(``secrets.json``, mode 0600) may hold any of them. The provider start link's ``zak`` is the one
secret sbzoom must print: on stdout of `bookings show`, and nowhere else.
"""

from __future__ import annotations

import base64
import stat
from pathlib import Path
from urllib.parse import quote, quote_plus

from sbzoom.sandbox import (
    DEMO_2FA_LOGIN,
    DEMO_API_USER_KEY,
    DEMO_COMPANY,
    DEMO_GA_CODE,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    ZOOM_ACCOUNT_ID,
    ZOOM_CLIENT_ID,
    ZOOM_CLIENT_SECRET,
    Sandbox,
)
from tests.conftest import Home
from tests.reliability.harness import (
    Installation,
    install,
    login_simplybook,
    login_zoom,
    serving,
)
from tests.sandbox_fixture import MakeSandbox

WRONG_PASSWORD = "typo-Pa55word-not-the-real-one"
WRONG_SECRET = "wrong-client-secret-0123456789"


def issued_secrets(sandbox: Sandbox) -> tuple[set[str], set[str]]:
    """(every token and code the sandbox handed out or accepted, the start-link zak values)."""
    zoom, simplybook = sandbox.zoom, sandbox.simplybook
    with sandbox._lock:  # the emulator's own state: nothing else knows every token it issued
        tokens = {*zoom._access, *zoom._refresh, *zoom._codes}
        tokens |= {*simplybook._tokens, *simplybook._refresh}
        zaks = set(zoom._zaks)
    tokens |= set(sandbox.refresh_token_uses()) | set(simplybook.refresh_token_uses())
    return tokens, zaks


def variants(secret: str) -> set[str]:
    """The secret as it could turn up: raw, URL-encoded, inside Basic credentials."""
    found = {secret, quote(secret, safe=""), quote_plus(secret)}
    for user in (ZOOM_CLIENT_ID,):
        found.add(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return {v for v in found if len(v) >= 6}


def session(app: Installation, tmp_path: Path) -> None:
    sandbox = app.sandbox
    debug = ("--debug",)
    # Sign-ins: OAuth + PKCE for Zoom; password, API user key and a 2FA code for SimplyBook.
    assert login_zoom(app).returncode == 0, app.runs[-1].stderr
    assert login_simplybook(app).returncode == 0, app.runs[-1].stderr
    ops = ("--profile", "ops")
    runs = [
        app.run(
            *ops, *debug, "auth", "login", "zoom", "--s2s", "--account-id", ZOOM_ACCOUNT_ID,
            "--client-id", ZOOM_CLIENT_ID, "--client-secret-stdin", stdin=ZOOM_CLIENT_SECRET,
        ),
        app.run(
            *ops, *debug, "auth", "login", "simplybook", "--company", DEMO_COMPANY, "--login",
            DEMO_2FA_LOGIN, "--password-stdin", stdin=DEMO_API_USER_KEY + "\n",
        ),
        app.run(
            "--profile", "twofa", *debug, "auth", "login", "simplybook", "--company",
            DEMO_COMPANY, "--login", DEMO_2FA_LOGIN, "--password-stdin", "--code", DEMO_GA_CODE,
            "--code-type", "ga", stdin=DEMO_PASSWORD + "\n",
        ),
    ]  # fmt: skip
    for run in runs:
        assert run.returncode == 0, run.stderr

    # Work, plain and with --debug, with every token expiring half-way.
    (tmp_path / "reports").mkdir()
    assert app.run("bookings", "link").returncode == 0, app.runs[-1].stderr
    sandbox.expire_tokens()
    for args in (
        ("bookings", "link", "--json"),
        ("bookings", "show", "1001"),
        ("bookings", "show", "1005", "--json"),
        ("report", "meetings", "--format", "json"),
        ("report", "meetings", "--verify", "--output", str(tmp_path / "reports" / "m.csv")),
        ("auth", "status", "--json"),
        ("zoom", "users"),
        ("providers", "list"),
        ("services", "list", "--json"),
        ("doctor",),
    ):
        for prefix in ((), debug):
            run = app.run(*prefix, *args)
            assert run.returncode in (0, 1), (args, run.stderr)
    assert app.run("report", "meetings", "--output", str(tmp_path / "m.json")).returncode == 0

    # Failures, all with --debug: each prints what it sent and what came back, masked.
    wrong_password = app.run(
        "--profile", "typo", *debug, "auth", "login", "simplybook", "--company", DEMO_COMPANY,
        "--login", DEMO_LOGIN, "--password-stdin", stdin=WRONG_PASSWORD + "\n",
    )  # fmt: skip
    wrong_secret = app.run(
        "--profile", "typo", *debug, "auth", "login", "zoom", "--s2s", "--account-id",
        ZOOM_ACCOUNT_ID, "--client-id", ZOOM_CLIENT_ID, "--client-secret-stdin",
        stdin=WRONG_SECRET,
    )  # fmt: skip
    assert wrong_password.returncode == 4 and wrong_secret.returncode == 4
    with sandbox._lock:  # SimplyBook stops taking the refresh tokens: sbzoom signs in again
        for refresh in sandbox.simplybook._refresh.values():
            refresh.revoked = True
    sandbox.expire_tokens()
    assert app.run(*debug, "bookings", "link").returncode == 0, app.runs[-1].stderr
    assert app.run(*debug, "bookings", "link", "--from", "2026-13-01").returncode == 2
    page = b"<html><body>Sign in to the hotel Wi-Fi</body></html>"
    with serving(200, "text/html", page) as portal:
        broken = app.run(*debug, "zoom", "users", extra_env={"SBZOOM_ZOOM_API_URL": portal.url})
        assert broken.returncode == 5, broken.stderr
    assert app.run(*ops, *debug, "auth", "logout").returncode in (0, 1)


def test_no_secret_outside_the_secret_store(
    home: Home, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(seed=3)
    app = install(home, sandbox, credentials=False)  # endpoints only: every sign-in is a login
    session(app, tmp_path)

    tokens, zaks = issued_secrets(sandbox)
    assert len(tokens) >= 15, len(tokens)  # the session really did mint and rotate tokens
    assert zaks, "no start link was fetched"
    typed = {ZOOM_CLIENT_SECRET, DEMO_PASSWORD, DEMO_API_USER_KEY, WRONG_PASSWORD, WRONG_SECRET}
    secrets = {v for s in tokens | typed for v in variants(s)}
    zak_values = {v for z in zaks for v in variants(z)}

    store = app.data_dir / "secrets.json"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    held = store.read_text()
    assert any(t in held for t in tokens), "the store holds no token: the scan would prove nothing"

    leaks: list[str] = []
    for path in sorted(p for p in home.root.rglob("*") if p.is_file() and p != store):
        content = path.read_bytes().decode("utf-8", errors="replace")
        leaks += [f"{path}: {s[:12]}…" for s in secrets | zak_values if s in content]
        if path.name.startswith(".secrets.json.") and path.name.endswith(".tmp"):
            leaks.append(f"{path}: a temporary copy of the secret store was left behind")
    for run in app.runs:
        printed = run.stdout + run.stderr
        leaks += [f"{run.args}: {s[:12]}…" for s in secrets if s in printed]
        shows_start_link = "bookings" in run.args and "show" in run.args
        for zak in zak_values:
            if zak in run.stderr or (zak in run.stdout and not shows_start_link):
                leaks.append(f"{run.args}: the start link's zak {zak[:12]}…")
    assert leaks == []
    debug_runs = [run for run in app.runs if "--debug" in run.args]
    assert len(debug_runs) >= 15
    # --debug prints the traceback of a failure (PRODUCT.md §2): scanned above like the rest.
    plain = [run for run in app.runs if "--debug" not in run.args]
    assert [run.args for run in plain if "Traceback" in run.stderr] == []
    assert any("[debug]" in run.stderr and "***" in run.stderr for run in debug_runs)
