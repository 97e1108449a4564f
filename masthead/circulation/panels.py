"""A panel for the issue's edit page: its print run, the change from the issue before, and the printer's files.

Issue's admin belongs to `editions`; circulation adds this panel through editions' `register_issue_panels`
hook (circulation/wagtail_hooks.py), so editions imports nothing of circulation. The panel shows only to
circulation staff, and only once the issue exists.
"""

from __future__ import annotations

from wagtail.admin.panels import Panel

from masthead.circulation.admin_views import can_see_mailing_lists, download_links
from masthead.circulation.services import print_runs


class PrintRunPanel(Panel):
    def __init__(self, **kwargs):
        kwargs.setdefault("heading", "Print run")
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "circulation/admin/print_run_panel.html"

        def is_shown(self):
            user = getattr(self.request, "user", None)
            return self.instance is not None and self.instance.pk is not None and can_see_mailing_lists(user)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            [run] = print_runs([self.instance])
            context.update(run=run, downloads=download_links(self.instance), issue=self.instance)
            return context
