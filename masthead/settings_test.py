"""Test settings: the real settings, with throwaway storage and fast password hashing."""

import tempfile
from pathlib import Path

from masthead.settings import *  # noqa: F403

TEST_DATA_DIR = Path(tempfile.mkdtemp(prefix="masthead-test-"))
DATA_DIR = TEST_DATA_DIR  # nothing a test writes lands in the checkout
STATIC_ROOT = TEST_DATA_DIR / "static"
MEDIA_ROOT = TEST_DATA_DIR / "media"
# Tests never read the publisher's pages beside the repository: the demo imports our own fixture.
SEED_DIR = str(BASE_DIR / "tests" / "fixtures" / "seed")  # noqa: F405
EMAIL_FILE_PATH = str(TEST_DATA_DIR / "mail")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
AUDIO_ROOT = TEST_DATA_DIR / "audio"
AUDIO_NARRATE_ON_PUBLISH = False  # Piper takes seconds; tests/audio turns it on where it is the subject
EDITIONS_ROOT = TEST_DATA_DIR / "editions"

# Institutions' ranges are forgotten on every save in this process; a test must not see them reloaded
# (one more query) at a moment that depends on how fast the machine is.
INSTITUTION_NETWORKS_RELOAD_SECONDS = 24 * 3600
