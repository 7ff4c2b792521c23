"""The wire: typed clients of the services sbzoom talks to. They never import core or store.

    http/             the one HTTP layer: HttpSession (pacing, retries, debug log), TokenSource
    circuit.py        the circuit breaker each HttpSession keeps for its service
    zoom/             Zoom's REST API and OAuth (ZoomClient, ZoomOAuth)
    simplybook/       SimplyBook's REST API and sign-in (SimplyBookClient, SimplyBookAuth)
    smtp.py           e-mail through the company's SMTP server (SmtpMailer)
    sandbox_mail.py   what the running sandbox's SMTP server received (`sbzoom sandbox mail`)
    listener_health.py  a running `sbzoom listen`'s /healthz (read by `doctor`)

Each package's ``__init__`` re-exports its public names: ``from sbzoom.clients.zoom import X``.
"""

import sys

# httpx imports its own command-line client (httpx._main) when it is imported, and with it Rich,
# Pygments and Click, because they happen to be installed (for sbzoom's own CLI): ~80 ms on every
# command that talks to a service, for a CLI sbzoom never runs. httpx falls back to a stub
# `httpx.main` when that module cannot be imported; this makes it so (only if httpx is not
# imported yet). tests/unit/cli/test_startup_imports.py checks that they stay unloaded.
if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
