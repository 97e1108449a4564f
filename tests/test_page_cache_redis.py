"""With Redis, clearing the page cache leaves every other key in the same Redis database alone."""

import pytest
from django.core.cache import caches
from django.test import override_settings

from masthead.core.page_cache import clear_page_cache

REDIS = "redis://127.0.0.1:6379/15"
REDIS_CACHES = {
    "default": {"BACKEND": "masthead.ops.redis_cache.RedisCacheThatDegrades", "LOCATION": REDIS},
    "pages": {"BACKEND": "masthead.ops.redis_cache.RedisCacheThatDegrades", "LOCATION": REDIS, "KEY_PREFIX": "pages"},
}


@pytest.mark.django_db
def test_clearing_pages_on_redis_keeps_the_default_cache():
    with override_settings(CACHES=REDIS_CACHES):  # Django resets its cache handles on this change
        try:
            caches["default"].set("session-ish", "kept")
            caches["pages"].set("page:x", "gone")
            clear_page_cache()
            assert caches["pages"].get("page:x") is None
            assert caches["default"].get("session-ish") == "kept"
        finally:
            caches["default"].delete("session-ish")
