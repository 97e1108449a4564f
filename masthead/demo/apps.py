from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo magazine for `make run` (command `load_demo`): the top layer, which may import any app."""

    name = "masthead.demo"
    label = "demo"
