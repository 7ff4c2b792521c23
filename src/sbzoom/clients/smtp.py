"""Sending e-mail through the company's SMTP server (standard library ``smtplib``).

This module owns the wire: it connects (``starttls``, ``ssl`` or plain), signs in, sends one
message at a time, and turns SMTP's answers into three kinds of outcome the caller acts on:

    SmtpTemporaryError   the server is down, or answered 4xx: try again on a later run
    SmtpRejectedError    a permanent 5xx for this message/recipient: do not retry as is
    AuthError            the server refused the sign-in (exit 4, names the fix)
    ConfigError          the sender address is refused, or TLS cannot be set up (exit 3)

``--debug`` shows the SMTP conversation through ``log``, with the ``AUTH`` exchange masked and
message contents (join links with passcodes) reduced to their size.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from sbzoom.errors import AuthError, ConfigError, SbzoomError

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class SmtpTemporaryError(SbzoomError):
    """Nothing was delivered and trying later may work (connection, timeout, 4xx).

    ``per_recipient``: only this recipient was deferred (a 4xx to RCPT, e.g. greylisting); the
    server itself still takes other messages.
    """

    per_recipient = False


class SmtpRejectedError(SbzoomError):
    """The server refused this message for good (5xx), e.g. an unknown mailbox."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # starttls | ssl | none
    username: str
    sender: str
    password: str = field(default="", repr=False)
    timeout: float = 30.0


class _LoggedSMTP(smtplib.SMTP):
    """smtplib's debug output goes to ``log`` instead of stderr, with secrets masked."""

    sink: Callable[[str], None] | None = None
    _quiet = ""  # while set, what is sent is shown as this instead

    def _print_debug(self, *args: Any) -> None:
        if self.sink is None:
            return
        if self._quiet and args and args[0] == "send:":
            args = ("send:", self._quiet)
        self.sink("smtp " + " ".join(str(a) for a in args))

    def auth(self, mechanism: str, authobject: Any, *, initial_response_ok: bool = True) -> Any:
        self._quiet = f"<AUTH {mechanism} ***>"
        try:
            return super().auth(mechanism, authobject, initial_response_ok=initial_response_ok)
        finally:
            self._quiet = ""

    def data(self, msg: Any) -> Any:
        self._quiet = f"<message, {len(msg)} bytes>"
        try:
            # DATA itself is shown; only the message that follows it is summarised.
            return super().data(msg)
        finally:
            self._quiet = ""

    def putcmd(self, cmd: str, args: str = "") -> None:
        quiet, self._quiet = self._quiet, "" if cmd.lower() == "data" else self._quiet
        try:
            super().putcmd(cmd, args)
        finally:
            self._quiet = quiet


class _LoggedSMTPSSL(_LoggedSMTP, smtplib.SMTP_SSL):
    pass


class SmtpMailer:
    """One SMTP session, opened on the first message; use as a context manager."""

    def __init__(self, settings: SmtpSettings, log: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.log = log
        self._smtp: _LoggedSMTP | None = None

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def _where(self) -> str:
        return f"the SMTP server {self.settings.host}:{self.settings.port}"

    def connect(self) -> None:
        """Connect and sign in (done by the first ``send``; call it to check the settings)."""
        if self._smtp is not None:
            return
        s = self.settings
        try:
            if s.security == "ssl":
                smtp: _LoggedSMTP = _LoggedSMTPSSL(
                    timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = _LoggedSMTP(timeout=s.timeout)
            smtp.sink = self.log
            smtp.set_debuglevel(1 if self.log else 0)
            smtp.connect(s.host, s.port)
            smtp.ehlo()
            if s.security == "starttls":
                if not smtp.has_extn("starttls"):
                    smtp.close()
                    raise ConfigError(
                        f"{self._where()} does not offer STARTTLS.",
                        "Set the right port and security, e.g. 'sbzoom config set smtp.security "
                        "ssl' and 'sbzoom config set smtp.port 465'.",
                    )
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.username:
                self._login(smtp)
        except ssl.SSLError as exc:
            raise ConfigError(
                f"TLS with {self._where()} failed: {exc.reason or exc}.",
                "Check smtp.security and smtp.port (starttls is usually 587, ssl 465).",
            ) from None
        except (OSError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected) as exc:
            raise SmtpTemporaryError(
                f"Cannot reach {self._where()}: {_why(exc)}.",
                "Notices wait and are sent by the next run.",
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise _classify(exc, self._where()) from None
        self._smtp = smtp

    def _login(self, smtp: _LoggedSMTP) -> None:
        s = self.settings
        fix = (
            "Store the right password with 'sbzoom auth login smtp --password-stdin' (or set "
            "SBZOOM_SMTP_PASSWORD), and check 'sbzoom config get smtp.username'."
        )
        if not s.password:
            smtp.close()
            raise AuthError(f"No SMTP password is stored for {s.username}.", fix)
        if not smtp.has_extn("auth"):
            smtp.close()
            raise ConfigError(
                f"{self._where()} does not offer sign-in (AUTH) on this connection.",
                "Use smtp.security starttls or ssl (many servers offer AUTH only over TLS), or "
                "unset smtp.username for a relay that needs none.",
            )
        try:
            smtp.login(s.username, s.password)
        except smtplib.SMTPAuthenticationError as exc:
            smtp.close()
            if 400 <= exc.smtp_code < 500:
                raise SmtpTemporaryError(
                    f"{self._where()} could not check the sign-in now ({exc.smtp_code}).",
                    "Notices wait and are sent by the next run.",
                ) from None
            raise AuthError(
                f"{self._where()} refused the sign-in of {s.username} ({exc.smtp_code} "
                f"{_text(exc.smtp_error)}).",
                fix,
            ) from None

    def send(self, message: EmailMessage) -> None:
        """Send one message to its ``To`` address; raises one of the errors above."""
        self.connect()
        assert self._smtp is not None
        try:
            refused = self._smtp.send_message(message, from_addr=self.settings.sender)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            self._drop_if_closed(code)
            raise _classify(
                smtplib.SMTPResponseException(code, text), self._where(), per_recipient=code != 421
            ) from None
        except smtplib.SMTPSenderRefused as exc:
            if 400 <= exc.smtp_code < 500:
                raise _classify(exc, self._where()) from None
            raise ConfigError(
                f"{self._where()} refuses the sender {self.settings.sender} ({exc.smtp_code} "
                f"{_text(exc.smtp_error)}).",
                "Set a sender the server accepts for this login: 'sbzoom config set smtp.from "
                "ADDRESS'."
                if exc.smtp_code != 530  # "Authentication required": no login was given
                else "The server wants a sign-in: 'sbzoom config set smtp.username ...'.",
            ) from None
        except smtplib.SMTPResponseException as exc:
            self._drop_if_closed(exc.smtp_code)
            raise _classify(exc, self._where()) from None
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            # Delivery may or may not have happened: the caller keeps it and sends again.
            self._forget()
            raise SmtpTemporaryError(
                f"{self._where()} hung up while sending: {_why(exc)}.",
                "The notice waits and is sent by the next run.",
            ) from None
        if refused:
            code, text = next(iter(refused.values()))
            raise _classify(smtplib.SMTPResponseException(code, text), self._where())

    def _drop_if_closed(self, code: int) -> None:
        if code == 421:  # "closing transmission channel": the session is over
            self._forget()

    def _forget(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


def _text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:200]


def _why(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return str(exc) or type(exc).__name__


def _classify(
    exc: smtplib.SMTPResponseException, where: str, *, per_recipient: bool = False
) -> SbzoomError:
    text = _text(exc.smtp_error)
    if 400 <= exc.smtp_code < 500:
        error = SmtpTemporaryError(
            f"{where} answered {exc.smtp_code} {text}", "The notice waits for the next run."
        )
        error.per_recipient = per_recipient
        return error
    return SmtpRejectedError(f"{exc.smtp_code} {text}")
