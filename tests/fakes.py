"""The one set of test fakes, shared by every test that needs them."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from sbzoom.clients.http import MaybeCommittedError
from sbzoom.clients.simplybook import Provider, Service
from sbzoom.clients.zoom import ZoomUser
from sbzoom.core.bookings.model import HostExhaustedError, Registrant, ZoomMeeting
from sbzoom.errors import MissingScopeError

NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)


class FakeClock:
    """Time that moves only when someone sleeps; every sleep is recorded."""

    def __init__(self, start: datetime = NOW) -> None:
        self.start = start
        self.elapsed = 0.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return self.elapsed

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += seconds


class FakeTokens:
    """A ``TokenSource`` (clients/http): hands out ``token``; each renewal records the token it
    was told was rejected and moves to the next of ``renewals``, keeping the last token once they
    run out (a renewal that yields nothing new)."""

    def __init__(self, token: str, renewals: Iterable[str] = ()) -> None:
        self.token = token
        self.renewals = iter(renewals)
        self.renewed: list[str] = []  # the rejected tokens, one per renewal asked for

    def access_token(self) -> str:
        return self.token

    def renew(self, rejected: str) -> str:
        self.renewed.append(rejected)
        self.token = next(self.renewals, self.token)
        return self.token


class FakeZoom:
    """A Zoom account in memory: meetings and registrants as the linking engine sees them
    (``ZoomOps``), recording every call; and its users (``list_users``, ``get_user``) as
    ``ZoomClient`` has them. ``may_list=False`` is a user-level sign-in, refused the account's user
    list; ``listed`` records the statuses asked for."""

    def __init__(
        self, users: Sequence[ZoomUser] = (), *, me: ZoomUser | None = None, may_list: bool = True
    ) -> None:
        self.users = list(users)
        self.me = me
        self.may_list = may_list
        self.listed: list[str] = []
        self.meetings: dict[int, dict[str, object]] = {}
        self.reg: dict[int, list[Registrant]] = {}
        self.calls: list[tuple[str, object]] = []
        self.ids = itertools.count(81000000001)
        self.exhausted: set[str] = set()
        self.drop_next_create = False

    def list_users(self, status: str = "active") -> list[ZoomUser]:
        self.listed.append(status)
        if not self.may_list:
            raise MissingScopeError(
                "The Zoom app lacks the scope user:read:list_users:admin (GET /users).",
                scopes=["user:read:list_users:admin"],
            )
        return [u for u in self.users if u.status == status]

    def get_user(self, user: str = "me") -> ZoomUser:
        assert user == "me" and self.me is not None, "only 'me' is known"
        return self.me

    def writes(self) -> list[tuple[str, object]]:
        return [c for c in self.calls if c[0] not in ("upcoming", "registrants")]

    def upcoming(self, host_id: str) -> list[ZoomMeeting]:
        self.calls.append(("upcoming", host_id))
        return [
            ZoomMeeting(
                mid,
                str(m["host"]),
                str(m["join_url"]),
                start=datetime.fromisoformat(str(m["start_time"]).replace("Z", "+00:00")),
                duration=int(m["duration"]),  # type: ignore[call-overload]
                topic=str(m["topic"]),
                agenda=str(m["agenda"])[:250],
            )
            for mid, m in self.meetings.items()
            if m["host"] == host_id
        ]

    def create(self, host_id: str, body: dict[str, object]) -> ZoomMeeting:
        self.calls.append(("create", host_id))
        if host_id in self.exhausted:
            raise HostExhaustedError(host_id, datetime(2026, 11, 25, tzinfo=UTC))
        mid = next(self.ids)
        self.meetings[mid] = {**body, "host": host_id, "join_url": f"https://zoom.test/j/{mid}"}
        if self.drop_next_create:
            self.drop_next_create = False
            raise MaybeCommittedError("no answer")
        return ZoomMeeting(mid, host_id, f"https://zoom.test/j/{mid}", "pw")

    def update(self, meeting_id: int, body: dict[str, object]) -> None:
        self.calls.append(("update", meeting_id))
        self.meetings[meeting_id].update(body)

    def delete(self, meeting_id: int) -> None:
        self.calls.append(("delete", meeting_id))
        self.meetings.pop(meeting_id, None)

    def registrants(self, meeting_id: int) -> list[Registrant]:
        self.calls.append(("registrants", meeting_id))
        return list(self.reg.get(meeting_id, []))

    def add_registrant(self, meeting_id: int, email: str, first: str, last: str) -> Registrant:
        self.calls.append(("add_registrant", (meeting_id, email)))
        reg = Registrant(
            f"r{len(self.calls)}", email, f"https://zoom.test/w/{meeting_id}?tk={email}"
        )
        self.reg.setdefault(meeting_id, []).append(reg)
        return reg

    def cancel_registrant(self, meeting_id: int, registrant: Registrant) -> None:
        self.calls.append(("cancel_registrant", (meeting_id, registrant.id)))
        self.reg[meeting_id] = [r for r in self.reg.get(meeting_id, []) if r.id != registrant.id]


class FakeComments:
    """Booking comments in SimplyBook as the engine reads and writes them (``CommentOps``)."""

    def __init__(self) -> None:
        self.comments: dict[str, str] = {}

    def get_comment(self, booking_id: str) -> str:
        return self.comments.get(booking_id, "")

    def set_comment(self, booking_id: str, text: str) -> None:
        self.comments[booking_id] = text


class FakeCatalog:
    """SimplyBook's providers and services, in memory: the catalog calls of ``SimplyBookClient``."""

    def __init__(
        self, providers: Sequence[Provider] = (), services: Sequence[Service] = ()
    ) -> None:
        self.providers = list(providers)
        self.services = list(services)

    def list_providers(self) -> list[Provider]:
        return list(self.providers)

    def list_services(self) -> list[Service]:
        return list(self.services)
