"""The elastic worker pool: grows with size(), keeps order, stops on the first error."""

from __future__ import annotations

import threading
import time

import pytest

from sbzoom.core.bookings.workers import run_elastic


def test_results_come_back_in_order_and_items_start_in_order() -> None:
    started: list[int] = []
    lock = threading.Lock()

    def task(n: int) -> int:
        with lock:
            started.append(n)
        time.sleep(0.001 * (n % 3))
        return n * n

    assert run_elastic(task, list(range(50)), lambda: 4) == [n * n for n in range(50)]
    # Taken in order: any item starts no earlier than four places after its turn.
    assert all(abs(started.index(n) - n) < 4 for n in range(50))


def test_pool_grows_when_size_grows() -> None:
    size = [1]
    busy = [0]
    most = [0]
    lock = threading.Lock()

    def task(n: int) -> None:
        with lock:
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        if n == 2:
            size[0] = 6  # latency measured: more workers wanted
        time.sleep(0.1)
        with lock:
            busy[0] -= 1

    run_elastic(task, list(range(30)), lambda: size[0])
    assert most[0] == 6


def test_first_error_stops_handing_out_work_and_is_raised() -> None:
    done: list[int] = []

    def task(n: int) -> None:
        if n == 3:
            raise KeyError("boom")
        done.append(n)

    with pytest.raises(KeyError):
        run_elastic(task, list(range(100)), lambda: 1)
    assert done == [0, 1, 2]
