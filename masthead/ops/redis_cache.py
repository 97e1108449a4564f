"""Django's Redis cache, answering as an empty cache while Redis is down instead of failing the request.

What the production profile keeps in Redis can all be done without for a while: stored pages (rendered
again), sessions' cached copies (`cached_db` reads the database), page readers' records (decided again
by the gate), rate-limit counters and render locks. So while Redis cannot be reached a read is a miss,
a write is dropped, a lock is granted to whoever asks (nobody can wait for another's render) and a
counter starts again from nothing (rate limits let requests through until Redis is back: the price of
pages that keep serving). `/readyz` still says the cache is down (`ping`). Failures are logged at most
once a minute per process, so an outage does not flood the logs.

`clear()` deletes this cache's own keys, never the whole Redis database (Django's would FLUSHDB it, and
the task queues and the other cache with it).

A delete that cannot reach Redis is not forgotten: Redis may still hold the value when it comes back
(it keeps its data), and a session logged out meanwhile would sign its cookie in again. So the keys go
to a task (`ops.tasks.delete_cache_keys`), which is held in the database while Redis is down and run
once it answers (ops/task_queues.py); render locks and probes, which expire by themselves within a
minute, are left out. Other writes are dropped: a page cleared whole while Redis is down may still be
served from Redis's copy once it is back, for at most PAGE_CACHE_SECONDS, and a reader's changed
access is seen within page_readers' RECORD_SECONDS (docs/deploy.md).
"""

from __future__ import annotations

import logging
import time
from functools import cached_property

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
LOG_EVERY_SECONDS = 60
EXPIRE_BY_THEMSELVES = ("render:", "unstorable:", "readyz:")  # locks, markers and probes of a minute at most


class RedisCacheThatDegrades(RedisCache):
    _last_logged = 0.0

    def _log_down(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - RedisCacheThatDegrades._last_logged >= LOG_EVERY_SECONDS:
            RedisCacheThatDegrades._last_logged = now
            logger.warning("Redis is down (%s during %s): answering as an empty cache", error, operation)

    def _unless_down(self, operation: str, fallback, call, *args):
        """`call(*args)`, or `fallback` while Redis cannot be reached."""
        try:
            return call(*args)
        except REDIS_DOWN as error:
            self._log_down(operation, error)
            return fallback

    @cached_property
    def alias(self) -> str | None:
        """This cache's name in settings.CACHES (Django does not tell a backend), for the held delete task."""
        return next(
            (
                name
                for name, config in settings.CACHES.items()
                if config["BACKEND"].endswith(type(self).__name__) and config.get("KEY_PREFIX", "") == self.key_prefix
            ),
            None,
        )

    def delete_when_back(self, keys, version) -> None:
        keys = [str(key) for key in keys if not str(key).startswith(EXPIRE_BY_THEMSELVES)]
        if keys and self.alias and "held" in settings.TASKS:
            from masthead.ops.tasks import delete_cache_keys

            delete_cache_keys.enqueue(self.alias, keys, version)

    def ping(self) -> None:
        """Raises while Redis cannot be reached (for /readyz, which must not be answered by the fallback)."""
        self._cache.get_client().ping()

    def get(self, key, default=None, version=None):
        return self._unless_down("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._unless_down("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._unless_down("has_key", False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True while down: a lock nobody else can see, so the caller goes ahead.
        return self._unless_down("add", True, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._unless_down("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._unless_down("set_many", list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._unless_down("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except REDIS_DOWN as error:
            self._log_down("delete", error)
            self.delete_when_back([key], version)
            return False

    def delete_many(self, keys, version=None):
        keys = list(keys)
        try:
            super().delete_many(keys, version)
        except REDIS_DOWN as error:
            self._log_down("delete_many", error)
            self.delete_when_back(keys, version)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except REDIS_DOWN as error:
            # As for a missing key: rate limits (django-ratelimit) count from nothing again.
            self._log_down("incr", error)
            raise ValueError(f"Key '{key}' not found (Redis is down)") from error

    def clear(self):
        """Delete this cache's keys only: the Redis database also holds the task queues and the other cache."""

        def unlink_own_keys():
            client = self._cache.get_client(write=True)
            keys = list(client.scan_iter(match=self.make_key("*"), count=1000))
            if keys:
                client.unlink(*keys)
            return True

        return self._unless_down("clear", False, unlink_own_keys)
