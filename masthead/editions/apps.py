from django.apps import AppConfig


class EditionsConfig(AppConfig):
    """Magazine issues, their tables of contents and schedule, and the digital edition (EPUB, PDF) of each."""

    name = "masthead.editions"
    label = "editions"

    def ready(self):
        from masthead.editions import receivers

        receivers.connect()
