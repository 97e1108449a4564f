from django.apps import AppConfig


class AccessConfig(AppConfig):
    """The one place that decides what a reader may read, hear and download."""

    name = "masthead.access"
    label = "access"

    def ready(self):
        from masthead.access import page_audience

        page_audience.connect_invalidation()
