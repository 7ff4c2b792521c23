"""The wire: typed clients of the services sbzoom talks to. They never import core or store.

    http/             the one HTTP layer: HttpSession (pacing, retries, debug log), TokenSource
    circuit.py        the circuit breaker each HttpSession keeps for its service
    zoom/             Zoom's REST API and OAuth (ZoomClient, ZoomOAuth)
    simplybook/       SimplyBook's REST API and sign-in (SimplyBookClient, SimplyBookAuth)
    smtp.py           e-mail through the company's SMTP server (SmtpMailer)
    sandbox_mail.py   what the running sandbox's SMTP server received (`sbzoom sandbox mail`)

Each package's ``__init__`` re-exports its public names: ``from sbzoom.clients.zoom import X``.
"""
