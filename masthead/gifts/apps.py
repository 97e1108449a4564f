from django.apps import AppConfig


class GiftsConfig(AppConfig):
    """Gift subscriptions: bought once for someone else, emailed on a chosen day, claimed into the ledger."""

    name = "masthead.gifts"
    label = "gifts"
    verbose_name = "Gifts"
