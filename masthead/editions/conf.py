"""The editions app's settings, read when used (so tests can override them), with the defaults below.

settings.py sets them from the environment: EDITIONS_ROOT and EDITIONS_BUILD_ON_PUBLISH.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def editions_root() -> Path:
    """Where EPUB and PDF files live: outside MEDIA_ROOT, so only the gated views hand them out."""
    return Path(getattr(settings, "EDITIONS_ROOT", Path(settings.DATA_DIR) / "editions"))


def build_on_publish() -> bool:
    """Whether publishing an issue, or an article in a live issue, queues a build of its files."""
    return bool(getattr(settings, "EDITIONS_BUILD_ON_PUBLISH", True))
