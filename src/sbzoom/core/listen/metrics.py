"""Counters of the listener, rendered in Prometheus' text format (version 0.0.4)."""

from __future__ import annotations

import threading
from collections import Counter

from sbzoom.core.listen.queue import QueueStats

LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)
ANSWER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


class Histogram:
    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.buckets = [0] * len(bounds)
        self.count = 0
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.count += 1
        self.sum += value
        for index, bound in enumerate(self.bounds):
            if value <= bound:
                self.buckets[index] += 1

    def lines(self, name: str) -> list[str]:
        out = [
            f'{name}_bucket{{le="{bound}"}} {count}'
            for bound, count in zip(self.bounds, self.buckets, strict=True)
        ]
        out.append(f'{name}_bucket{{le="+Inf"}} {self.count}')
        out.append(f"{name}_sum {self.sum:.6f}")
        out.append(f"{name}_count {self.count}")
        return out


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.received: Counter[str] = Counter()  # by source
        self.rejected: Counter[int] = Counter()  # by HTTP status
        self.processed: Counter[tuple[str, str]] = Counter()  # by (source, action)
        self.failed: Counter[str] = Counter()  # by source
        self.retried: Counter[str] = Counter()
        self.latency = Histogram(LATENCY_BUCKETS)
        self.answers = Histogram(ANSWER_BUCKETS)

    def receive(self, source: str) -> None:
        with self._lock:
            self.received[source] += 1

    def answered(self, seconds: float) -> None:
        with self._lock:
            self.answers.observe(seconds)

    def reject(self, status: int) -> None:
        with self._lock:
            self.rejected[status] += 1

    def finish(self, source: str, action: str, finished: str, seconds: float) -> None:
        with self._lock:
            if finished == "retry":
                self.retried[source] += 1
                return
            self.processed[(source, action)] += 1
            if finished == "failed":
                self.failed[source] += 1
            self.latency.observe(seconds)

    def render(self, stats: QueueStats, last_event_age: float | None) -> str:
        lines: list[str] = []

        def family(name: str, kind: str, text: str) -> None:
            lines.append(f"# HELP {name} {text}")
            lines.append(f"# TYPE {name} {kind}")

        with self._lock:
            family("sbzoom_listen_events_received_total", "counter", "Events accepted and queued.")
            for source in ("simplybook", "zoom"):
                value = self.received[source]
                lines.append(f'sbzoom_listen_events_received_total{{source="{source}"}} {value}')
            family("sbzoom_listen_requests_rejected_total", "counter", "Requests refused.")
            for status in sorted(self.rejected):
                value = self.rejected[status]
                lines.append(f'sbzoom_listen_requests_rejected_total{{status="{status}"}} {value}')
            family("sbzoom_listen_events_processed_total", "counter", "Events handled.")
            for (source, action), value in sorted(self.processed.items()):
                lines.append(
                    f'sbzoom_listen_events_processed_total{{source="{source}",action="{action}"}}'
                    f" {value}"
                )
            family("sbzoom_listen_events_failed_total", "counter", "Events given up on.")
            for source in ("simplybook", "zoom"):
                value = self.failed[source]
                lines.append(f'sbzoom_listen_events_failed_total{{source="{source}"}} {value}')
            family("sbzoom_listen_events_retried_total", "counter", "Events put back for later.")
            for source in ("simplybook", "zoom"):
                value = self.retried[source]
                lines.append(f'sbzoom_listen_events_retried_total{{source="{source}"}} {value}')
            family(
                "sbzoom_listen_event_seconds",
                "histogram",
                "Time from an event's arrival to the end of its handling.",
            )
            lines.extend(self.latency.lines("sbzoom_listen_event_seconds"))
            family(
                "sbzoom_listen_answer_seconds",
                "histogram",
                "Time to answer an accepted event (its queue commit included).",
            )
            lines.extend(self.answers.lines("sbzoom_listen_answer_seconds"))
        family("sbzoom_listen_queue_depth", "gauge", "Events waiting or being handled.")
        lines.append(f"sbzoom_listen_queue_depth {stats.queued + stats.working}")
        family("sbzoom_listen_last_event_age_seconds", "gauge", "Seconds since an event finished.")
        age = -1.0 if last_event_age is None else last_event_age
        lines.append(f"sbzoom_listen_last_event_age_seconds {age:.3f}")
        return "\n".join(lines) + "\n"
