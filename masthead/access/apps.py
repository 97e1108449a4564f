from django.apps import AppConfig


class AccessConfig(AppConfig):
    """The one place that decides what a reader may read, hear and download."""

    name = "masthead.access"
    label = "access"
