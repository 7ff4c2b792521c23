"""The engine's view of Zoom and SimplyBook (``model.ZoomOps``, ``model.CommentOps``) over the
real clients: they turn the clients' answers and errors into what the engine decides by."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sbzoom.clients import zoom as zoom_api
from sbzoom.clients.simplybook import Booking, EndpointMissingError, SimplyBookClient
from sbzoom.core.bookings.model import (
    BookingView,
    CommentUnreadableError,
    HostExhaustedError,
    WriteBackUnavailableError,
    ZoomMeeting,
    meeting_gone,
)
from sbzoom.errors import ApiError


class ZoomAdapter:
    """The engine's view of Zoom (``linking.ZoomOps``) over the real client."""

    def __init__(self, client: zoom_api.ZoomClient) -> None:
        self.client = client

    def pool_size(self) -> int:
        """Workers that keep Zoom's rate budgets busy at the latency measured so far."""
        return self.client.session.pool_size()

    def upcoming(self, host_id: str) -> list[ZoomMeeting]:
        # "scheduled" = unexpired past, live and upcoming: also finds today's earlier sessions.
        return [_view(m, host_id) for m in self.client.list_meetings(host_id, type="scheduled")]

    def create(self, host_id: str, request: zoom_api.MeetingRequest) -> ZoomMeeting:
        try:
            return _view(self.client.create_meeting(host_id, request), host_id)
        except zoom_api.DailyLimitError as exc:
            raise HostExhaustedError(host_id, exc.reset_at) from None

    def update(self, meeting_id: int, request: zoom_api.MeetingRequest) -> None:
        try:
            self.client.update_meeting(meeting_id, request)
        except zoom_api.DailyLimitError as exc:
            raise HostExhaustedError(exc.host or "", exc.reset_at) from None
        except zoom_api.MeetingGoneError:
            raise meeting_gone(meeting_id) from None

    def delete(self, meeting_id: int) -> None:
        try:
            self.client.delete_meeting(meeting_id)
        except ApiError as exc:
            if exc.code != 3007:  # "has ended": nothing left to delete
                raise

    def registrants(self, meeting_id: int) -> list[zoom_api.Registrant]:
        try:
            listed = self.client.list_registrants(meeting_id)
        except zoom_api.MeetingGoneError:
            raise meeting_gone(meeting_id) from None
        return listed

    def add_registrant(
        self, meeting_id: int, email: str, first_name: str, last_name: str
    ) -> zoom_api.Registrant:
        # The client reads the personal link back when the 201 leaves it out (approval type 1).
        try:
            made = self.client.add_registrant(meeting_id, email, first_name, last_name)
        except zoom_api.MeetingGoneError:
            raise meeting_gone(meeting_id) from None
        return made if made.email else replace(made, email=email)

    def cancel_registrant(self, meeting_id: int, registrant: zoom_api.Registrant) -> None:
        try:
            self.client.cancel_registrants(meeting_id, [registrant])
        except zoom_api.MeetingGoneError:
            return  # the meeting is gone, and the registration with it: the goal is reached


class CommentAdapter:
    def __init__(self, client: SimplyBookClient) -> None:
        self.client = client

    def get_comment(self, booking_id: str) -> str:
        comment = self.client.get_booking(int(booking_id)).comment
        if comment is None:  # the details carried no "comment" field: its text is unknown
            raise CommentUnreadableError(
                f"SimplyBook's details of booking {booking_id} carry no comment field."
            )
        return comment

    def set_comment(self, booking_id: str, text: str) -> None:
        try:
            self.client.set_booking_comment(int(booking_id), text)
        except EndpointMissingError as exc:
            raise WriteBackUnavailableError(exc.message, exc.hint) from None


def _view(meeting: zoom_api.Meeting, host_id: str) -> ZoomMeeting:
    return ZoomMeeting(
        id=meeting.id,
        host_id=meeting.host_id or host_id,
        join_url=meeting.join_url,
        passcode=meeting.password,
        start=meeting.start_time,
        duration=meeting.duration,
        topic=meeting.topic,
        agenda=meeting.agenda,
    )


def booking_view(booking: Booking) -> BookingView:
    client = booking.client
    return BookingView(
        id=str(booking.id),
        code=booking.code,
        cancelled=booking.is_cancelled,
        start=booking.start,
        end=booking.end,
        service_id=str(booking.service_id or ""),
        service_name=booking.service_name,
        provider_id=str(booking.provider_id or ""),
        provider_name=booking.provider_name,
        client_name=(client.name if client else "") or "Client",
        client_email=(client.email if client else "") or "",
    )


def host_labels(zoom: Callable[[], zoom_api.ZoomClient]) -> Callable[[str], str]:
    """Zoom user id -> e-mail for messages a person reads (one user listing, made when first
    needed, shared by the worker threads); the id itself when Zoom cannot say."""
    import threading

    from sbzoom.core.report import HostDirectory

    directory = HostDirectory(
        lambda: {u.id: u.email for u in zoom().list_users() if u.id and u.email}
    )
    lock = threading.Lock()

    def label(host_id: str) -> str:
        with lock:
            return directory.email(host_id)

    return label
