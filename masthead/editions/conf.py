"""The editions app's settings, read when used (so tests can override them); settings.py gives the defaults."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, storages


def editions_storage() -> Storage:
    """Where EPUB and PDF files live (masthead/core/private_files.py): never public; the gated views hand them out."""
    return storages["editions"]


def build_on_publish() -> bool:
    """Whether publishing an issue, or an article in a live issue, queues a build of its files."""
    return settings.EDITIONS_BUILD_ON_PUBLISH
