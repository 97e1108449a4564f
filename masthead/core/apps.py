from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide plumbing: the anonymous page cache, health check, shared template context."""

    name = "masthead.core"
    label = "core"

    def ready(self):
        from masthead.core import page_cache

        page_cache.connect_invalidation()
