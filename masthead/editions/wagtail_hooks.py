from wagtail import hooks
from wagtail.admin.panels import ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.editions.models import Issue

# Apps that show something on an issue's edit page (circulation's print run) register panels here,
# so editions imports none of them.
ISSUE_PANELS_HOOK = "register_issue_panels"


class IssueViewSet(SnippetViewSet):
    model = Issue
    icon = "doc-full"
    menu_label = "Issues"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["__str__", "cover_date", "live", "edition_status"]
    list_filter = ["year", "live"]

    def get_edit_handler(self):
        # Asked on the first request, when every app's hooks are registered.
        extra = [panel for register in hooks.get_hooks(ISSUE_PANELS_HOOK) for panel in register()]
        return ObjectList([*Issue.panels, *extra]).bind_to_model(self.model)

    def get_queryset(self, request):
        # One query for every listed issue's edition files, not one per row.
        return self.model.objects.prefetch_related("edition_files")


register_snippet(IssueViewSet)
