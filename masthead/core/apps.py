from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide plumbing: the anonymous page cache, health check, shared template context."""

    name = "masthead.core"
    label = "core"

    def ready(self):
        from masthead.core import converters, page_cache

        converters.register()  # before any URL conf is read
        page_cache.connect_invalidation()
