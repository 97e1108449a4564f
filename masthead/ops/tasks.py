"""Background work of the production plumbing itself."""

from __future__ import annotations

from django.core.cache import caches
from django_tasks import task


@task()
def delete_cache_keys(alias: str, keys: list[str], version: int | None = None) -> int:
    """Deletes that could not reach Redis while it was down (a logout's session copy, a forgotten page), done now."""
    caches[alias].delete_many(keys, version)
    return len(keys)
