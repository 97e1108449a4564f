"""The file cache, made safe for counters shared by several web processes.

Rate limits (django-ratelimit, allauth) count requests in the default cache with add() and incr(),
and allauth guards its counters with a lock taken by add(). Django's FileBasedCache does both as a
read followed by a write, so two processes can both "add" the same key, or both read 7 and write 8
(a limit of 10 would let up to one request per web thread through for each counted one); and its
incr() rewrites the entry with the default timeout, so an hourly counter would vanish after five
quiet minutes. Here both hold one exclusive lock file for the cache folder, and incr() keeps the
entry's expiry. Redis (REDIS_URL) needs none of this: it adds and increments atomically itself.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import zlib
from collections.abc import Iterator

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks
from django.core.files.move import file_move_safe

LOCK_FILE = "counters.lock"  # not *.djcache, so clear() and culling leave it alone


class LockedFileCache(FileBasedCache):
    """FileBasedCache whose add() and incr() are atomic across processes, and whose incr() keeps the expiry."""

    @contextlib.contextmanager
    def _counter_lock(self) -> Iterator[None]:
        self._createdir()
        with open(os.path.join(self._dir, LOCK_FILE), "ab") as lock_file:
            locks.lock(lock_file, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(lock_file)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._counter_lock():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self._counter_lock():
            fname = self._key_to_file(key, version)
            try:
                with open(fname, "rb") as f:
                    if self._is_expired(f):
                        raise ValueError(f"Key '{key}' not found")
                    # Our own cache folder, read as Django's FileBasedCache reads it.
                    f.seek(0)
                    expiry = pickle.load(f)  # noqa: S301
                    value = pickle.loads(zlib.decompress(f.read())) + delta  # noqa: S301
            except FileNotFoundError:
                raise ValueError(f"Key '{key}' not found") from None
            fd, tmp_path = tempfile.mkstemp(dir=self._dir)
            try:
                with open(fd, "wb") as f:
                    f.write(pickle.dumps(expiry, self.pickle_protocol))
                    f.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
                file_move_safe(tmp_path, fname, allow_overwrite=True)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(tmp_path)
                raise
            return value
