"""The sandbox's mail server: a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it gets.

It behaves like a company's submission server where that matters to sbzoom: it requires a
sign-in (AUTH PLAIN/LOGIN with the demo login below) before it takes mail, answers a wrong
password 535, refuses a mailbox it is told to with 550 5.1.1 (permanent), defers one with 450
(temporary), and can be taken down (connections refused) or made to fail after N messages
(421, as a server going away mid-run does). Loopback only, no TLS: ``smtp.security none``.

Inspection: ``Sandbox.mail.messages()``, the control endpoint ``GET /_sandbox/mail`` (JSON), and
``sbzoom sandbox mail``. Faults: ``POST /_sandbox/mail/faults`` with ``{"down": true}``,
``{"reject": ["a@b.example"]}``, ``{"defer": [...]}``, ``{"fail_after": 2}``, ``{"delay": 0.5}``;
``DELETE
/_sandbox/mail`` forgets received messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

HOST = "127.0.0.1"
SMTP_USERNAME = "sbzoom-demo"
SMTP_PASSWORD = "demo-smtp-password"
SMTP_FROM = "bookings@sbzoom-demo.example"


@dataclass(frozen=True)
class ReceivedMessage:
    id: int
    at: datetime
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes = field(repr=False)

    @property
    def subject(self) -> str:
        return str(self.parsed()["Subject"] or "")

    def parsed(self) -> Any:
        return message_from_bytes(self.raw, policy=policy.default)

    def invite(self) -> bytes | None:
        """The ``invite.ics`` attachment, as sent."""
        for part in self.parsed().walk():
            if part.get_filename() == "invite.ics":
                data: bytes = part.get_payload(decode=True)
                return data
        return None

    def to_json(self, *, raw: bool = False) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.id,
            "at": self.at.isoformat(),
            "from": self.mail_from,
            "to": list(self.rcpt_tos),
            "subject": self.subject,
            "notice": str(self.parsed()["X-Sbzoom-Notice"] or "") or None,
        }
        if raw:
            data["raw"] = self.raw.decode("utf-8", "replace")
        return data


@dataclass
class MailFaults:
    down: bool = False
    reject: set[str] = field(default_factory=set)  # 550 at RCPT
    defer: set[str] = field(default_factory=set)  # 450 at RCPT
    fail_after: int | None = None  # accept this many more messages, then 421 to every MAIL
    delay: float = 0.0  # seconds between taking a message and answering 250 (a slow server)


class _Handler:
    def __init__(self, box: MailBox) -> None:
        self.box = box

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        with self.box.lock:
            if self.box.faults.fail_after is not None and self.box.faults.fail_after <= 0:
                return "421 4.3.2 Service shutting down, try again later"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        lowered = address.lower()
        with self.box.lock:
            if lowered in self.box.faults.reject:
                return "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown"
            if lowered in self.box.faults.defer:
                return "450 4.2.1 <" + address + ">: Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        self.box.keep(str(envelope.mail_from or ""), tuple(envelope.rcpt_tos), raw)
        if self.box.faults.delay:  # kept, but the sender does not know yet (a crash here resends)
            await asyncio.sleep(self.box.faults.delay)
        return "250 2.0.0 OK: queued"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    if isinstance(data, LoginPassword):
        ok = data.login == SMTP_USERNAME.encode() and data.password == SMTP_PASSWORD.encode()
        if ok:
            return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


def _controller(handler: _Handler, port: int) -> Any:
    """An aiosmtpd controller (imported here: only a running sandbox needs the library)."""
    try:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import SMTP
    except ImportError:  # an environment installed before the dependency was added
        raise RuntimeError(
            "The sandbox's SMTP server needs aiosmtpd, which is not installed: run "
            "scripts/bootstrap (or pip install -e '.[test]')."
        ) from None

    class QuietSMTP(SMTP):
        """AUTH without TLS on loopback, without aiosmtpd's start-up warning about it (the
        sandbox never leaves 127.0.0.1; a real server offers AUTH only after STARTTLS)."""

        def __init__(self, handler: Any, **kwargs: Any) -> None:
            super().__init__(handler, **{**kwargs, "auth_require_tls": True})
            self._auth_require_tls = False

    class QuietController(Controller):
        def factory(self) -> SMTP:
            return QuietSMTP(self.handler, **self.SMTP_kwargs)

    return QuietController(
        handler,
        hostname=HOST,
        port=port,
        authenticator=_authenticate,
        auth_required=True,
        ready_timeout=10.0,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class MailBox:
    """The SMTP server and what it received (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.faults = MailFaults()
        self._messages: list[ReceivedMessage] = []
        self._controller: Any = None
        self.port = 0
        logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's chatter

    def start(self) -> None:
        if self._controller is not None:
            return
        if not self.port:
            self.port = _free_port()
        controller = _controller(_Handler(self), self.port)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            with contextlib.suppress(Exception):
                controller.stop()

    @property
    def settings(self) -> dict[str, str]:
        """The ``smtp.*`` settings that point sbzoom at this server."""
        return {
            "smtp.host": HOST,
            "smtp.port": str(self.port),
            "smtp.security": "none",
            "smtp.username": SMTP_USERNAME,
            "smtp.from": SMTP_FROM,
        }

    def keep(self, mail_from: str, rcpt_tos: tuple[str, ...], raw: bytes) -> None:
        with self.lock:
            if self.faults.fail_after is not None:
                self.faults.fail_after -= 1
            message = ReceivedMessage(
                len(self._messages) + 1, datetime.now(UTC), mail_from, rcpt_tos, raw
            )
            self._messages.append(message)

    def messages(self) -> list[ReceivedMessage]:
        with self.lock:
            return list(self._messages)

    def clear(self) -> None:
        with self.lock:
            self._messages.clear()

    def configure(
        self,
        *,
        down: bool | None = None,
        reject: list[str] | None = None,
        defer: list[str] | None = None,
        fail_after: int | str | None = "unchanged",
        delay: float | None = None,
    ) -> MailFaults:
        with self.lock:
            if delay is not None:
                self.faults.delay = float(delay)
            if reject is not None:
                self.faults.reject = {a.lower() for a in reject}
            if defer is not None:
                self.faults.defer = {a.lower() for a in defer}
            if fail_after != "unchanged":
                self.faults.fail_after = fail_after if isinstance(fail_after, int) else None
        if down is not None and down != self.faults.down:
            self.faults.down = down
            if down:
                self.stop()
            else:
                self.start()
        return self.faults
