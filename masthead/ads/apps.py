from django.apps import AppConfig


class AdsConfig(AppConfig):
    """House ads and the slots that show them to readers without a subscription."""

    name = "masthead.ads"
    label = "ads"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from masthead.core.page_cache import clear_now_and_on_commit

        # The ad-free switch is a paywall setting: access clears the page cache when those change.
        post_save.connect(clear_now_and_on_commit, sender="ads.HouseAd", dispatch_uid="ads_cache_save")
        post_delete.connect(clear_now_and_on_commit, sender="ads.HouseAd", dispatch_uid="ads_cache_delete")
