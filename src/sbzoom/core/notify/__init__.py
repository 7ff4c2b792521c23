"""E-mail notices: each client and provider gets their meeting link and a calendar invite, once.

    plan.py     which notices the bookings need now (pure: bookings + ledger memory in, notices out)
    message.py  the wording (the admin's templates) and the ``.ics`` invite (icalendar)
    deliver.py  exactly once: record the intent, send, confirm (ledger table ``notices``)
    run.py      wiring: profile settings, SimplyBook, the ledger and ``clients.smtp``

Entry points: ``run.after_link`` (called by ``core.bookings.link.link_bookings`` after linking,
so the listener gets notices by linking), ``run.notify_booking`` (``bookings notify``).
"""
