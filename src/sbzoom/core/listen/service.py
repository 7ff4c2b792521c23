"""The running listener: the HTTP app (Starlette on uvicorn), the worker thread, and shutdown.

Starlette and uvicorn are imported here only, and this module only by ``sbzoom listen``: every
other command starts as fast as before (tests/unit/test_startup_imports.py).

Request path: size limit, then the secret or signature, then the JSON, then the company or
account; only then is the event committed to the queue and the answer sent (a few ms). A wrong
callback secret answers a plain 404, the same as any unknown path. Nothing a request carries is
ever logged beyond the event's kind and ids.

Worker: takes the oldest due events in small batches and links exactly their bookings with the
engine of ``bookings link`` (``handlers``); on SIGTERM the server stops taking requests, the batch
in flight is given a grace period to finish, and anything unfinished stays in the queue, which
the next start works off first.
"""

from __future__ import annotations

import contextlib
import errno
import json
import queue as stdlib_queue
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sbzoom.context import Context
from sbzoom.core.bookings.model import BookingView, LinkReport
from sbzoom.core.listen import handlers, verify
from sbzoom.core.listen.metrics import Metrics
from sbzoom.core.listen.queue import EventQueue
from sbzoom.core.listen.settings import ListenSecrets
from sbzoom.errors import NotFoundError, UsageError
from sbzoom.store.files import LockTimeoutError, file_lock
from sbzoom.store.ledger import Ledger, ledger_path

BATCH_SIZE = 50  # per engine run: fewer host listings per booking in a burst
STOP_GRACE_SECONDS = 20.0
Log = Callable[[dict[str, object]], None]


class ContextEngine:
    """``handlers.Engine`` over the profile's real clients, ledger and unit locks."""

    def __init__(self, context: Context) -> None:
        from sbzoom.core.bookings.link import unit_locks
        from sbzoom.store.ledger import shared_ledger

        self.context = context
        self.ledger: Ledger = shared_ledger(context.cached, context.data_dir, context.profile_name)
        self.locks = unit_locks(context.data_dir, context.profile_name)

    def link(self, booking_ids: Sequence[str]) -> LinkReport:
        from sbzoom.core.auth.simplybook.connection import simplybook_client
        from sbzoom.core.auth.zoom.connection import zoom_client
        from sbzoom.core.bookings.link import LinkServices, daily_limit, link_bookings
        from sbzoom.core.notify.run import ContextNotices

        # Settings changed since the last event (a provider mapped, a service put online) count
        # from the next event on: the listener need not be restarted for them.
        context = self.context
        context.reload_profile()
        services = LinkServices(
            profile=lambda: context.profile,
            profile_name=context.profile_name,
            data_dir=context.data_dir,
            clock=context.clock,
            simplybook=lambda: simplybook_client(context),
            zoom=lambda: zoom_client(context),
            ledger=lambda: self.ledger,
            notices=ContextNotices(context),
            stop=context.stop_requested,
            stop_signal=lambda: context.stop_signal,
            daily_limit=lambda: daily_limit(context.env),
        )
        return link_bookings(services, list(booking_ids), missing_ok=True)

    def booking(self, booking_id: str) -> BookingView | None:
        from sbzoom.core.auth.simplybook.connection import simplybook_client
        from sbzoom.core.bookings.adapters import booking_view

        try:
            return booking_view(simplybook_client(self.context).get_booking(int(booking_id)))
        except NotFoundError:
            return None

    def hold(self, unit_key: str) -> AbstractContextManager[None]:
        return self.locks.hold(unit_key)

    def now(self) -> datetime:
        return self.context.clock.now()


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
    """Everything one ``sbzoom listen`` process holds."""

    context: Context
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
        path = ledger_path(self.context.data_dir, self.context.profile_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = ContextEngine(self.context)  # opens (and migrates) the ledger first
        self.queue = EventQueue(path)
        self.worker = Worker(self.queue, engine, self.metrics, self.log)
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


# -- running it -------------------------------------------------------------------------------


class JsonLog:
    """One JSON object per line on a text stream (stderr), safe from any thread."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._lock = threading.Lock()

    def __call__(self, record: dict[str, object]) -> None:
        line = json.dumps(
            {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), **record},
            ensure_ascii=False,
            default=str,
        )
        with self._lock:
            self._write(line + "\n")


def _log_config(log: JsonLog) -> dict[str, Any]:
    """uvicorn's own messages (start-up, protocol errors) as JSON lines too; no access log (the
    callback path carries a secret)."""
    import logging

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            log(
                {
                    "level": record.levelname.lower(),
                    "msg": record.getMessage(),
                    "logger": record.name,
                }
            )

    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"json": {"()": Handler}},
        "loggers": {
            "uvicorn": {"handlers": ["json"], "level": "WARNING", "propagate": False},
            "uvicorn.error": {"handlers": ["json"], "level": "WARNING", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"Port {port} on {host} is already in use.",
                "Stop what uses it, or pick another with --port.",
            ) from None
        raise UsageError(
            f"Cannot listen on {host}:{port}: {exc.strerror}.", "Check --host and --port."
        ) from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@contextlib.contextmanager
def single_listener(context: Context) -> Iterator[None]:
    path = context.data_dir / "locks" / f"listen-{context.profile_name}.lock"
    held = file_lock(path, timeout=0.0)
    try:
        held.__enter__()
    except LockTimeoutError:
        raise UsageError(
            f"Another 'sbzoom listen' already serves profile '{context.profile_name}'.",
            "Stop it first (one listener per profile owns its event queue).",
        ) from None
    try:
        yield
    finally:
        held.__exit__(None, None, None)


def serve(listener: Listener, host: str, port: int, on_ready: Callable[[int], None]) -> int:
    """Serve until SIGTERM or SIGINT; the signal number that stopped it (0 if none)."""
    import uvicorn

    sock = bind(host, port)
    config = uvicorn.Config(
        build_app(listener),
        log_config=_log_config(listener.log),  # type: ignore[arg-type]
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        server_header=False,
        date_header=True,
        limit_concurrency=1000,
        backlog=2048,
    )
    stopped_by: list[int] = []

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            """uvicorn's own, minus re-raising the signal at the end: a SIGTERM is the normal
            way to stop a service, and it must exit 0 after its clean stop."""
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            handled = (signal.SIGINT, signal.SIGTERM)
            previous = {sig: signal.signal(sig, self._stop) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

        def _stop(self, sig: int, frame: Any) -> None:
            stopped_by.append(sig)
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            self.should_exit = True

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                on_ready(int(sock.getsockname()[1]))

    server = Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return stopped_by[0] if stopped_by else 0
