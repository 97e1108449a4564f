from django.apps import AppConfig


class AdsConfig(AppConfig):
    """House ads and the slots that show them to readers without a subscription."""

    name = "masthead.ads"
    label = "ads"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from masthead.core.page_cache import clear_page_cache

        for model in ("ads.HouseAd", "access.PaywallSettings"):
            post_save.connect(clear_page_cache, sender=model, dispatch_uid=f"ads_cache_save_{model}")
            post_delete.connect(clear_page_cache, sender=model, dispatch_uid=f"ads_cache_delete_{model}")
