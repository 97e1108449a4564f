from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.editions.models import Issue


class IssueViewSet(SnippetViewSet):
    model = Issue
    icon = "doc-full"
    menu_label = "Issues"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["__str__", "cover_date", "live"]
    list_filter = ["year", "live"]


register_snippet(IssueViewSet)
