from django.apps import AppConfig


class GiftsConfig(AppConfig):
    """Gift subscriptions: bought once for someone else, emailed on a chosen day, claimed into the ledger."""

    name = "masthead.gifts"
    label = "gifts"
    verbose_name = "Gifts"

    def ready(self):
        from masthead.gifts.services import reconcile
        from masthead.subscriptions.reconcile import register_other_charges

        register_other_charges(reconcile.KEY_PREFIX, reconcile.compare_gift_charges, reconcile.gift_customers)
