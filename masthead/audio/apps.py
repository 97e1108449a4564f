from django.apps import AppConfig


class AudioConfig(AppConfig):
    """Narration of articles: the spoken script, synthesis, MP3 files, the player and podcast feeds."""

    name = "masthead.audio"
    label = "audio"
    verbose_name = "Audio"

    def ready(self):
        from masthead.audio import receivers

        receivers.connect()
