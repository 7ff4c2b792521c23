"""The running listener: the HTTP app (Starlette), the worker thread, and shutdown.

Starlette is imported here only (uvicorn in ``server``), and these modules only by ``sbzoom
listen``: every other command starts as fast as before (tests/unit/cli/test_startup_imports.py).

Request path: size limit, then the secret or signature, then the JSON, then the company or
account; only then is the event committed to the queue and the answer sent (a few ms). A wrong
callback secret answers a plain 404, the same as any unknown path. Nothing a request carries is
ever logged beyond the event's kind and ids.

Worker: takes the oldest due events in small batches and links exactly their bookings with the
engine of ``bookings link`` (``LinkEngine``, ``handlers``); on SIGTERM the server stops taking
requests, the batch in flight is given a grace period to finish, and anything unfinished stays
in the queue, which the next start works off first.
"""

from __future__ import annotations

import contextlib
import queue as stdlib_queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sbzoom.core.bookings.model import BookingView, LinkReport
from sbzoom.core.listen import handlers, verify
from sbzoom.core.listen.metrics import Metrics
from sbzoom.core.listen.queue import EventQueue
from sbzoom.core.listen.settings import ListenSecrets
from sbzoom.errors import NotFoundError
from sbzoom.store.files import UnitLocks
from sbzoom.store.ledger import Ledger

if TYPE_CHECKING:
    from sbzoom.clients.simplybook import Booking
    from sbzoom.clock import Clock

BATCH_SIZE = 50  # per engine run: fewer host listings per booking in a burst
STOP_GRACE_SECONDS = 20.0
Log = Callable[[dict[str, object]], None]


@dataclass
class LinkEngine:
    """``handlers.Engine`` over the profile's ledger, unit locks and linking run.

    ``link`` links exactly the named bookings the way ``bookings link ID...`` does (deleted ones
    ended, not failed), with the settings as they are now: a provider mapped or a service put
    online since the last event counts from the next event on, without a restart.
    """

    ledger: Ledger
    locks: UnitLocks
    link_bookings: Callable[[Sequence[str]], LinkReport]
    fetch_booking: Callable[[int], Booking]  # SimplyBook's booking; NotFoundError when deleted
    clock: Clock

    def link(self, booking_ids: Sequence[str]) -> LinkReport:
        return self.link_bookings(list(booking_ids))

    def booking(self, booking_id: str) -> BookingView | None:
        from sbzoom.core.bookings.adapters import booking_view

        try:
            return booking_view(self.fetch_booking(int(booking_id)))
        except NotFoundError:
            return None

    def hold(self, unit_key: str) -> AbstractContextManager[None]:
        return self.locks.hold(unit_key)

    def now(self) -> datetime:
        return self.clock.now()


@dataclass
class Worker:
    queue: EventQueue
    engine: handlers.Engine
    metrics: Metrics
    log: Log
    batch_size: int = BATCH_SIZE
    wake: threading.Event = field(default_factory=threading.Event)
    stopping: threading.Event = field(default_factory=threading.Event)
    idle: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sbzoom-listen-worker", daemon=True)
        self._thread.start()

    def stop(self, grace: float) -> bool:
        """Stop after the batch in flight; False when it did not finish within ``grace``."""
        self.stopping.set()
        self.wake.set()
        if self._thread is None:
            return True
        self._thread.join(grace)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self._once()
            except Exception as exc:  # the ledger itself failed: say so, keep the service up
                self.log({"level": "error", "msg": "worker error", "error": str(exc)})
                self.stopping.wait(1.0)

    def _once(self) -> None:
        taken = self.queue.take(time.time(), self.batch_size)
        if not taken:
            self.idle.set()
            self.wake.wait(0.5)
            self.wake.clear()
            return
        self.idle.clear()
        started = time.monotonic()
        try:
            outcomes = handlers.handle_batch(self.engine, taken)
        except Exception as exc:  # never let one batch kill the worker: log, retry later
            self.log(
                {
                    "level": "error",
                    "msg": "batch failed",
                    "error": type(exc).__name__,
                    "events": len(taken),
                }
            )
            self.queue.retry([q.id for q in taken], type(exc).__name__, time.time() + 30)
            return
        work_ms = round((time.monotonic() - started) * 1000)
        received = {q.id: q for q in taken}
        now = time.time()
        for outcome in outcomes:
            queued = received[outcome.event_id]
            if outcome.finished == "retry":
                delay = handlers.retry_delay(queued.attempts)
                self.queue.retry([outcome.event_id], outcome.detail, now + delay)
            else:
                self.queue.finish(
                    [outcome.event_id],
                    outcome.finished,
                    f"{outcome.action}: {outcome.detail}",
                    now,
                )
            seconds = now - queued.received_at
            self.metrics.finish(outcome.source, outcome.action, outcome.finished, seconds)
            record: dict[str, object] = {
                "level": "info" if outcome.finished == "done" else "warning",
                "msg": "event",
                "event_id": outcome.event_id,
                "source": outcome.source,
                "kind": outcome.kind,
                "booking": outcome.booking,
                "action": outcome.action,
                "outcome": outcome.finished,
                "ms": round(seconds * 1000),
                "batch_ms": work_ms,
            }
            if outcome.meeting_id:
                record["meeting_id"] = outcome.meeting_id
            if outcome.detail:
                record["detail"] = outcome.detail
            self.log(record)


class Committer:
    """Commits accepted events to the queue from one thread, many per commit under load.

    Each request waits for its own event's commit (so nothing is answered before it is on
    disk), but a burst of concurrent requests shares one transaction and one disk sync instead
    of queueing behind one sync each.
    """

    MAX_BATCH = 256

    def __init__(self, queue: EventQueue, on_commit: Callable[[], None]) -> None:
        self.queue = queue
        self.on_commit = on_commit
        self._waiting: stdlib_queue.SimpleQueue[tuple[verify.Event, Future[int]] | None] = (
            stdlib_queue.SimpleQueue()
        )
        self._thread = threading.Thread(target=self._run, name="sbzoom-listen-commit", daemon=True)
        self._thread.start()

    def submit(self, event: verify.Event) -> Future[int]:
        done: Future[int] = Future()
        self._waiting.put((event, done))
        return done

    def close(self) -> None:
        self._waiting.put(None)
        self._thread.join(5)

    def _run(self) -> None:
        while True:
            first = self._waiting.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.MAX_BATCH:
                try:
                    item = self._waiting.get_nowait()
                except stdlib_queue.Empty:
                    break
                if item is None:
                    self._waiting.put(None)  # stop after this batch
                    break
                batch.append(item)
            try:
                ids = self.queue.put_many([event for event, _ in batch], time.time())
            except Exception as exc:  # the disk failed: every request in the batch gets a 503
                for _, done in batch:
                    done.set_exception(exc)
                continue
            self.on_commit()
            for (_, done), event_id in zip(batch, ids, strict=True):
                done.set_result(event_id)


@dataclass
class Listener:
    """Everything one ``sbzoom listen`` process holds: the engine (whose ledger it opened and
    migrated first), the event queue in the same ledger file, the worker and the committer."""

    engine: handlers.Engine
    ledger_path: Path
    secrets: ListenSecrets = field(repr=False)
    company: str
    zoom_account: str | None
    log: Log
    metrics: Metrics = field(default_factory=Metrics)
    started: float = field(default_factory=time.time)
    queue: EventQueue = field(init=False)
    worker: Worker = field(init=False)
    committer: Committer = field(init=False)
    stopping: bool = False

    def __post_init__(self) -> None:
        self.queue = EventQueue(self.ledger_path)
        self.worker = Worker(self.queue, self.engine, self.metrics, self.log)
        self.committer = Committer(self.queue, self.worker.wake.set)

    async def accept(self, event: verify.Event) -> int:
        """Commit the event to the queue; returns once it is on disk."""
        import asyncio

        event_id = await asyncio.wrap_future(self.committer.submit(event))
        self.metrics.receive(event.source)
        return event_id

    def health(self) -> dict[str, object]:
        stats = self.queue.stats()
        now = time.time()
        last = stats.last_finished_at
        oldest = stats.oldest_queued_at
        return {
            "status": "stopping" if self.stopping else "ok",
            "uptime_seconds": round(now - self.started, 1),
            "queued": stats.queued,
            "working": stats.working,
            "failed": stats.failed,
            "last_event_age_seconds": None if last is None else round(now - last, 1),
            "oldest_waiting_age_seconds": None if oldest is None else round(now - oldest, 1),
            "zoom_webhooks": self.secrets.zoom is not None,
        }

    def metrics_text(self) -> str:
        stats = self.queue.stats()
        last = stats.last_finished_at
        return self.metrics.render(stats, None if last is None else time.time() - last)


# -- the HTTP app -----------------------------------------------------------------------------


def build_app(listener: Listener) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse, Response
    from starlette.routing import Route

    def refuse(status: int, reason: str) -> Response:
        listener.metrics.reject(status)
        listener.log({"level": "warning", "msg": "rejected", "status": status, "reason": reason})
        if status == 404:
            return PlainTextResponse("Not Found", status_code=404)
        return JSONResponse({"error": reason}, status_code=status)

    async def body_of(request: Request) -> bytes:
        verify.check_size(request.headers.get("content-length"))
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            verify.check_size(None, size)
            chunks.append(chunk)
        return b"".join(chunks)

    def failed(exc: Exception) -> Response:
        listener.log({"level": "error", "msg": "queue write failed", "error": str(exc)})
        return JSONResponse({"error": "try again later"}, status_code=503)

    async def simplybook(request: Request) -> Response:
        started = time.monotonic()
        given = str(request.path_params.get("secret", ""))
        if not verify.same_secret(given, listener.secrets.callback):
            return refuse(404, "unknown callback path")
        try:
            event = verify.simplybook_event(await body_of(request), listener.company)
        except verify.Rejected as exc:
            return refuse(exc.status, exc.reason)
        if event is None:
            return JSONResponse({"ok": True, "queued": False})  # a reminder: nothing to do
        try:
            event_id = await listener.accept(event)
        except Exception as exc:  # the ledger cannot be written: SimplyBook retries later
            return failed(exc)
        listener.metrics.answered(time.monotonic() - started)
        return JSONResponse({"ok": True, "queued": True, "event_id": event_id})

    async def zoom(request: Request) -> Response:
        started = time.monotonic()
        secret = listener.secrets.zoom
        if secret is None:
            return refuse(404, "Zoom webhooks are not set up")
        try:
            body = await body_of(request)
            verify.check_zoom_signature(
                secret,
                request.headers.get("x-zm-signature"),
                request.headers.get("x-zm-request-timestamp"),
                body,
                time.time(),
            )
            notice = verify.zoom_notice(body, secret, listener.zoom_account)
        except verify.Rejected as exc:
            return refuse(exc.status, exc.reason)
        if notice.validation is not None:
            listener.log({"level": "info", "msg": "zoom url validation answered"})
            return JSONResponse(notice.validation)
        if notice.event is None:
            return Response(status_code=204)
        try:
            await listener.accept(notice.event)
        except Exception as exc:  # a 5xx: Zoom retries at +5, +20, +60 min
            return failed(exc)
        listener.metrics.answered(time.monotonic() - started)
        return Response(status_code=204)

    async def healthz(request: Request) -> Response:
        health = listener.health()
        return JSONResponse(health, status_code=503 if listener.stopping else 200)

    async def metrics(request: Request) -> Response:
        return PlainTextResponse(
            listener.metrics_text(), media_type="text/plain; version=0.0.4; charset=utf-8"
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> Any:
        recovered = listener.queue.recover()
        pruned = listener.queue.prune(time.time())
        listener.worker.start()
        listener.log(
            {
                "level": "info",
                "msg": "worker started",
                "recovered": recovered,
                "pruned": pruned,
                "queued": listener.queue.stats().queued,
            }
        )
        yield
        listener.stopping = True
        listener.committer.close()
        finished = listener.worker.stop(STOP_GRACE_SECONDS)
        stats = listener.queue.stats()
        listener.log(
            {
                "level": "info" if finished else "warning",
                "msg": "worker stopped",
                "in_flight_finished": finished,
                "queued": stats.queued + stats.working,
            }
        )

    routes = [
        Route("/simplybook/{secret}", simplybook, methods=["POST"]),
        Route("/zoom/webhook", zoom, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
