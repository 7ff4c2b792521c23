"""`sbzoom doctor`: what is wrong with this setup, and the exact fix for each problem.

    model.py          a check's result (ok | warn | fail, detail, fix), the report, and the
                      facts the checks read (``Facts``: what ``LiveFacts`` gathers, tests fake)
    checks.py         pure checks of the setup: config, secrets, sign-ins, scopes, rate, time
                      zone, SimplyBook's reads, ledger, listener, clock
    meeting_checks.py pure checks of what bookings get: online services, provider mapping,
                      Zoom hosts, duplicate and orphaned meetings, the backfill per host
    run.py            ``run_doctor``: every check in order, one broken check never hiding another
    facts.py          ``LiveFacts``: the facts read from this machine, Zoom and SimplyBook

Nothing here prints, and no secret value ever reaches a detail: only names, ids and e-mails.
"""
