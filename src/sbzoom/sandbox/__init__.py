"""A local emulator of the Zoom (OAuth + REST v2) and SimplyBook.me (REST v2 admin) endpoints
sbzoom uses, with a demo company. Nothing outside this package imports it (``sbzoom.cli.sandbox``
wires the command). Standard library only.

One server on 127.0.0.1, three prefixes:
``/zoom`` (OAuth: ``/oauth/authorize|token|revoke``; link pages ``/j/{id}``, ``/s/{id}``,
``/meeting/register/{token}``), ``/zoom/v2`` (REST), ``/simplybook`` (REST v2 admin).

Demo credentials
----------------
SimplyBook company ``demo`` (time zone ``America/New_York``):
  - ``admin`` / ``demo-password`` — no 2FA.
  - ``admin2fa`` / ``demo-password`` — 2FA: Google Authenticator code ``123456``; SMS code
    ``654321`` (after ``GET /admin/auth/sms``). Its API user key
    ``api_user_key_sbzoom_demo_2fa_7c41e9`` works as the password and skips 2FA.
Zoom account ``sbxDemoAccount01``, OAuth app client id ``sbxDemoClientId01``, secret
``sbx-demo-client-secret``. Every token (authorization code or S2S) acts as the owner
``owner@sbzoom-demo.example``. Registered redirect URIs, compared exactly as Zoom does (port
included): ``http://127.0.0.1:8765/callback`` (sbzoom's default) plus those given with
``redirect_uris=``, ``sbzoom sandbox --redirect-uri``, ``sb.register_redirect_uri(url)`` or
``POST /_sandbox/zoom/redirect_uris {"uri": ...}``.

Demo data (ids are stable; dates are relative to the day the sandbox starts, D, company-local)
----------------------------------------------------------------------------------------------
Zoom users: ``sbxUsrOwner00000000001`` owner@ (licensed, account owner),
``sbxUsrAlice00000000002`` alice.romero@ (licensed), ``sbxUsrBen0000000000003`` ben.okafor@
(licensed), ``sbxUsrChloe00000000004`` chloe.park@ (basic, type 1: registration → code 200),
``sbxUsrFrank00000000005`` frank.inactive@ (inactive: 3161), eva.pending@ (pending, no id);
all @sbzoom-demo.example.

Providers: 1 Alice Romero (qty 12, service 3; Zoom licensed — hosts the class), 2 Ben Okafor
(services 1, 2, 4; licensed), 3 Chloe Park (services 1, 2; basic), 4 Dan Whitfield (services 1, 4;
no Zoom user). Services: 1 Intro Consultation (30 min, 1:1), 2 Nutrition Coaching (60 min, 1:1),
3 Group Yoga Class (60 min, limit_booking 12), 4 In-Person Assessment (45 min, never online).
Clients 1-8 (Maria Gonzalez, James Chen, Priya Sharma, Tom Becker, Lena Müller, Noah Williams,
Aisha Bello, Kenji Watanabe), e-mails ``first.last@client.example``.

Bookings: 1001 D+1 10:00 intro/Ben · 1002 D+2 14:00 nutrition/Chloe · 1003 D+3 09:00 intro/Dan
(unmapped provider) · 1004, 1005, 1006 D+4 18:00 yoga/Alice, one class session (1004+1005 share
batch_id 501, batch_type "group"; 1006 has no batch) · 1007 D+5 11:00 nutrition/Ben **pending** ·
1008 D+6 16:00 intro/Ben **canceled** · 1009 D+2 12:00 in-person/Dan · 1010 D+9 13:00
nutrition/Ben · 1011 D+11 18:00 yoga/Alice (a session with one client) · 1012 D-3 15:00
intro/Chloe (past). DST: 1013, 1014, 1015 at 10:00 local, intro/Ben, on the day before, the day of
and the day after the next DST change of the company zone (``Sandbox.dst_transition()``; from
late November that is mid-March, about 110 days ahead — outside the default 30-day window).
``bookings=N`` adds N bookings with ids from 100001, over D+1 .. D+28, 08:00-19:30.

Choices where the API notes are silent: booking lists include canceled bookings unless
``filter[status]`` says otherwise, sorted by start; a repeated registrant e-mail returns the
existing registrant; cancelled registrants list under ``status=denied``; a reauthorization
(authorization code) invalidates the refresh tokens of earlier ones (Zoom 4741); start links
``/zoom/s/{id}?zak=…`` answer 403 once 2 hours old; pending Zoom users are not found by
``GET /users/{email}`` (1001); unknown registrants in a status call are ignored; registrant
endpoints answer code 300 for a missing meeting (the spec's code; 3001 is the meeting endpoints').

As the spec says, the add-registrant 201 carries no ``join_url`` for ``approval_type`` 1 (GET of the
registrant has it), a missing scope is code 4711, and over-long registrant fields are refused.
Fault switches for behaviour real accounts show only sometimes: ``sb.zoom.legacy_scope_code``
(4700), ``sb.zoom.user_level_requires_me``, ``sb.simplybook.comment_endpoint`` (False: 405),
``sb.simplybook.details_comment``, ``sb.simplybook.html_not_found``,
``sb.simplybook.unknown_company_html404``; ``company_info_timezone=False`` is a start option.
``sb.configure_faults(error_rate=1.0, error_status=502, fault_service="zoom")`` answers a proxy's
HTML 502; ``retry_after=False`` sends injected 429s without a ``Retry-After`` header.

Rate limits: Zoom's per-second limits of a Pro account are enforced by default (Light 30/s,
Medium 20/s, each a strict sliding window: at most N admitted in any second), answered with
Zoom's QPS 429; ``zoom_plan`` picks free, pro, business or none, ``zoom_rps_limit`` adds a ceiling
on all Zoom REST requests together.

Python API: ``Sandbox(**SandboxOptions fields).start()`` (or ``with Sandbox() as sb``); ``sb.env``,
``sb.url``; inspection and mutation on ``sb``, ``sb.zoom``, ``sb.simplybook`` and ``sb.faults``.

Where the code is
-----------------
``sandbox.py`` the Sandbox (options, start/stop, Python API) · ``server.py`` the router: dispatch
by path, faults and rate limits, and the one place refusals (``errors.py``) become answers ·
``zoom/`` and ``simplybook/`` the emulated services, one module per endpoint family (their
``service.py`` lists them) · ``control.py`` the ``/_control`` and ``/_sandbox`` endpoints ·
``data.py`` the demo company and its ids · ``faults.py`` fault injection and Zoom's per-second
limits · ``events.py`` callbacks and webhooks · ``mail.py`` the SMTP server · ``recording.py``
the request log and exchange listeners · ``wire.py``, ``clock.py`` plumbing · ``process.py``
running as ``sbzoom sandbox``.
"""

from sbzoom.sandbox.data import (
    DEMO_2FA_LOGIN,
    DEMO_API_USER_KEY,
    DEMO_COMPANY,
    DEMO_GA_CODE,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    DEMO_SMS_CODE,
    MINIMUM_GRANULAR_SCOPES,
    ZOOM_ACCOUNT_ID,
    ZOOM_CLIENT_ID,
    ZOOM_CLIENT_SECRET,
)
from sbzoom.sandbox.faults import FaultSettings
from sbzoom.sandbox.recording import Exchange, RequestRecord
from sbzoom.sandbox.sandbox import Sandbox, SandboxOptions
from sbzoom.sandbox.zoom import Revocation

__all__ = [
    "DEMO_2FA_LOGIN",
    "DEMO_API_USER_KEY",
    "DEMO_COMPANY",
    "DEMO_GA_CODE",
    "DEMO_LOGIN",
    "DEMO_PASSWORD",
    "DEMO_SMS_CODE",
    "MINIMUM_GRANULAR_SCOPES",
    "ZOOM_ACCOUNT_ID",
    "ZOOM_CLIENT_ID",
    "ZOOM_CLIENT_SECRET",
    "Exchange",
    "FaultSettings",
    "RequestRecord",
    "Revocation",
    "Sandbox",
    "SandboxOptions",
]
