"""The embedded cache (without Redis): diskcache's Django backend, kept open between requests.

diskcache keeps each cache in SQLite files shared by every web process and the worker, and its
add() and incr() are atomic across processes (rate-limit counters and the page cache's render lock
need both). Django closes every cache when a request finishes; for diskcache that closes its SQLite
connections, and reopening them costs ten PRAGMA statements per shard on the next request, which
made a page served from the cache six times slower. The connections are per thread and per
process, so keeping them open is safe.
"""

from __future__ import annotations

from diskcache import DjangoCache


class DiskCache(DjangoCache):
    def close(self, **kwargs) -> None:
        """Keep the connections for the next request (see the module's docstring)."""

    def get(self, key, default=None, version=None, **kwargs):
        """Wait out another process's write instead of answering "missing" after diskcache's 10 ms.

        A page-tag index read as missing would be written back without the pages it listed, and
        those pages would no longer be forgotten when what they show changes.
        """
        kwargs.setdefault("retry", True)
        return super().get(key, default, version, **kwargs)
