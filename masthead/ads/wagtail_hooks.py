from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.ads.models import HouseAd


class HouseAdViewSet(SnippetViewSet):
    model = HouseAd
    icon = "pick"
    menu_label = "House ads"
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "starts_at", "ends_at"]


register_snippet(HouseAdViewSet)
