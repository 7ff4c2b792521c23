"""Every Zoom exchange of every test, judged by Zoom's spec after the test body has passed.

``make_sandbox`` (tests/sandbox_fixture.py) hands each sandbox to ``watch``; a test that runs
``sbzoom sandbox`` as a process passes the ``zoom_exchange_file`` fixture's path to
``--record-exchanges``. When the test body passes, the exchanges are checked with
``tests/contract/zoom_spec.py``, and any violation fails that test with one line per distinct
problem (operation, part, field, rule) and a request that showed it.

The sandbox's own tests (tests/sandbox/) send malformed requests on purpose to see them refused:
their requests are not judged, the sandbox's answers are. ``@pytest.mark.zoom_requests_unchecked``
does the same for any other test, and must say why.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from sbzoom.sandbox import Exchange, Sandbox
from tests.contract.zoom_spec import contract, format_violations, is_root_probe

SANDBOX_TESTS = Path(__file__).resolve().parents[1] / "sandbox"


class Recorder:
    """An exchange listener keeping the Zoom REST exchanges of one sandbox."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._exchanges: list[Exchange] = []

    def __call__(self, exchange: Exchange) -> None:
        if exchange.service == "zoom":
            with self._lock:
                self._exchanges.append(exchange)

    def take(self) -> list[Exchange]:
        with self._lock:
            taken, self._exchanges = self._exchanges, []
        return taken


_RECORDERS = pytest.StashKey[list[Recorder]]()
_FILES = pytest.StashKey[list[Path]]()
_STATS = pytest.StashKey[Counter[str]]()
_LINES_READ = pytest.StashKey[dict[Path, int]]()
_BODY_PASSED = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "zoom_requests_unchecked(reason): this test's Zoom requests are not judged against "
        "Zoom's spec (the sandbox's answers still are)",
    )


def watch(node: pytest.Item, sandbox: Sandbox) -> None:
    """Judge every Zoom exchange ``sandbox`` serves during ``node``'s test."""
    recorder = Recorder()
    sandbox.add_listener(recorder)
    node.stash.setdefault(_RECORDERS, []).append(recorder)


@pytest.fixture
def zoom_exchange_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A path for ``sbzoom sandbox --record-exchanges``; its exchanges are judged after the test."""
    path = tmp_path / "zoom-exchanges.jsonl"
    request.node.stash.setdefault(_FILES, []).append(path)
    return path


def _exchanges(item: pytest.Item) -> Iterator[Exchange]:
    """The exchanges not yet judged (each one is handed out once)."""
    for recorder in item.stash.get(_RECORDERS, []):
        yield from recorder.take()
    read = item.stash.setdefault(_LINES_READ, {})
    for path in item.stash.get(_FILES, []):
        if path.exists():
            lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
            for line in lines[read.get(path, 0) :]:
                yield Exchange.from_json(json.loads(line))
            read[path] = len(lines)


def _requests_judged(item: pytest.Item) -> bool:
    if item.get_closest_marker("zoom_requests_unchecked") is not None:
        return False
    return not Path(str(item.path)).resolve().is_relative_to(SANDBOX_TESTS)


def _describe(exchange: Exchange) -> str:
    query = "&".join(f"{k}={v}" for k, values in exchange.query.items() for v in values)
    body = exchange.request_body.decode("utf-8", errors="replace")
    if len(body) > 300:
        body = body[:297] + "..."
    target = exchange.path + (f"?{query}" if query else "")
    return f"{exchange.method} {target} -> {exchange.status}" + (f" body {body}" if body else "")


def _judge(item: pytest.Item, when: str) -> None:
    judge = contract()
    judge_requests = _requests_judged(item)
    stats = item.config.stash.setdefault(_STATS, Counter())
    found = []
    bad_exchanges = 0
    for exchange in _exchanges(item):
        if is_root_probe(exchange):
            stats["root probes"] += 1
            continue
        stats["exchanges"] += 1
        label = judge.operation_label(exchange)
        if label:
            stats[f"op {label}"] += 1
        if judge_requests:
            stats["requests judged"] += 1
        violations = judge.check(exchange, requests=judge_requests)
        bad_exchanges += bool(violations)
        found += [(v, _describe(exchange)) for v in violations]
    if found:
        pytest.fail(
            f"Zoom's OpenAPI spec (specs/zoom/meeting-api.subset.json) rejects {bad_exchanges} "
            f"Zoom exchange(s) of this test{when}:\n{format_violations(found)}",
            pytrace=False,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield  # a failing test body raises here: its own failure is the news
    item.stash[_BODY_PASSED] = True
    _judge(item, "")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Exchanges after the body (a process still finishing, a fixture's last calls)."""
    result = yield
    if item.stash.get(_BODY_PASSED, False):
        _judge(item, " (after its body, up to teardown)")
    return result


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    stats = terminalreporter.config.stash.get(_STATS, None)
    if not stats or not stats["exchanges"]:
        return
    seen = {k[3:] for k in stats if k.startswith("op ")}
    every = {op.label for op in contract().operations}
    line = (
        f"Zoom contract: {stats['exchanges']} exchanges judged against Zoom's spec "
        f"({stats['requests judged']} with their requests) over {len(seen & every)} of the "
        f"{len(every)} operations"
    )
    if every - seen:
        line += f"; not exercised: {', '.join(sorted(every - seen))}"
    if stats["root probes"]:
        line += f"; {stats['root probes']} doctor root probes (not API calls) skipped"
    terminalreporter.write_line(line)
