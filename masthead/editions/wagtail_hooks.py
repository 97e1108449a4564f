from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.circulation.panels import PrintRunPanel
from masthead.editions.models import Issue


class IssueViewSet(SnippetViewSet):
    model = Issue
    icon = "doc-full"
    menu_label = "Issues"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["__str__", "cover_date", "live", "edition_status"]
    list_filter = ["year", "live"]
    # The circulation manager sees the print run beside the issue it belongs to (admin wiring only:
    # editions' models and views know nothing of circulation).
    panels = [*Issue.panels, PrintRunPanel()]

    def get_queryset(self, request):
        # One query for every listed issue's edition files, not one per row.
        return self.model.objects.prefetch_related("edition_files")


register_snippet(IssueViewSet)
