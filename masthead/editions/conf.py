"""The editions app's settings, read when used (so tests can override them); settings.py gives the defaults."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def editions_root() -> Path:
    """Where EPUB and PDF files live: outside MEDIA_ROOT, so only the gated views hand them out."""
    return Path(settings.EDITIONS_ROOT)


def build_on_publish() -> bool:
    """Whether publishing an issue, or an article in a live issue, queues a build of its files."""
    return settings.EDITIONS_BUILD_ON_PUBLISH
