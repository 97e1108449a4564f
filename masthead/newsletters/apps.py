from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    """Email to readers: free sign-ups, preferences, the new-issue email, newsletters, digests and alerts."""

    name = "masthead.newsletters"
    label = "newsletters"

    def ready(self):
        from masthead.newsletters import receivers

        receivers.connect()
