from django.apps import AppConfig


class MovingConfig(AppConfig):
    """Moving in from Ghost or WordPress: articles, authors, sections, subscribers and old URLs."""

    name = "masthead.moving"
    label = "moving"
    verbose_name = "Moving in"
