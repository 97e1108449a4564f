"""Prometheus metrics: requests by view and status with their latency, tasks finished by outcome,
and, read at scrape time, queue depths, payments, narrations and edition builds by state.

With several processes (gunicorn's workers, the RQ workers) PROMETHEUS_MULTIPROC_DIR names a folder
they all write to, and a scrape adds them up; the counts read from the database are the same from
any web machine.
"""

from __future__ import annotations

import os

from django.db.models import Count
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter(
    "masthead_http_requests", "Requests answered by the app, by view and status.", ["view", "method", "status"]
)
LATENCY = Histogram(
    "masthead_http_request_duration_seconds",
    "Time the app took to answer, by view.",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TASKS_FINISHED = Counter(
    "masthead_tasks_finished", "Background tasks finished, by task and outcome.", ["task", "status"]
)


def observe_request(view: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request and its latency."""
    REQUESTS.labels(view, method, str(status)).inc()
    LATENCY.labels(view).observe(seconds)


def count_finished_task(sender, task_result, **kwargs) -> None:
    """django-tasks' task_finished signal: one more task done or failed (narrations, builds, renewals, emails)."""
    TASKS_FINISHED.labels(task_result.task.module_path, task_result.status.lower()).inc()


class StateCollector:
    """Read at each scrape: what waits in each queue, and the rows that say what the workers got done."""

    def collect(self):
        from masthead.audio.models import ArticleNarration
        from masthead.editions.models import EditionFile
        from masthead.ops import task_queues  # RQ and Redis's client, loaded at the first scrape only
        from masthead.subscriptions.models import Payment

        depth = GaugeMetricFamily("masthead_task_queue_depth", "Tasks waiting in each queue.", labels=["queue"])
        try:
            depths = task_queues.depths()
        except task_queues.REDIS_DOWN:  # RQ's queues are out of reach; what waits in the database is not
            depths = {task_queues.HELD: task_queues.held_tasks().count()}
        for queue, waiting in depths.items():
            depth.add_metric([queue], waiting)
        yield depth
        for name, doc, model in (
            ("masthead_payments", "Payments by state (renewals and first payments).", Payment),
            ("masthead_narrations", "Article narrations by state.", ArticleNarration),
            ("masthead_edition_files", "EPUB and PDF builds by state.", EditionFile),
        ):
            family = GaugeMetricFamily(name, doc, labels=["status"])
            for row in model.objects.values("status").annotate(n=Count("pk")).order_by("status"):
                family.add_metric([row["status"]], row["n"])
            yield family


def exposition() -> bytes:
    """The metrics in Prometheus' text format, from every process of this machine when multiprocess."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUESTS, LATENCY, TASKS_FINISHED):
            registry.register(collector)
    registry.register(StateCollector())
    return generate_latest(registry)
