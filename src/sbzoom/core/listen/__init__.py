"""`sbzoom listen`: SimplyBook callbacks and Zoom webhooks, a durable queue, and the worker.

``verify`` checks what arrives (pure functions), ``queue`` keeps it in the ledger file before the
answer, ``handlers`` turns queued events into linking runs, ``service`` wires the HTTP app, the
worker and the linking engine, ``server`` serves it (uvicorn, signals, log lines), ``settings``
keeps the secrets and URLs, ``run`` checks the setup and starts it all. The ASGI framework is
imported only when ``sbzoom listen`` runs.
"""
