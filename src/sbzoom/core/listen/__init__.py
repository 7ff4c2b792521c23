"""`sbzoom listen`: SimplyBook callbacks and Zoom webhooks, a durable queue, and the worker.

``verify`` checks what arrives (pure functions), ``queue`` keeps it in the ledger file before the
answer, ``handlers`` turns queued events into linking runs, ``service`` wires the HTTP app (the
only module that imports the ASGI framework, and only when ``sbzoom listen`` runs).
"""
