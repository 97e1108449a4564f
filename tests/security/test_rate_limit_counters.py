"""Rate-limit counters in the embedded cache are exact with several web processes, and last their whole window.

Production without Redis keeps the counters in masthead.core.disk_cache.DiskCache (diskcache), one
folder shared by every web worker; these tests use that folder from real separate processes.
"""

from __future__ import annotations

import multiprocessing
import time

import time_machine

from masthead.core.disk_cache import DiskCache

WORKERS = 4
REQUESTS_EACH = 150


def count_requests(folder: str, start: multiprocessing.Event) -> None:
    """One web worker: counts its requests the way django-ratelimit does (add, else incr)."""
    cache = DiskCache(folder, {})
    start.wait()
    for _ in range(REQUESTS_EACH):
        if not cache.add("rl:search:203.0.113.66", 1, 65):
            cache.incr("rl:search:203.0.113.66")


def test_requests_counted_by_several_workers_at_once_are_all_counted(tmp_path):
    context = multiprocessing.get_context("fork")
    start = context.Event()
    workers = [context.Process(target=count_requests, args=(str(tmp_path), start)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    assert DiskCache(str(tmp_path), {}).get("rl:search:203.0.113.66") == WORKERS * REQUESTS_EACH


def test_an_hourly_counter_keeps_counting_after_a_quiet_quarter_of_an_hour(tmp_path):
    cache = DiskCache(str(tmp_path), {})  # default timeout: 300 seconds
    with time_machine.travel(time.time(), tick=False) as clock:
        cache.add("rl:checkout:rita", 1, 3605)
        cache.incr("rl:checkout:rita")
        clock.shift(15 * 60)
        cache.incr("rl:checkout:rita")
        clock.shift(15 * 60)

        assert cache.get("rl:checkout:rita") == 3
        clock.shift(31 * 60)
        assert cache.get("rl:checkout:rita") is None
