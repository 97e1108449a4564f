"""Test settings: the real settings, with throwaway storage and fast password hashing."""

import os
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

# `make test-prod` runs the whole suite on the production profile's engines (scripts/prod/test.sh sets
# TEST_PROFILE=production with REDIS_URL, DATABASE_URL and the S3 bucket): Redis for the caches and
# sessions, PostgreSQL, media in S3. Each xdist worker gets a Redis database and a bucket of its own, as
# pytest-django gives it a database of its own: a test emptying its caches must not empty another's.
TEST_PROFILE = os.environ.get("TEST_PROFILE", "")
if TEST_PROFILE == "production":
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    _redis_url = f"{REDIS_URL.rsplit('/', 1)[0]}/{int(_worker.removeprefix('gw')) + 1}"  # noqa: F405
    _redis = "masthead.ops.redis_cache.RedisCacheThatDegrades"
    CACHES = {
        "default": {"BACKEND": _redis, "LOCATION": _redis_url, "OPTIONS": REDIS_CACHE_OPTIONS},  # noqa: F405
        "pages": {"BACKEND": _redis, "LOCATION": _redis_url, "KEY_PREFIX": "pages", "OPTIONS": REDIS_CACHE_OPTIONS},  # noqa: F405
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # Marks pages for nginx only while a browser test has one in front (FRONT_CACHE_PURGE_URLS, tests/front_server.py).
    MIDDLEWARE.insert(1, "masthead.ops.front_cache.FrontCacheMiddleware")  # noqa: F405
    if not AWS_STORAGE_BUCKET_NAME:  # noqa: F405
        raise RuntimeError("TEST_PROFILE=production needs the profile's bucket (AWS_STORAGE_BUCKET_NAME)")
    TEST_BUCKET = f"{AWS_STORAGE_BUCKET_NAME}-test-{_worker}"  # noqa: F405
    STORAGES["default"]["OPTIONS"]["bucket_name"] = TEST_BUCKET  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
AUDIO_ROOT = TEST_DATA_DIR / "audio"
AUDIO_NARRATE_ON_PUBLISH = False  # Piper takes seconds; tests/audio turns it on where it is the subject
EDITIONS_ROOT = TEST_DATA_DIR / "editions"

# Institutions' ranges are forgotten on every save in this process; a test must not see them reloaded
# (one more query) at a moment that depends on how fast the machine is.
INSTITUTION_NETWORKS_RELOAD_SECONDS = 24 * 3600
