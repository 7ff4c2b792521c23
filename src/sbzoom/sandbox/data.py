"""The demo company: SimplyBook users, providers, services, clients and bookings, and Zoom users.

Everything time-related is generated relative to the moment the sandbox starts, in the company's
time zone (``America/New_York`` unless told otherwise). See the package docstring for the story.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# -- credentials ---------------------------------------------------------------------------------

DEMO_COMPANY = "demo"
DEMO_COMPANY_NAME = "sbzoom Demo Studio"
DEMO_LOGIN = "admin"
DEMO_PASSWORD = "demo-password"
DEMO_2FA_LOGIN = "admin2fa"
DEMO_GA_CODE = "123456"
DEMO_SMS_CODE = "654321"
DEMO_API_USER_KEY = "api_user_key_sbzoom_demo_2fa_7c41e9"

ZOOM_ACCOUNT_ID = "sbxDemoAccount01"
ZOOM_CLIENT_ID = "sbxDemoClientId01"
ZOOM_CLIENT_SECRET = "sbx-demo-client-secret"

# zoom-api-notes §1g: the minimum granular scope set for an account-level app.
MINIMUM_GRANULAR_SCOPES: tuple[str, ...] = (
    "user:read:list_users:admin",
    "user:read:user:admin",
    "meeting:write:meeting:admin",
    "meeting:update:meeting:admin",
    "meeting:delete:meeting:admin",
    "meeting:read:meeting:admin",
    "meeting:read:list_meetings:admin",
    "meeting:write:registrant:admin",
    "meeting:read:list_registrants:admin",
    "meeting:update:registrant_status:admin",
    "meeting:read:registrant:admin",
)

DOMAIN = "sbzoom-demo.example"
# The people of the demo company: a provider's SimplyBook e-mail is their Zoom login.
OWNER_EMAIL = f"owner@{DOMAIN}"  # the Zoom account owner, who authorizes the app
ALICE_EMAIL = f"alice.romero@{DOMAIN}"
BEN_EMAIL = f"ben.okafor@{DOMAIN}"
CHLOE_EMAIL = f"chloe.park@{DOMAIN}"
DAN_EMAIL = f"dan.whitfield@{DOMAIN}"  # no Zoom user
FRANK_EMAIL = f"frank.inactive@{DOMAIN}"  # an inactive Zoom user
EVA_EMAIL = f"eva.pending@{DOMAIN}"  # a pending Zoom user (no id)

# -- SimplyBook ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SbUser:
    id: int
    login: str
    password: str
    two_factor: bool = False
    api_user_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Provider:
    id: int
    name: str
    email: str
    qty: int
    services: tuple[int, ...]
    phone: str
    color: str
    description: str = ""


@dataclass(frozen=True)
class Service:
    id: int
    name: str
    duration: int  # minutes
    providers: tuple[int, ...]
    limit_booking: int
    min_group_booking: int
    price: str
    description: str


@dataclass(frozen=True)
class Client:
    id: int
    name: str
    email: str
    phone: str
    city: str = "New York"


@dataclass(slots=True)
class Booking:
    """A booking with company-local naive wall times, as SimplyBook stores and returns them."""

    id: int
    code: str
    service_id: int
    provider_id: int
    client_id: int
    start: datetime
    end: datetime
    record_date: datetime
    status: str  # confirmed | pending | canceled
    batch_id: int | None = None
    batch_type: str | None = None
    comment: str = ""
    is_confirmed: bool = True


SB_USERS = (
    SbUser(1, DEMO_LOGIN, DEMO_PASSWORD),
    SbUser(2, DEMO_2FA_LOGIN, DEMO_PASSWORD, two_factor=True, api_user_keys=(DEMO_API_USER_KEY,)),
)

SERVICE_INTRO, SERVICE_NUTRITION, SERVICE_YOGA, SERVICE_IN_PERSON = 1, 2, 3, 4
PROVIDER_ALICE, PROVIDER_BEN, PROVIDER_CHLOE, PROVIDER_DAN = 1, 2, 3, 4

PROVIDERS = (
    Provider(
        PROVIDER_ALICE,
        "Alice Romero",
        ALICE_EMAIL,
        12,
        (SERVICE_YOGA,),
        "+1 212 555 0101",
        "#4f9d69",
        "Yoga teacher; hosts the group class.",
    ),
    Provider(
        PROVIDER_BEN,
        "Ben Okafor",
        BEN_EMAIL,
        1,
        (SERVICE_INTRO, SERVICE_NUTRITION, SERVICE_IN_PERSON),
        "+1 212 555 0102",
        "#3b6ea8",
    ),
    Provider(
        PROVIDER_CHLOE,
        "Chloe Park",
        CHLOE_EMAIL,
        1,
        (SERVICE_INTRO, SERVICE_NUTRITION),
        "+1 212 555 0103",
        "#b0527a",
    ),
    Provider(
        PROVIDER_DAN,
        "Dan Whitfield",
        DAN_EMAIL,
        1,
        (SERVICE_INTRO, SERVICE_IN_PERSON),
        "+1 212 555 0104",
        "#c98a2b",
        "Has no Zoom account.",
    ),
)

SERVICES = (
    Service(
        SERVICE_INTRO,
        "Intro Consultation",
        30,
        (PROVIDER_BEN, PROVIDER_CHLOE, PROVIDER_DAN),
        1,
        1,
        "0.00",
        "A free 30-minute first talk; one client.",
    ),
    Service(
        SERVICE_NUTRITION,
        "Nutrition Coaching",
        60,
        (PROVIDER_BEN, PROVIDER_CHLOE),
        1,
        1,
        "60.00",
        "One-to-one coaching session.",
    ),
    Service(
        SERVICE_YOGA,
        "Group Yoga Class",
        60,
        (PROVIDER_ALICE,),
        12,
        1,
        "15.00",
        "Group class, up to 12 clients per session.",
    ),
    Service(
        SERVICE_IN_PERSON,
        "In-Person Assessment",
        45,
        (PROVIDER_BEN, PROVIDER_DAN),
        1,
        1,
        "80.00",
        "At the studio; never online.",
    ),
)

CLIENTS = (
    Client(1, "Maria Gonzalez", "maria.gonzalez@client.example", "+1 917 555 0111"),
    Client(2, "James Chen", "james.chen@client.example", "+1 917 555 0112"),
    Client(3, "Priya Sharma", "priya.sharma@client.example", "+1 917 555 0113"),
    Client(4, "Tom Becker", "tom.becker@client.example", "+1 917 555 0114"),
    Client(5, "Lena Müller", "lena.mueller@client.example", "+49 30 5550115", "Berlin"),
    Client(6, "Noah Williams", "noah.williams@client.example", "+1 917 555 0116"),
    Client(7, "Aisha Bello", "aisha.bello@client.example", "+1 917 555 0117"),
    Client(8, "Kenji Watanabe", "kenji.watanabe@client.example", "+1 917 555 0118"),
)

# -- Zoom ----------------------------------------------------------------------------------------


def _zoom_user_id(name: str, number: int) -> str:
    return (f"sbxUsr{name}" + "0" * 22)[:19] + f"{number:03d}"


@dataclass
class ZoomUser:
    id: str | None  # Zoom returns no id for pending users
    email: str
    first_name: str
    last_name: str
    type: int  # 1 basic, 2 licensed
    status: str  # active | inactive | pending
    pmi: int
    role_name: str = "Member"
    role_id: str = "2"
    timezone: str = "America/New_York"
    can_schedule: bool = True
    created_at: datetime = field(default_factory=lambda: datetime(2024, 1, 15, 9, 0, tzinfo=UTC))


# The Zoom user ids (sbxUsrAlice00000000002 ...): tests take them from here.
ZOOM_OWNER_ID = _zoom_user_id("Owner", 1)
ZOOM_ALICE_ID = _zoom_user_id("Alice", 2)
ZOOM_BEN_ID = _zoom_user_id("Ben", 3)
ZOOM_CHLOE_ID = _zoom_user_id("Chloe", 4)
ZOOM_INACTIVE_ID = _zoom_user_id("Frank", 5)


def zoom_users() -> list[ZoomUser]:
    """A fresh, mutable copy of the Zoom account's users (the first one authorizes the app)."""
    return [
        ZoomUser(
            ZOOM_OWNER_ID,
            OWNER_EMAIL,
            "Sam",
            "Owner",
            2,
            "active",
            8100000001,
            role_name="Owner",
            role_id="0",
        ),
        ZoomUser(ZOOM_ALICE_ID, ALICE_EMAIL, "Alice", "Romero", 2, "active", 8100000002),
        ZoomUser(ZOOM_BEN_ID, BEN_EMAIL, "Ben", "Okafor", 2, "active", 8100000003),
        ZoomUser(ZOOM_CHLOE_ID, CHLOE_EMAIL, "Chloe", "Park", 1, "active", 8100000004),
        ZoomUser(
            ZOOM_INACTIVE_ID,
            FRANK_EMAIL,
            "Frank",
            "Stone",
            2,
            "inactive",
            8100000005,
        ),
        ZoomUser(None, EVA_EMAIL, "Eva", "Lindqvist", 1, "pending", 0),
    ]


# -- bookings ------------------------------------------------------------------------------------


def booking_code(booking_id: int) -> str:
    digest = hashlib.blake2b(str(booking_id).encode(), digest_size=5).digest()
    return base64.b32encode(digest).decode().lower()


def next_dst_transition(zone: ZoneInfo, after: date, horizon_days: int = 400) -> date | None:
    """The local date on which the zone's UTC offset next changes, if it does within the horizon."""
    previous = datetime.combine(after, time(12), zone).utcoffset()
    for days in range(1, horizon_days):
        day = after + timedelta(days=days)
        offset = datetime.combine(day, time(12), zone).utcoffset()
        if offset != previous:
            return day
    return None


@dataclass
class DemoData:
    bookings: list[Booking]
    dst_transition: date | None
    dst_booking_ids: tuple[int, ...]
    extra_clients: list[Client]


# (id, service, provider, client, day offset, hour, minute, status, batch id, batch type)
_FIXED_BOOKINGS: tuple[
    tuple[int, int, int, int, int, int, int, str, int | None, str | None], ...
] = (
    (1001, SERVICE_INTRO, PROVIDER_BEN, 1, 1, 10, 0, "confirmed", None, None),
    (1002, SERVICE_NUTRITION, PROVIDER_CHLOE, 2, 2, 14, 0, "confirmed", None, None),
    (1003, SERVICE_INTRO, PROVIDER_DAN, 3, 3, 9, 0, "confirmed", None, None),
    (1004, SERVICE_YOGA, PROVIDER_ALICE, 4, 4, 18, 0, "confirmed", 501, "group"),
    (1005, SERVICE_YOGA, PROVIDER_ALICE, 5, 4, 18, 0, "confirmed", 501, "group"),
    (1006, SERVICE_YOGA, PROVIDER_ALICE, 6, 4, 18, 0, "confirmed", None, None),
    (1007, SERVICE_NUTRITION, PROVIDER_BEN, 7, 5, 11, 0, "pending", None, None),
    (1008, SERVICE_INTRO, PROVIDER_BEN, 8, 6, 16, 0, "canceled", None, None),
    (1009, SERVICE_IN_PERSON, PROVIDER_DAN, 1, 2, 12, 0, "confirmed", None, None),
    (1010, SERVICE_NUTRITION, PROVIDER_BEN, 3, 9, 13, 0, "confirmed", None, None),
    (1011, SERVICE_YOGA, PROVIDER_ALICE, 1, 11, 18, 0, "confirmed", None, None),
    (1012, SERVICE_INTRO, PROVIDER_CHLOE, 2, -3, 15, 0, "confirmed", None, None),
)
_DST_FIRST_ID = 1013
_GENERATED_FIRST_ID = 100001
_GENERATED_CLIENT_FIRST_ID = 10001
_GENERATED_DAYS = 28


def _duration(service_id: int) -> timedelta:
    return timedelta(minutes=next(s.duration for s in SERVICES if s.id == service_id))


def build_bookings(now: datetime, zone: ZoneInfo, extra: int, seed: int) -> DemoData:
    """The demo bookings, relative to ``now``, plus ``extra`` generated ones for benchmarks."""
    today = now.astimezone(zone).date()
    record = now.astimezone(zone).replace(tzinfo=None, microsecond=0) - timedelta(days=7)
    bookings: list[Booking] = []
    for bid, service, provider, client, days, hour, minute, status, batch, kind in _FIXED_BOOKINGS:
        start = datetime.combine(today + timedelta(days=days), time(hour, minute))
        bookings.append(
            Booking(
                bid,
                booking_code(bid),
                service,
                provider,
                client,
                start,
                start + _duration(service),
                record,
                status,
                batch,
                kind,
                is_confirmed=status == "confirmed",
            )
        )
    transition = next_dst_transition(zone, today)
    dst_ids: list[int] = []
    if transition is not None:
        # The day before, the day of (after the 02:00 change) and the day after the next change:
        # same wall time, different UTC offsets.
        for number, days in enumerate((-1, 0, 1)):
            bid = _DST_FIRST_ID + number
            start = datetime.combine(transition + timedelta(days=days), time(10, 0))
            bookings.append(
                Booking(
                    bid,
                    booking_code(bid),
                    SERVICE_INTRO,
                    PROVIDER_BEN,
                    1 + number,
                    start,
                    start + _duration(SERVICE_INTRO),
                    record,
                    "confirmed",
                )
            )
            dst_ids.append(bid)
    extra_clients = _generate(bookings, today, record, extra, seed)
    return DemoData(bookings, transition, tuple(dst_ids), extra_clients)


def _generate(
    bookings: list[Booking], today: date, record: datetime, count: int, seed: int
) -> list[Client]:
    if count <= 0:
        return []
    rng = random.Random(seed)
    clients = [
        Client(cid, f"Client {cid}", f"client{cid}@client.example", f"+1 646 555 {cid % 10000:04d}")
        for cid in range(
            _GENERATED_CLIENT_FIRST_ID, _GENERATED_CLIENT_FIRST_ID + max(1, min(count, 2000))
        )
    ]
    services = [s for s in SERVICES]
    weights = [35, 25, 30, 10]
    durations = {s.id: timedelta(minutes=s.duration) for s in SERVICES}
    for number in range(count):
        service = rng.choices(services, weights)[0]
        provider = rng.choice(service.providers)
        client = clients[rng.randrange(len(clients))]
        day = today + timedelta(days=1 + rng.randrange(_GENERATED_DAYS))
        slot = rng.randrange(24)  # 08:00 .. 19:30 every half hour
        start = datetime.combine(day, time(8 + slot // 2, 30 * (slot % 2)))
        roll = rng.random()
        status = "canceled" if roll < 0.02 else "pending" if roll < 0.05 else "confirmed"
        bid = _GENERATED_FIRST_ID + number
        bookings.append(
            Booking(
                bid,
                booking_code(bid),
                service.id,
                provider,
                client.id,
                start,
                start + durations[service.id],
                record,
                status,
                is_confirmed=status == "confirmed",
            )
        )
    return clients
