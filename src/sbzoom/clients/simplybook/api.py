"""SimplyBook.me REST API v2 (``user-api-v2.<domain>``): the admin calls of one company.

    SimplyBookClient(session, api_url, company, tokens, timezone)
      company_info, list_providers, list_services, iter_bookings, list_bookings, get_booking,
      set_booking_comment, logout

Calls carry ``X-Company-Login`` / ``X-Token``; a ``TokenSource`` hands out the token and renews
it when SimplyBook answers 401 or 419 "Token Expired". Lists follow every page. The errors are
described in ``errors.py``; how wall times become aware datetimes, in ``models.py``.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx

from sbzoom.clients.http import HttpSession, TokenSource, response_json
from sbzoom.clients.simplybook.auth import SimplyBookAuth
from sbzoom.clients.simplybook.errors import (
    LOGIN_HINT,
    SERVICE,
    TOKEN_EXPIRED,
    EndpointMissingError,
    error_details,
    message_suffix,
)
from sbzoom.clients.simplybook.models import (
    Booking,
    CompanyInfo,
    Provider,
    Service,
    as_int,
    as_mapping,
    as_text,
    parse_booking,
    parse_provider,
    parse_service,
    valid_zone,
)
from sbzoom.errors import ApiError, AuthError, ConfigError, NotFoundError, RemoteError

DEFAULT_DOMAIN = "simplybook.me"
MAX_ON_PAGE = 100
T = TypeVar("T")


def api_url_for_domain(domain: str) -> str:
    """``simplybook.it`` → ``https://user-api-v2.simplybook.it`` (the REST v2 host of a region)."""
    return f"https://user-api-v2.{domain.strip().lower().strip('.')}"


def _rows(body: object) -> tuple[list[Any], Mapping[str, Any] | None]:
    """A list page as (items, metadata): ``{data, metadata}`` live, a bare array per the spec."""
    if isinstance(body, list):
        return body, None
    if isinstance(body, Mapping):
        data = body.get("data")
        if isinstance(data, list):
            return data, as_mapping(body.get("metadata")) or None
        if isinstance(data, Mapping):
            return list(data.values()), as_mapping(body.get("metadata")) or None
    raise RemoteError(
        "SimplyBook answered a list request with something that is not a list.",
        "Check the API URL (it must be the REST v2 host user-api-v2.<domain>).",
    )


class SimplyBookClient:
    """Admin REST calls for one company. Lists follow every page; bookings stream page by page."""

    def __init__(
        self,
        session: HttpSession,
        api_url: str,
        company: str,
        tokens: TokenSource,
        timezone: Callable[[], ZoneInfo] | ZoneInfo | None = None,
    ) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")
        self.company = company
        self.tokens = tokens
        self.auth = SimplyBookAuth(session, self.api_url)
        self._timezone = timezone

    def __repr__(self) -> str:
        return f"SimplyBookClient(company={self.company!r}, api_url={self.api_url!r})"

    def close(self) -> None:
        self.session.client.close()

    @property
    def timezone(self) -> ZoneInfo:
        """The company time zone that turns SimplyBook's wall times into aware datetimes."""
        zone = self._timezone() if callable(self._timezone) else self._timezone
        if zone is None:
            raise ConfigError(
                "The SimplyBook company's time zone is not known, so booking times cannot be read.",
                "Set it with 'sbzoom config set simplybook.timezone Europe/Copenhagen' (your "
                "company's IANA zone), or sign in again with --timezone.",
            )
        return zone

    # -- transport --

    def _request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: list[tuple[str, Any]] | None = None,
        json_body: Any = None,
        not_found: str | None = None,
    ) -> httpx.Response:
        """One admin call; a 401/419 renews the token and sends again (``send_with_token``)."""
        response = self.session.send_with_token(
            method,
            f"{self.api_url}{path}",
            tokens=self.tokens,
            credentials=lambda token: {"X-Company-Login": self.company, "X-Token": token},
            refused=lambda answer: answer.status_code in (401, TOKEN_EXPIRED),
            params=params,
            json_body=json_body,
        )
        if response.status_code in (401, TOKEN_EXPIRED):
            raise AuthError(
                f"SimplyBook rejected sbzoom's sign-in for company '{self.company}' even "
                "after renewing it.",
                LOGIN_HINT,
            )
        if response.is_success:
            return response
        message, code = error_details(response, self.session.redactor)
        status = response.status_code
        if status == 404 and not_found:  # by status first: the body may be an HTML page
            raise NotFoundError(not_found)
        if status in (404, 405) and path.endswith("/comment"):
            raise EndpointMissingError(
                f"SimplyBook has no booking-comment endpoint here (HTTP {status} on {path}).",
                "Turn write-back off with 'sbzoom config set write_back none'.",
                service=SERVICE,
                status=status,
                code=code,
            )
        if status == 403:
            raise AuthError(
                f"SimplyBook refused to {what}{message_suffix(message)}.",
                "The signed-in SimplyBook user lacks the right for this; sign in as a company "
                "admin with 'sbzoom auth login simplybook'.",
            )
        raise ApiError(
            f"SimplyBook could not {what}{message_suffix(message)} (HTTP {status}).",
            "Run with --debug to see the exchange.",
            service=SERVICE,
            status=status,
            code=code,
        )

    def _json(self, method: str, path: str, *, what: str, **kwargs: Any) -> Any:
        return response_json(self._request(method, path, what=what, **kwargs), SERVICE)

    def _pages(
        self, path: str, params: list[tuple[str, Any]], *, what: str, on_page: int
    ) -> Iterator[list[Any]]:
        """Each page's items, first to last. With metadata: up to ``pages_count``. Bare lists
        carry no count: go on while pages come back as full as the first one, and stop when a
        page repeats the previous one (a server that ignores ``page``)."""
        on_page = max(1, min(on_page, MAX_ON_PAGE))
        page, full, previous = 1, 0, None
        while True:
            body = self._json(
                "GET", path, what=what, params=[*params, ("page", page), ("on_page", on_page)]
            )
            items, metadata = _rows(body)
            if not items or items == previous:
                return
            yield items
            if metadata is not None and as_int(metadata.get("pages_count")) is not None:
                if page >= (as_int(metadata.get("pages_count")) or 0):
                    return
            else:
                full = full or len(items)
                if len(items) > on_page or len(items) < full:
                    return
            previous, page = items, page + 1

    def _parse_all(
        self, items: Iterable[Any], parse: Callable[[Mapping[str, Any]], T], what: str
    ) -> Iterator[T]:
        for item in items:
            if not isinstance(item, Mapping):
                raise RemoteError(f"SimplyBook sent a {what} that is not an object.")
            try:
                yield parse(item)
            except ValueError as exc:
                raise ApiError(
                    f"SimplyBook sent a {what} sbzoom cannot read: {exc}.",
                    "Run with --debug to see the answer, and report it.",
                    service=SERVICE,
                ) from None

    # -- public calls --

    def company_info(self) -> CompanyInfo:
        body = as_mapping(self._json("GET", "/admin/company/info", what="read the company info"))
        if isinstance(body.get("data"), Mapping):
            body = body["data"]
        zone = body.get("timezone") or body.get("time_zone")
        return CompanyInfo(
            login=as_text(body.get("login")),
            name=as_text(body.get("name")),
            email=as_text(body.get("email")),
            timezone=valid_zone(zone),
        )

    def list_providers(self, *, on_page: int = MAX_ON_PAGE) -> list[Provider]:
        what = "list the providers"
        pages = self._pages("/admin/providers", [], what=what, on_page=on_page)
        return [p for page in pages for p in self._parse_all(page, parse_provider, "provider")]

    def list_services(self, *, on_page: int = MAX_ON_PAGE) -> list[Service]:
        what = "list the services"
        pages = self._pages("/admin/services", [], what=what, on_page=on_page)
        return [s for page in pages for s in self._parse_all(page, parse_service, "service")]

    def iter_bookings(
        self,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        status: str | None = None,
        services: Iterable[int] = (),
        providers: Iterable[int] = (),
        upcoming_only: bool = False,
        on_page: int = MAX_ON_PAGE,
    ) -> Iterator[Booking]:
        """Bookings matching the filters, fetched one page at a time as the caller iterates.

        Dates compare the appointment date in the company's calendar (both ends included).
        """
        params = booking_filters(
            date_from=date_from,
            date_to=date_to,
            status=status,
            services=services,
            providers=providers,
            upcoming_only=upcoming_only,
        )
        pages = self._pages("/admin/bookings", params, what="list bookings", on_page=on_page)
        first = next(pages, None)
        if first is None:
            return  # nothing to read, so no time zone needed
        parse = functools.partial(parse_booking, tz=self.timezone)
        for page in itertools.chain([first], pages):
            yield from self._parse_all(page, parse, "booking")

    def list_bookings(self, **filters: Any) -> list[Booking]:
        return list(self.iter_bookings(**filters))

    def get_booking(self, booking_id: int) -> Booking:
        """One booking with its details, including the comment."""
        body = as_mapping(
            self._json(
                "GET",
                f"/admin/bookings/{int(booking_id)}",
                what=f"read booking {booking_id}",
                not_found=f"SimplyBook has no booking {booking_id}.",
            )
        )
        if isinstance(body.get("data"), Mapping) and "id" not in body:
            body = body["data"]
        parse = functools.partial(parse_booking, tz=self.timezone)
        return next(self._parse_all([body], parse, "booking"))

    def set_booking_comment(self, booking_id: int, comment: str) -> None:
        """PUT ``/admin/bookings/{id}/comment`` ``{"comment": …}`` (docs/simplybook-facts.md).
        A 404/405 here is the endpoint missing (the booking was just read): EndpointMissingError.
        """
        self._request(
            "PUT",
            f"/admin/bookings/{int(booking_id)}/comment",
            what=f"write the comment of booking {booking_id}",
            json_body={"comment": comment},
        )

    def logout(self) -> bool:
        return self.auth.logout(self.company, self.tokens.access_token())


def booking_filters(
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str | None = None,
    services: Iterable[int] = (),
    providers: Iterable[int] = (),
    upcoming_only: bool = False,
) -> list[tuple[str, Any]]:
    """Query parameters for ``GET /admin/bookings``. Only ``filter[...]`` names work: SimplyBook
    silently ignores unprefixed ones and returns everything."""
    params: list[tuple[str, Any]] = []
    if date_from is not None:
        params.append(("filter[date_from]", f"{date_from:%Y-%m-%d}"))
    if date_to is not None:
        params.append(("filter[date_to]", f"{date_to:%Y-%m-%d}"))
    if status:
        params.append(("filter[status]", status))
    params += [("filter[services][]", int(s)) for s in services]
    params += [("filter[providers][]", int(p)) for p in providers]
    if upcoming_only:
        params.append(("filter[upcoming_only]", 1))
    return params
