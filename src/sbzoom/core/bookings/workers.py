"""A worker pool that grows to the size the work needs while it runs.

``run_elastic(task, items, size)`` runs ``task`` on every item with at most ``size()`` threads,
asking ``size()`` again as the work goes on: the HTTP layer's answer grows once it has measured
the latency (a 400 ms service needs ten times the workers of a 40 ms one to keep the same
request rate). Items are taken in order, so the caller's ordering (soonest bookings first) is the
order work starts. Results come back in the items' order. The first exception stops the handing
out of further items and is raised once the work in flight has finished; so is Ctrl-C.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

POLL = 0.05  # how often the pool looks at size() while it runs


def run_elastic(
    task: Callable[[T], R], items: Sequence[T], size: Callable[[], int], *, name: str = "worker"
) -> list[R]:
    results: list[R | None] = [None] * len(items)
    lock = threading.Lock()
    next_index = [0]
    failure: list[BaseException] = []

    def take() -> int | None:
        with lock:
            if failure or next_index[0] >= len(items):
                return None
            index = next_index[0]
            next_index[0] += 1
            return index

    def work() -> None:
        while (index := take()) is not None:
            try:
                results[index] = task(items[index])
            except BaseException as exc:  # handed to the caller's thread
                with lock:
                    failure.append(exc)
                return

    threads: list[threading.Thread] = []

    def grow() -> None:
        with lock:
            if failure:
                return
            remaining = len(items) - next_index[0]
        wanted = min(max(1, size()), len(items))
        while len(threads) < wanted and remaining > len([t for t in threads if t.is_alive()]):
            thread = threading.Thread(target=work, name=f"{name}-{len(threads)}", daemon=True)
            threads.append(thread)
            thread.start()

    try:
        grow()
        while alive := [t for t in threads if t.is_alive()]:
            alive[0].join(POLL)
            grow()
    except BaseException as exc:  # Ctrl-C: finish what is in flight, start nothing new
        with lock:
            failure.append(exc)
        for thread in threads:
            thread.join()
        raise
    if failure:
        raise failure[0]
    return results  # type: ignore[return-value]
