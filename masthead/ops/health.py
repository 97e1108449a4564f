"""Readiness: whether each part the site needs answers, each with its state, for `/readyz`."""

from __future__ import annotations

import time
import uuid

from django.core.cache import caches
from django.core.files.storage import default_storage
from django.db import connection


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        state = {"state": "ok", **(check() or {})}
    except Exception as error:  # any failure of the part is its state, never the page's
        state = {"state": "down", "error": type(error).__name__}
    state["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return state


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    # Sessions, rate limits and the page cache live here: a write that reads back is the test.
    key = f"readyz:{uuid.uuid4().hex}"
    cache = caches["default"]
    if hasattr(cache, "ping"):
        cache.ping()  # Redis's own answer: its reads and writes answer as an empty cache while it is down
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def _task_queue():
    # Imported here: task_queues brings RQ and Redis's client, which a site on the database backend never uses.
    from masthead.ops import task_queues

    return {"depth": task_queues.depths()}


def _storage():
    # A read of the bucket (or media folder): a missing file is an answer; an unreachable store raises.
    default_storage.exists("readyz-probe")


CHECKS = {"database": _database, "cache": _cache, "task_queue": _task_queue, "storage": _storage}


def readiness() -> dict:
    """Each part's state ("ok" or "down", and how long it took); overall "ok" only when all are."""
    checks = {name: _timed(check) for name, check in CHECKS.items()}
    if checks["database"]["state"] == "down":
        connection.close()  # a broken connection is not reused by the next check or request
    status = "ok" if all(check["state"] == "ok" for check in checks.values()) else "down"
    return {"status": status, "checks": checks}
