"""The Pacer: strict sliding windows per budget, across threads, and server push-back."""

from __future__ import annotations

import itertools
import random
import threading
import time

import pytest

from sbzoom.clients.http import WINDOW_MARGIN, Pacer
from sbzoom.clock import SystemClock
from tests.fakes import FakeClock
from tests.unit.clients.http.sessions import most_in_any_second


def test_pacer_pressed_reaches_the_ceiling_less_the_stated_margin() -> None:
    clock = FakeClock()
    pacer = Pacer(20, clock)
    starts = [pacer.wait() for _ in range(401)]
    assert most_in_any_second(starts) == 20
    assert 400 / (starts[-1] - starts[0]) == pytest.approx(20 / (1 + WINDOW_MARGIN), rel=0.01)


def test_pacer_window_holds_with_a_jitter_smaller_than_the_margin() -> None:
    # Requests reach the server up to 50 ms later than they start, unevenly: no server-side
    # second still holds more than the ceiling.
    clock = FakeClock()
    pacer = Pacer(10, clock)
    rng = random.Random(9)
    arrivals = [pacer.wait() + rng.uniform(0, WINDOW_MARGIN) for _ in range(300)]
    assert most_in_any_second(arrivals) <= 10


def test_a_slow_answer_moves_its_request_later_in_the_window() -> None:
    # Request 0 took 600 ms longer than the fastest: it may have reached the server that much
    # later (less the margin, which absorbs small jitter). Counting it there, no second at the
    # server holds more than the ceiling.
    clock = FakeClock()
    pacer = Pacer(10, clock)
    starts = [pacer.wait() for _ in range(10)]
    pacer.answered("", starts[1], 0.05)
    pacer.answered("", starts[0], 0.65)
    later = [pacer.wait() for _ in range(30)]
    arrivals = [starts[0] + 0.6 - WINDOW_MARGIN, *starts[1:], *later]
    assert most_in_any_second(arrivals) <= 10
    unmoved = Pacer(10, FakeClock())
    naive = [unmoved.wait() for _ in range(40)]
    assert most_in_any_second([naive[0] + 0.6 - WINDOW_MARGIN, *naive[1:]]) > 10


def test_pacer_below_one_per_second_spaces_single_requests() -> None:
    clock = FakeClock()
    pacer = Pacer(0.5, clock)
    starts = [pacer.wait() for _ in range(4)]
    assert all(b - a >= 2.0 for a, b in itertools.pairwise(starts))


def test_pacer_keeps_separate_budgets_per_category() -> None:
    clock = FakeClock()
    pacer = Pacer(2, clock, {"Medium": 4, "Light": 8})
    medium = [pacer.wait("Medium") for _ in range(40)]
    light = [pacer.wait("Light") for _ in range(80)]
    assert most_in_any_second(medium) == 4
    assert most_in_any_second(light) == 8
    # Light did not wait behind Medium: each budget runs at its own rate.
    assert light[-1] - light[0] < 11 and medium[-1] - medium[0] < 11


def test_pacer_is_strict_across_threads_and_holds_no_lock_while_sleeping() -> None:
    clock = SystemClock()
    pacer = Pacer(100, clock)
    starts: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(25):
            slot = pacer.wait()
            with lock:
                starts.append(slot)

    threads = [threading.Thread(target=work) for _ in range(8)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(starts) == 200
    assert most_in_any_second(starts) <= 100
    # Sleeping outside the lock: 200 at 100 per 1.05 s finish in about 2 s, not 200 sleeps.
    assert time.monotonic() - began < 5


def test_push_back_of_one_category_leaves_the_others_going() -> None:
    clock = FakeClock()
    pacer = Pacer(0, clock, {"Medium": 0, "Light": 0})
    pacer.push_back(3, "Medium")
    pacer.wait("Light")
    assert clock.sleeps == []
    pacer.wait("Medium")
    assert clock.sleeps == [3]


def test_pacer_does_not_wait_when_requests_are_already_spaced() -> None:
    clock = FakeClock()
    pacer = Pacer(2, clock)
    pacer.wait()
    clock.elapsed += 5
    pacer.wait()
    assert clock.sleeps == []


def test_push_back_holds_every_request_even_without_a_rate() -> None:
    clock = FakeClock()
    pacer = Pacer(0, clock)
    pacer.push_back(4)
    pacer.wait()
    assert clock.sleeps == [4]


def test_pacer_does_not_spin_on_a_clock_that_never_moves() -> None:
    class Frozen(FakeClock):
        def sleep(self, seconds: float) -> None:
            self.sleeps.append(seconds)  # time stands still

    clock = Frozen()
    pacer = Pacer(100, clock)
    for _ in range(5):
        pacer.wait()
    assert len(clock.sleeps) == 4  # one sleep each, then on: no endless loop
