"""`sbzoom listen` setup steps on the terminal: the URLs to paste, and where to paste them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from sbzoom.core.listen.settings import ListenUrls

ZOOM_SECRET_KEPT = "Zoom webhook secret token kept in the secret store."
SECRET_ROTATED = (
    "New callback secret made: paste the new SimplyBook URL below into Custom Features → "
    "API → Callback URL. The old URL now answers 404."
)


def urls_json(urls: ListenUrls) -> dict[str, object]:
    return {
        "simplybook_callback_url": urls.simplybook,
        "zoom_webhook_url": urls.zoom,
        "zoom_webhook_secret_set": urls.zoom_enabled,
    }


def print_urls(console: Console, urls: ListenUrls) -> None:
    from sbzoom import render

    render.print_kv(
        console,
        [
            ("SimplyBook callback URL", urls.simplybook),
            ("Zoom event notification endpoint URL", urls.zoom),
        ],
    )


def where_to_paste(zoom_secret_set: bool) -> str:
    return (
        "SimplyBook: Custom Features → API → Callback URL. Zoom: your app → Features → "
        "Event Subscriptions (meeting.deleted, meeting.updated)."
        + (
            ""
            if zoom_secret_set
            else " Then give Zoom's secret token: 'sbzoom listen --zoom-secret-stdin'."
        )
    )
