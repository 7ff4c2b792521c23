"""Notices wired to the profile, the ledger, SimplyBook and the SMTP server.

``after_link`` is what ``bookings link`` (and the listener, through ``link_bookings``) calls once
bookings are linked, through ``LinkNotices``; ``notify_booking`` is ``bookings notify``;
``smtp_login`` is ``auth login smtp``. None prints: they return a ``NotifyReport`` (or the login).
What they need from around the command comes as one ``NoticeSetup``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from sbzoom.clients.smtp import DEFAULT_PORTS, SmtpSettings
from sbzoom.core.bookings.model import BookingView, LinkResult
from sbzoom.core.notify.deliver import record, result_of, send_unsent
from sbzoom.core.notify.message import Templates, email_message, subject_and_body
from sbzoom.core.notify.model import Notice, NoticeResult, NotifyReport
from sbzoom.core.notify.plan import BookingFacts, PlanSettings, plan_notices
from sbzoom.errors import ConfigError, SbzoomError
from sbzoom.store.ledger import Ledger, NoticeRow

if TYPE_CHECKING:
    from sbzoom.clients.simplybook import SimplyBookClient
    from sbzoom.clock import Clock
    from sbzoom.core.ports import Prompter
    from sbzoom.store.config import Profile
    from sbzoom.store.secrets import SecretStore

PASSWORD_SECRET = "smtp.password"
ENV_PASSWORD = "SBZOOM_SMTP_PASSWORD"
LINKED = ("created", "updated", "unchanged")
DRY_RUN_LINK = "<join link, once the meeting exists>"


@dataclass(frozen=True)
class NoticeSetup:
    """What sending notices needs from around the command."""

    profile: Callable[[], Profile]  # as it is now: the listener re-reads it between events
    profile_name: str
    env: Mapping[str, str] = field(repr=False)  # may hold SBZOOM_SMTP_PASSWORD
    secrets: Callable[[], SecretStore]  # the SMTP password, read only when a login is set
    clock: Clock
    lock_path: Path  # one sender of this profile's notices at a time
    debug_log: Callable[[str], None] | None = None  # the SMTP exchange, under --debug


def check_ready(profile: Profile) -> None:
    """Fail before any work when notices are on but cannot be sent (exit 3, naming the key)."""
    missing = [k for k in ("smtp.host", "smtp.from") if not profile.get(k)]
    if missing:
        on = bool(profile.get("notify.email"))  # else an explicit `bookings notify`: off is no fix
        raise ConfigError(
            f"{'notify.email is on but ' if on else ''}{' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set, so no notice can be sent.",
            f"Set {missing[0]} with 'sbzoom config set {missing[0]} ...'"
            + (", or turn notices off with 'sbzoom config set notify.email false'." if on else "."),
        )


def smtp_settings(setup: NoticeSetup) -> SmtpSettings:
    """The SMTP connection settings, with the password from the environment or secret store."""
    profile = setup.profile()
    check_ready(profile)
    get = profile.get
    security = str(get("smtp.security"))
    username = str(get("smtp.username") or "")
    password = ""
    if username:
        password = setup.env.get(ENV_PASSWORD) or setup.secrets().get(PASSWORD_SECRET) or ""
    port = get("smtp.port")
    return SmtpSettings(
        host=str(get("smtp.host")),
        port=int(port) if port else DEFAULT_PORTS[security],
        security=security,
        username=username,
        sender=str(get("smtp.from")),
        password=password,
    )


def plan_settings(setup: NoticeSetup, *, resend: bool = False) -> PlanSettings:
    profile = setup.profile()
    company = (
        profile.text("simplybook.company")
        or setup.env.get("SBZOOM_SIMPLYBOOK_COMPANY")
        or setup.profile_name
    )
    return PlanSettings(
        sender=str(profile.get("smtp.from") or ""),
        uid_prefix=f"sbzoom-{company}",
        class_via=str(profile.get("notify.class_via")),
        resend=resend,
    )


class LedgerHistory:
    """``plan.NoticeHistory`` over the ledger (or over nothing, before the first run)."""

    def __init__(self, ledger: Ledger | None) -> None:
        self.ledger = ledger

    def last_notice(self, thread: str) -> NoticeRow | None:
        return self.ledger.last_notice(thread) if self.ledger else None

    def last_sent(self, thread: str) -> NoticeRow | None:
        return self.ledger.last_sent(thread) if self.ledger else None

    def linked_in(self, unit_key: str) -> set[str]:
        if self.ledger is None:
            return set()
        return {b.booking_id for b in self.ledger.bookings_of(unit_key) if b.status == "linked"}


def booking_facts(
    views: Sequence[BookingView],
    online: Mapping[str, str],
    ledger: Ledger | None,
    provider_emails: Mapping[str, str],
    timezone: str,
    results: Mapping[str, LinkResult] | None = None,
) -> list[BookingFacts]:
    """Each booking's facts from the ledger; in a dry run (``results``), from what would happen."""
    facts = []
    for view in views:
        row = ledger.booking(view.id) if ledger else None
        meeting = ledger.meeting(row.unit_key) if ledger and row else None
        linked = row is not None and row.status == "linked"
        join_url = row.join_url if row else ""
        unit = row.unit_key if row else ""
        if results is not None:  # a dry run: the ledger has not moved
            result = results.get(view.id)
            if result is not None and result.status in LINKED:
                linked = True
                join_url = result.join_url or join_url or DRY_RUN_LINK
            elif result is not None and result.status == "cancelled":
                linked = False
        facts.append(
            BookingFacts(
                booking=view,
                is_class=online.get(view.service_id) == "class",
                linked=linked,
                unit_key=unit,
                join_url=join_url,
                meeting_join_url=(meeting.join_url if meeting else "") or join_url,
                passcode=meeting.passcode if meeting else "",
                provider_email=provider_emails.get(view.provider_id, ""),
                timezone=timezone,
            )
        )
    return facts


def _builder(setup: NoticeSetup, sender: str) -> Callable[[Notice], EmailMessage]:
    templates = Templates.from_settings(setup.profile().get)
    return lambda notice: email_message(notice, templates, sender, setup.clock.now())


def deliver(
    setup: NoticeSetup,
    ledger: Ledger | None,
    facts: Sequence[BookingFacts],
    *,
    dry_run: bool,
    resend: bool = False,
    only: Sequence[str] | None = None,
) -> NotifyReport:
    """Plan, record and send. ``only``: send just the waiting notices of these bookings (and of
    their class sessions' providers); otherwise every waiting notice, from any earlier run."""
    settings = plan_settings(setup, resend=resend)
    plan = plan_notices(facts, LedgerHistory(ledger), settings)
    if dry_run:
        return NotifyReport(_would_send(setup, ledger, plan.new, only), dry_run=True)
    assert ledger is not None
    now = setup.clock.now
    failed = record(ledger, plan, now())
    from sbzoom.clients.smtp import SmtpMailer, SmtpRejectedError, SmtpTemporaryError

    def mailer() -> SmtpMailer:
        return SmtpMailer(smtp_settings(setup), log=setup.debug_log)

    sending = send_unsent(
        ledger,
        mailer,
        _builder(setup, settings.sender),
        now,
        temporary=(SmtpTemporaryError,),
        rejected=(SmtpRejectedError,),
        lock_path=setup.lock_path,
        only=only,
    )
    return NotifyReport(failed + sending.results, problem=sending.problem)


def _would_send(
    setup: NoticeSetup, ledger: Ledger | None, new: Sequence[Notice], only: Sequence[str] | None
) -> list[NoticeResult]:
    templates = Templates.from_settings(setup.profile().get)
    results = []
    waiting = ledger.unsent_notices() if ledger else []
    for row in waiting:
        if only is None or row.booking_id in only or row.thread in only:
            subject, _ = subject_and_body(Notice.from_payload(row.payload), templates)
            results.append(result_of(row, "would-send", "waiting from an earlier run", subject))
    for notice in new:
        if notice.status == "failed":
            results.append(_planned(notice, "failed", notice.reason, ""))
            continue
        subject, _ = subject_and_body(notice, templates)
        results.append(_planned(notice, "would-send", "", subject))
    return results


def _planned(notice: Notice, status: str, reason: str, subject: str) -> NoticeResult:
    return NoticeResult(
        notice.booking_id,
        notice.role,
        notice.recipient,
        notice.kind,
        notice.sequence,
        status,
        subject,
        reason,
    )


def provider_emails(list_providers: Callable[[], Sequence[object]]) -> dict[str, str]:
    return {str(getattr(p, "id", "")): str(getattr(p, "email", "") or "") for p in list_providers()}


def after_link(
    setup: NoticeSetup,
    ledger: Ledger | None,
    views: Sequence[BookingView],
    online: Mapping[str, str],
    timezone: str,
    list_providers: Callable[[], Sequence[object]],
    results: Sequence[LinkResult],
    *,
    dry_run: bool,
    gone: Sequence[str] = (),
) -> NotifyReport:
    """The notices a link run owes: call it after linking ``views`` (the listener's entry point
    when it links by other means than ``core.bookings.link.link_bookings``, which already calls it).

    ``gone``: ids of bookings deleted in SimplyBook; whoever was invited gets a cancellation.
    """
    views = [*views, *vanished(ledger, gone)]
    emails = provider_emails(list_providers) if views else {}
    by_id = {r.booking_id: r for r in results} if dry_run else None
    facts = booking_facts(views, online, ledger, emails, timezone, by_id)
    return deliver(setup, ledger, facts, dry_run=dry_run)


def vanished(ledger: Ledger | None, booking_ids: Sequence[str]) -> list[BookingView]:
    """Bookings SimplyBook no longer has, as their last invite described them (cancelled)."""
    views = []
    for booking_id in booking_ids:
        last = ledger.last_notice(f"c{booking_id}") if ledger else None
        if last is None:
            last = ledger.last_notice(f"pb{booking_id}") if ledger else None
        if last is None:
            continue
        told = Notice.from_payload(last.payload)
        client = told.recipient_name if told.role == "client" else told.client
        email = told.recipient if told.role == "client" else ""
        views.append(
            BookingView(
                id=booking_id, code=told.code, cancelled=True, start=told.start, end=told.end,
                service_id="", service_name=told.service, provider_id="",
                provider_name=told.provider, client_name=client, client_email=email,
            )
        )  # fmt: skip
    return views


class LinkNotices:
    """The ``bookings.link.NoticeSender``: the notices of a link run, over a ``NoticeSetup``."""

    def __init__(self, setup: NoticeSetup) -> None:
        self.setup = setup

    def check_ready(self) -> None:
        check_ready(self.setup.profile())

    def after_link(
        self,
        ledger: Ledger | None,
        views: Sequence[BookingView],
        online: Mapping[str, str],
        timezone: str,
        list_providers: Callable[[], Sequence[object]],
        results: Sequence[LinkResult],
        *,
        dry_run: bool,
        gone: Sequence[str] = (),
    ) -> NotifyReport:
        return after_link(
            self.setup, ledger, views, online, timezone, list_providers, results,
            dry_run=dry_run, gone=gone,
        )  # fmt: skip


def notify_booking(
    setup: NoticeSetup,
    booking_id: str,
    *,
    simplybook: Callable[[], SimplyBookClient],
    ledger_path: Path,
    open_ledger: Callable[[], Ledger],
    resend: bool = False,
    dry_run: bool = False,
) -> NotifyReport:
    """``bookings notify``: plan and send one booking's notices (all of them with ``resend``).

    ``open_ledger`` is called only when the ledger at ``ledger_path`` exists or this is no dry
    run: a dry run must not create one."""
    from sbzoom.core.bookings.adapters import booking_view
    from sbzoom.core.online import online_services
    from sbzoom.errors import UsageError

    if not booking_id.strip().isdigit():
        raise UsageError(
            f"Booking id {booking_id!r} is not a number.",
            "Pass a SimplyBook booking id, e.g. 'sbzoom bookings notify 1234'.",
        )
    if not dry_run:
        check_ready(setup.profile())
    client = simplybook()
    view = booking_view(client.get_booking(int(booking_id)))
    online = online_services(setup.profile(), client)
    if view.service_id not in online:
        raise UsageError(
            f"Booking {view.id} is for {view.service_name}, which is not online: it has no "
            "meeting to tell anyone about.",
            f"Make it online with 'sbzoom services enable-online {view.service_id}'.",
        )
    ledger = open_ledger() if ledger_path.exists() or not dry_run else None
    row = ledger.booking(view.id) if ledger else None
    if row is None or (row.status != "linked" and not view.cancelled):
        raise SbzoomError(
            f"Booking {view.id} has no linked meeting yet, so there is nothing to send.",
            f"Link it first with 'sbzoom bookings link {view.id}'."
            if view.provider_id in setup.profile().family("providers")
            else f"Map its provider first: 'sbzoom providers map {view.provider_id} ZOOM_USER'.",
        )
    emails = provider_emails(client.list_providers)
    facts = booking_facts([view], online, ledger, emails, client.timezone.key)
    scope = [view.id, *(f"p{f.unit_key}" for f in facts if f.unit_key)]
    return deliver(setup, ledger, facts, dry_run=dry_run, resend=resend, only=scope)


def smtp_login(
    setup: NoticeSetup,
    *,
    username: str | None,
    save_username: Callable[[str], None],
    read_password: Callable[[], str] | None,
    prompter: Prompter,
    check: bool,
) -> str:
    """``auth login smtp``: keep the password in the secret store (never in config.toml).

    ``save_username`` sets ``smtp.username`` (``setup.profile`` then reads it back);
    ``read_password``: the password from stdin (``--password-stdin``), else the environment or
    the prompter."""
    from sbzoom.clients.smtp import SmtpMailer
    from sbzoom.errors import UsageError

    if username:
        save_username(username)
    login = setup.profile().text("smtp.username")
    if not login:
        raise UsageError(
            "No SMTP login is set.", "Pass --username, or 'sbzoom config set smtp.username ...'."
        )
    if read_password is not None:
        password = read_password()
    else:
        password = setup.env.get(ENV_PASSWORD) or prompter.text(
            f"SMTP password for {login}", secret=True, flag="--password-stdin"
        )
    if not password:
        raise UsageError("The SMTP password is empty.")
    if check:
        settings = smtp_settings(setup)
        mailer = SmtpMailer(replace(settings, password=password), log=setup.debug_log)
        try:
            mailer.connect()
        finally:
            mailer.close()
    setup.secrets().set(PASSWORD_SECRET, password)
    return login
